"""``omnirouter dedupe contacts.csv --out clusters.csv``."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from omnirouter.cli import main
from omnirouter.history._synthetic import synthetic_contacts

HEADER = ["id", "given_name", "family_name", "birth_date", "email", "postcode"]
ROWS = [
    ["1", "Hans", "Meyer", "1970-03-14", "hans.meyer@example.de", "50667"],
    ["2", "Hans", "Maier", "14.03.1970", "Hans.Meyer@example.de", "50667"],
    ["3", "Anna", "Meyer", "1972-08-01", "anna@example.de", "50667"],
    ["4", "Otto", "Schulz", "1950-01-01", "otto@example.org", "80331"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def padded(tmp_path: Path) -> Path:
    """The four rows above plus unrelated people, so the model has something to learn from."""
    crowd = synthetic_contacts(300, random.Random(9)).records
    rows = ROWS + [[r["id"], *(r[column] for column in HEADER[1:])] for r in crowd]
    return write_csv(tmp_path / "contacts.csv", HEADER, rows)


def test_writes_clusters_with_explanations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = padded(tmp_path)
    out = tmp_path / "clusters.csv"
    assert main(["dedupe", str(source), "--out", str(out)]) == 0
    rows = {row["id"]: row for row in read_csv(out)}
    assert list(read_csv(out)[0]) == [
        "id",
        "cluster",
        "cluster_size",
        "best_match",
        "score",
        "explanation",
    ]
    assert len(rows) == 304
    assert rows["1"]["cluster"] == rows["2"]["cluster"] != ""
    assert rows["1"]["cluster_size"] == "2"
    assert rows["1"]["best_match"] == "2"
    assert rows["2"]["best_match"] == "1"
    assert float(rows["1"]["score"]) >= 0.5
    assert rows["1"]["explanation"].startswith("score ")
    assert "birth_date exact" in rows["1"]["explanation"]
    assert rows["3"]["cluster"] == ""  # same family name and postcode, another person
    assert rows["3"]["cluster_size"] == "1"
    assert rows["4"]["explanation"] == ""
    assert "304 records" in capsys.readouterr().err


def test_only_duplicates_and_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = padded(tmp_path)
    assert main(["dedupe", str(source), "--only-duplicates", "--quiet"]) == 0
    output = capsys.readouterr().out.splitlines()
    ids = {line.split(",", 1)[0] for line in output[1:]}
    assert {"1", "2"} <= ids
    assert "3" not in ids
    assert "4" not in ids


def test_column_map_and_delimiter(tmp_path: Path) -> None:
    header = ["key", "Vorname", "Nachname", "Geburtstag", "PLZ"]
    rows = [[r[0], r[1], r[2], r[3], r[5]] for r in ROWS]
    crowd = synthetic_contacts(200, random.Random(4)).records
    rows += [
        [r["id"], r["given_name"], r["family_name"], r["birth_date"], r["postcode"]] for r in crowd
    ]
    source = write_csv(tmp_path / "kontakte.csv", header, rows, delimiter=";")
    out = tmp_path / "out.csv"
    code = main(
        [
            "dedupe",
            str(source),
            "--out",
            str(out),
            "--delimiter",
            ";",
            "--id-column",
            "key",
            "--map",
            "given_name=Vorname",
            "--map",
            "family_name=Nachname",
            "--map",
            "birth_date=Geburtstag",
            "--map",
            "postcode=PLZ",
        ]
    )
    assert code == 0
    result = {row["id"]: row for row in read_csv(out)}
    assert result["1"]["cluster"] == result["2"]["cluster"] != ""


def test_progress_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = padded(tmp_path)
    assert main(["dedupe", str(source), "--out", str(tmp_path / "o.csv"), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "compare  [" in err
    assert "cluster  [" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.csv"], "No such file"),
        (["{source}", "--map", "surname"], "expected FIELD=COLUMN"),
        (["{source}", "--map", "surname=family"], "fields.surname"),
        (["{source}", "--id-column", "nope"], "has no 'nope'"),
        (["{source}", "--threshold", "2"], "threshold"),
    ],
)
def test_bad_input_exits_with_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    source = write_csv(tmp_path / "c.csv", HEADER, ROWS)
    argv = ["dedupe", *(a.replace("{source}", str(source)) for a in arguments)]
    argv[1] = argv[1] if argv[1] != "missing.csv" else str(tmp_path / "missing.csv")
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert main(["dedupe", str(empty)]) == 2
    assert "is empty" in capsys.readouterr().err
