"""Reading a report: bad files are refused with a message naming the problem, markup is blanked in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from conflictkg.graph.errors import InputError, RequestTooLarge
from conflictkg.graph.reports.text import MAX_REPORT_BYTES, read_report, report_from_text, slugify


def test_empty_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.txt: the report is empty"):
        read_report(path)


def test_binary_file_is_refused_with_the_offset_of_its_nul_byte(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match=r"binary file, not a text report \(a NUL byte at offset 8\)"):
        read_report(path)


def test_non_utf8_file_names_the_line_and_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("First line.\nAl-Hol camp in Hasakah, d\u00e9tenus.\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.txt: line 2: the report is not UTF-8 \(byte 0xe9 at offset 37\)"):
        read_report(path)


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:  # sparse: 50 MB on paper, nothing on disk
        f.seek(50_000_000 - 1)
        f.write(b"\n")
    with pytest.raises(RequestTooLarge, match=r"huge\.txt: 50,000,000 bytes is larger than a report can be"):
        read_report(path)
    assert MAX_REPORT_BYTES < 50_000_000


def test_markdown_markup_is_blanked_so_offsets_stay_those_of_the_file() -> None:
    raw = "# Gangs storm the prison\n\n> **Armed gangs** stormed [the prison](https://example.org/x) on Saturday.\n"
    report = report_from_text(raw.encode(), name="r.md")
    assert len(report.text) == len(raw)
    start = raw.index("Armed gangs")
    assert report.text[start:start + len("Armed gangs")] == "Armed gangs"
    assert "#" not in report.text and "**" not in report.text and "https" not in report.text


def test_html_tags_and_scripts_are_blanked() -> None:
    raw = "<html><script>var x = 1;</script><p>Gunmen attacked the prison &amp; freed inmates.</p></html>"
    report = report_from_text(raw.encode(), name="r.html")
    assert "var x" not in report.text and "<p>" not in report.text
    assert "Gunmen attacked the prison &" in report.text


def test_a_bad_publication_date_is_refused_by_parameter() -> None:
    with pytest.raises(InputError, match=r"published='last week' is not a date") as err:
        report_from_text(b"Some words.", name="r.txt", published="last week")
    assert err.value.details["parameter"] == "published"


def test_slugs_are_readable_iri_segments() -> None:
    assert slugify("Al-Aqtaan Prison") == "al-aqtaan-prison"
    assert slugify("Croix-des-Bouquets, Haïti") == "croix-des-bouquets-haiti"
