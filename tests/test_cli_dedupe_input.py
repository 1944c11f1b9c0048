"""``omnirouter dedupe`` input: encodings, delimiters, field sizes, outputs and header warnings."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from omnirouter.cli import main

GERMAN = [
    {"Kundennr": "1", "Vorname": "Jürgen", "Nachname": "Meier", "E-Mail": "j.meier@example.de"},
    {"Kundennr": "2", "Vorname": "Jürgen", "Nachname": "Meyer", "E-Mail": "j.meier@example.de"},
    {"Kundennr": "3", "Vorname": "Käthe", "Nachname": "Groß", "E-Mail": "k.gross@example.de"},
]


def _german_export(path: Path, encoding: str = "cp1252") -> Path:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(GERMAN[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(GERMAN)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_cp1252_excel_export_needs_its_encoding_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _german_export(tmp_path / "kontakte.csv")
    base = ["dedupe", str(source), "--delimiter", ";", "--id-column", "Kundennr", "--quiet"]
    code, _, err = _run(base, capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert "is not UTF-8 text" in err
    assert "--encoding cp1252" in err
    maps = ["--map", "given_name=Vorname", "--map", "family_name=Nachname", "--map", "email=E-Mail"]
    code, out, err = _run([*base, "--encoding", "cp1252", *maps], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["cluster"] == rows[1]["cluster"] != ""
    assert "warning" not in err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_byte_order_mark_is_recognised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    source = _german_export(tmp_path / "bom.csv", encoding=encoding)
    argv = ["dedupe", str(source), "--delimiter", ";", "--id-column", "Kundennr", "--quiet"]
    code, out, _ = _run(
        [*argv, "--map", "given_name=Vorname", "--map", "family_name=Nachname"], capsys
    )
    assert code == 0
    assert [row["id"] for row in csv.DictReader(io.StringIO(out))] == ["1", "2", "3"]


def test_german_headers_without_map_warn_and_suggest_the_maps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _german_export(tmp_path / "kontakte.csv", encoding="utf-8")
    argv = ["dedupe", str(source), "--delimiter", ";", "--id-column", "Kundennr", "--quiet"]
    code, _, err = _run(argv, capsys)
    assert code == 0
    warning = next(line for line in err.splitlines() if "warning" in line)
    assert warning.startswith("omnirouter dedupe: warning: no name column found")
    assert "--map given_name=Vorname" in warning
    assert "--map family_name=Nachname" in warning
    assert "--map email=E-Mail" in warning


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (["--delimiter", ";;"], "--delimiter"),
        (["--delimiter", ""], "--delimiter"),
        (["--delimiter", '"'], "--delimiter"),
        (["--encoding", "klingon"], "--encoding"),
        (["--max-field-size", "0"], "--max-field-size"),
        (["--threshold", "nan"], "--threshold"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], field: str
) -> None:
    source = _german_export(tmp_path / "k.csv", encoding="utf-8")
    code, _, err = _run(["dedupe", str(source), *options], capsys)
    assert code == 2
    assert field in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_huge_field_is_refused_and_the_limit_can_be_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "big.csv"
    source.write_text("id,full_name,notes\n1,Anna Meier," + "x" * 200_000 + "\n", encoding="utf-8")
    code, _, err = _run(["dedupe", str(source), "--quiet"], capsys)
    assert code == 2
    assert "longer than 131,072 characters" in err
    assert "xxxx" not in err
    code, _, _ = _run(["dedupe", str(source), "--quiet", "--max-field-size", "300000"], capsys)
    assert code == 0


def test_out_errors_come_before_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "c.csv"
    source.write_text("id,full_name\n1,Anna Meier\n", encoding="utf-8")
    code, _, err = _run(["dedupe", str(source), "--out", str(tmp_path), "--quiet"], capsys)
    assert code == 2
    assert "is a folder, not a file" in err
    existing = tmp_path / "out.csv"
    existing.write_text("old", encoding="utf-8")
    code, _, _ = _run(["dedupe", str(source), "--out", str(existing), "--quiet"], capsys)
    assert code == 0
    assert existing.read_text(encoding="utf-8").startswith("id,cluster")


def test_standard_input_is_read_with_a_dash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "id,full_name\n1,Anna Meier\n2,Jonas Weber\n".encode("cp1252")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = _run(["dedupe", "-", "--quiet"], capsys)
    assert code == 0
    assert [row["id"] for row in csv.DictReader(io.StringIO(out))] == ["1", "2"]
