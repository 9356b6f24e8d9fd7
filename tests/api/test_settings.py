"""Every setting is documented, and the endpoint's bounds have safe defaults."""

from __future__ import annotations

from conflictkg.api.settings import Settings


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
