"""`python main.py inspect`: what the importer detects in any CSV, and the table as parsed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cli import run

FRENCH = (
    "Export des commandes\n"
    "Généré le 12/02/2023\n"
    "\n"
    "Référence;Client;Total;État;Date\n"
    "R1;C. LEROY;\"1 234,50 €\";Livré;03/01/2023 10:12\n"
    "R2;M. FAURE;61,80 €;Annulé;14/01/2023 18:40\n"
    "R3;A. GIRARD;9,90 €\n"
)


def _inspect(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(["inspect", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_inspect_reports_what_was_detected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "commandes.csv"
    path.write_bytes(FRENCH.encode("cp1252"))
    out_dir = tmp_path / "parsed"
    code, out, err = _inspect(
        capsys, str(path), "--skip-rows", "3", "--json", "--normalized-dir", str(out_dir)
    )
    assert code == 0, err
    r = json.loads(out)
    assert r["delimiter"] == ";" and r["encoding"] in ("cp1252", "windows-1252")
    assert (r["header_line"], r["skipped_rows"]) == (4, 3)
    assert r["columns"] == ["Référence", "Client", "Total", "État", "Date"]
    assert r["mapping"]["customer"] == "Client" and r["mapping"]["status"] == "État"
    assert r["date_order"] == "day/month/year"
    assert "decimal comma" in r["number_forms"]["Total"]
    assert (r["rows"], r["rows_not_fitting"], r["rows_not_fitting_lines"]) == (2, 1, [7])
    # The table as parsed: UTF-8, comma, quoted where needed, cells as they stood.
    with (out_dir / "commandes.csv").open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    assert table == [
        ["Référence", "Client", "Total", "État", "Date"],
        ["R1", "C. LEROY", "1 234,50 €", "Livré", "03/01/2023 10:12"],
        ["R2", "M. FAURE", "61,80 €", "Annulé", "14/01/2023 18:40"],
    ]


def test_inspect_works_on_any_csv_and_reports_each_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "stock.csv"
    plain.write_text("sku,colour,size\nA,red,M\nB,blue,L\n", encoding="utf-8")
    missing = tmp_path / "nope.csv"
    code, out, _ = _inspect(capsys, str(plain), str(missing), "--json")
    assert code == 2  # one file could not be read
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["rows"] == 2 and first["columns"] == ["sku", "colour", "size"]
    assert first["problems"]  # not a behavior log: what an import would need, in words
    assert "does not exist" in second["error"]


def test_inspect_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "customer,time,event\nu1,2023-05-01 10:00:00,view\nu2,2023-05-01 11:00:00,buy\n",
        encoding="utf-8",
    )
    code, out, _ = _inspect(capsys, str(path))
    assert code == 0
    assert "separator comma" in out and "2 rows of 3 columns" in out
    assert "customer = customer" in out


def test_lines_the_reader_rejects_are_counted_as_not_fitting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(
        'customer,time,item\nu1,2024-01-01 10:00,"mug\nu2,2024-01-01 11:00,cap\n'
        "u3,2024-01-01 12:00,tee\n",
        encoding="utf-8",
    )
    code, out, _ = _inspect(capsys, str(path), "--json")
    assert code == 0
    r = json.loads(out)
    assert (r["rows"], r["rows_not_fitting"], r["rows_not_fitting_lines"]) == (2, 1, [2])
