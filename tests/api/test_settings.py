"""Every setting is documented, and the endpoint's bounds have safe defaults."""

from __future__ import annotations

from pathlib import Path

from conflictkg.api.settings import Settings, settings_table


def test_every_setting_has_a_description() -> None:
    undocumented = [name for name, field in Settings.model_fields.items() if not (field.description or "").strip()]
    assert undocumented == []


def test_the_endpoint_is_bounded_and_read_only_by_default(monkeypatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"CONFLICTKG_{name.upper()}", raising=False)
    settings = Settings()
    assert settings.query_timeout_s == 30.0
    assert settings.update_token is None
    assert settings.service_allowlist == []
    assert settings.cors_origins == []
    assert settings.query_workers >= 2  # a runaway query never holds the only worker


README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_listed_in_the_readme_as_the_settings_class_says() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`CONFLICTKG_{name.upper()}`" not in readme]
    assert missing == []
    # The table is the class's own (regenerate with `python -m conflictkg.api.settings`).
    assert settings_table() in readme


def test_the_readme_says_how_to_allow_updates_with_the_token() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "CONFLICTKG_UPDATE_TOKEN=" in readme
    assert "Authorization: Bearer" in readme
