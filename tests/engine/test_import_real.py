"""Importing the real logs in ../shared/datasets reproduces the figures their README promises.

Each file is imported once per module and the tests look at the report *and* at what the
project holds; expected figures are either the README's or computed independently with pandas.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from engine.ingest import ImportReport, run_import
from storage.project import Project, open_project

pytestmark = pytest.mark.slow

RETAIL = "uci_online_retail/online_retail.csv.gz"
TAOBAO = "taobao_userbehavior/UserBehavior.csv"
REES46 = "rees46_oct2019_head/2019-Oct-head.csv"
OTTO_JSONL = "otto_sessions/train.jsonl"
OTTO_CSV = "otto_sessions/events.csv"
YOOCHOOSE = "yoochoose_clicks/yoochoose-clicks-100k_train_full.txt"


def _file(datasets: Path, rel: str) -> Path:
    path = datasets / rel
    if not path.is_file():
        pytest.skip(f"{rel} is not in {datasets}")
    return path


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp() * 1000)


def _scalar(project: Project, sql: str, **params: object) -> object:
    with project.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def _assert_accounted(project: Project, report: ImportReport) -> None:
    """Every line is accounted for, in the report and in the project."""
    assert report.imported + report.rejected == report.lines_read
    assert sum(report.rejected_by_reason.values()) == report.rejected
    assert sum(report.events_by_type.values()) == report.imported
    b = report.batch_id
    assert _scalar(project, "SELECT COUNT(*) FROM events WHERE batch_id=:b", b=b) == report.imported
    assert (
        _scalar(project, "SELECT COUNT(*) FROM rejected_rows WHERE batch_id=:b", b=b)
        == report.rejected
    )
    with project.connect() as conn:
        status, lines, imported, rejected = conn.execute(
            text("SELECT status, lines_read, imported, rejected FROM import_batches WHERE id=:b"),
            {"b": b},
        ).one()
    assert (status, lines, imported, rejected) == (
        "done",
        report.lines_read,
        report.imported,
        report.rejected,
    )


class _Imports(dict[str, tuple[Project, ImportReport]]):
    """file -> (project, report); a file is imported, into its own project, on first use."""

    def __init__(self, datasets: Path, folder: Path) -> None:
        super().__init__()
        self.datasets, self.folder = datasets, folder

    def __missing__(self, rel: str) -> tuple[Project, ImportReport]:
        path = _file(self.datasets, rel)
        project = open_project(self.folder / (path.name + ".intentlens"))
        self[rel] = (project, run_import(project, path))
        return self[rel]


@pytest.fixture(scope="module")
def imported(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Imports]:
    """Each real file imported once per module (the Online Retail import takes seconds)."""
    imports = _Imports(datasets, tmp_path_factory.mktemp("real"))
    yield imports
    for project, _ in imports.values():
        project.close()


# --- UCI Online Retail -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def retail_frame(datasets: Path) -> pd.DataFrame:
    """The Online Retail file read independently with pandas, every value as text."""
    return pd.read_csv(_file(datasets, RETAIL), dtype=str, keep_default_na=False, encoding="utf-8")


def test_online_retail_accounts_for_every_line(
    imported: _Imports, retail_frame: pd.DataFrame
) -> None:
    project, report = imported[RETAIL]
    _assert_accounted(project, report)
    assert report.format == "uci_online_retail"
    assert report.lines_read == 541_909 == len(retail_frame)
    assert report.rejected_by_reason == {"missing_customer": 135_080}
    assert report.imported == 541_909 - 135_080
    with project.connect() as conn:
        reasons = set(conn.execute(text("SELECT DISTINCT reason FROM rejected_rows")).scalars())
    assert reasons == {"No customer id."}


def test_online_retail_customers_and_items(imported: _Imports, retail_frame: pd.DataFrame) -> None:
    project, report = imported[RETAIL]
    with_customer = retail_frame[retail_frame["CustomerID"].str.strip() != ""]
    assert report.customers == 4_372 == with_customer["CustomerID"].nunique()
    with project.connect() as conn:
        keys = set(conn.execute(text("SELECT key FROM customers")).scalars())
        items = set(conn.execute(text("SELECT key FROM items")).scalars())
    assert keys == set(with_customer["CustomerID"])  # "17850", never "17850.0"
    assert items == set(with_customer["StockCode"])
    assert report.items == len(items)
    assert report.first_ms == _ms("2010-12-01T08:26:00")
    assert report.last_ms == _ms("2011-12-09T12:50:00")


def test_online_retail_every_invoice_is_kept(imported: _Imports) -> None:
    """Imported sessions plus the rejected rows' raw text hold all 25,900 invoices."""
    project, _ = imported[RETAIL]
    with project.connect() as conn:
        invoices = set(conn.execute(text("SELECT DISTINCT session FROM events")).scalars())
        raws = list(conn.execute(text("SELECT raw FROM rejected_rows")).scalars())
    assert len(raws) == 135_080
    rejected_fields = [next(csv.reader([raw])) for raw in raws]
    assert all(len(f) == 8 and f[6] == "" for f in rejected_fields)  # the raw line, unchanged
    invoices |= {f[0] for f in rejected_fields}
    assert len(invoices) == 25_900


def test_online_retail_cancellations_are_negative_refunds(imported: _Imports) -> None:
    project, report = imported[RETAIL]
    assert report.events_by_type == {"purchase": 397_924, "refund": 8_905}
    with project.connect() as conn:
        refunds, non_negative, not_c = conn.execute(
            text(
                "SELECT COUNT(*), SUM(amount >= 0 OR amount IS NULL), SUM(session NOT LIKE 'C%') "
                "FROM events WHERE event = 'refund'"
            )
        ).one()
        c_purchases = conn.execute(
            text("SELECT COUNT(*) FROM events WHERE event = 'purchase' AND session LIKE 'C%'")
        ).scalar_one()
    assert (refunds, non_negative, not_c, c_purchases) == (8_905, 0, 0, 0)


def test_online_retail_revenue_matches_pandas(
    imported: _Imports, retail_frame: pd.DataFrame
) -> None:
    project, report = imported[RETAIL]
    qty = pd.to_numeric(retail_frame["Quantity"])
    price = pd.to_numeric(retail_frame["UnitPrice"])
    line_total = qty * price
    # The file itself: the README's total over all rows, cancellations included.
    assert round(float(line_total.sum()), 2) == 9_747_747.93
    expected = float(line_total[retail_frame["CustomerID"].str.strip() != ""].sum())
    stored = float(_scalar(project, "SELECT SUM(amount) FROM events"))  # type: ignore[arg-type]
    assert report.revenue == pytest.approx(expected, abs=0.005)
    assert stored == pytest.approx(expected, abs=0.005)
    assert round(expected, 2) == 8_300_065.81


def test_online_retail_indexes_are_rebuilt_after_the_bulk_load(imported: _Imports) -> None:
    project, _ = imported[RETAIL]
    with project.connect() as conn:
        names = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type='index'")).scalars()
        )
    assert {"ix_events_customer_time"} <= names


# --- Taobao UserBehavior -----------------------------------------------------------------------


def test_taobao_reports_the_cut_off_last_line(imported: _Imports, datasets: Path) -> None:
    project, report = imported[TAOBAO]
    _assert_accounted(project, report)
    assert report.format == "taobao"
    assert (report.lines_read, report.imported, report.rejected) == (84_476, 84_475, 1)
    assert report.rejected_by_reason == {"cut_off_line": 1}
    last_line = _file(datasets, TAOBAO).read_bytes().rsplit(b"\n", 1)[1].decode()
    with project.connect() as conn:
        rows = conn.execute(text("SELECT line_no, raw, reason FROM rejected_rows")).all()
    assert len(rows) == 1
    line_no, raw, reason = rows[0]
    assert line_no == 84_476
    assert raw == last_line and raw.count(",") == 3
    assert "cut off" in reason


def test_taobao_event_words_become_canonical_events(imported: _Imports) -> None:
    project, report = imported[TAOBAO]
    assert report.events_by_type == {
        "view": 75_872,
        "cart": 4_497,
        "favorite": 2_356,
        "purchase": 1_750,
    }
    assert report.customers == 815
    with project.connect() as conn:
        pairs = dict(
            conn.execute(
                text("SELECT raw_event || '>' || event, COUNT(*) FROM events GROUP BY 1")
            ).all()
        )
    assert pairs == {
        "pv>view": 75_872,
        "cart>cart": 4_497,
        "fav>favorite": 2_356,
        "buy>purchase": 1_750,
    }


# --- REES46, OTTO, YooChoose -------------------------------------------------------------------


def test_rees46_imports_every_complete_row(imported: _Imports, datasets: Path) -> None:
    project, report = imported[REES46]
    _assert_accounted(project, report)
    assert report.format == "rees46"
    assert (report.imported, report.rejected) == (17_434, 1)
    assert report.rejected_by_reason == {"cut_off_line": 1}
    assert report.events_by_type == {"view": 17_055, "cart": 165, "purchase": 214}
    # header + 17,434 rows: the cut-off line is the file's line 17,436
    assert _scalar(project, "SELECT line_no FROM rejected_rows") == 17_436
    assert report.first_ms == _ms("2019-10-01T00:00:00")
    frame = pd.read_csv(_file(datasets, REES46), dtype=str, keep_default_na=False).iloc[:-1]
    bought = pd.to_numeric(frame.loc[frame["event_type"] == "purchase", "price"])
    assert report.revenue == pytest.approx(float(bought.sum()), abs=0.005)
    # the empty category_code falls back to category_id, never left empty when one is known
    assert _scalar(project, "SELECT COUNT(*) FROM events WHERE category IS NULL") == 0


def _otto_events(project: Project) -> list[tuple[object, ...]]:
    with project.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT c.key, i.key, e.time_ms, e.event, e.raw_event, e.session FROM events e "
                    "JOIN customers c ON c.id = e.customer_id JOIN items i ON i.id = e.item_id "
                    "ORDER BY c.key, e.time_ms, i.key"
                )
            )
        ]


@pytest.mark.parametrize("rel", [OTTO_JSONL, OTTO_CSV])
def test_otto_both_layouts(imported: _Imports, rel: str) -> None:
    project, report = imported[rel]
    _assert_accounted(project, report)
    assert report.format == "otto"
    assert (report.lines_read, report.imported, report.rejected) == (862, 862, 0)
    assert report.events_by_type == {"click": 800, "cart": 52, "purchase": 10}
    assert report.customers == 20


def test_otto_nested_and_flat_files_give_the_same_events(imported: _Imports) -> None:
    nested, _ = imported[OTTO_JSONL]
    flat, _ = imported[OTTO_CSV]
    events = _otto_events(nested)
    assert len(events) == 862
    assert events == _otto_events(flat)


def test_yoochoose_clicks(imported: _Imports) -> None:
    project, report = imported[YOOCHOOSE]
    _assert_accounted(project, report)
    assert report.format == "yoochoose_clicks"
    assert (report.lines_read, report.imported, report.rejected) == (70_278, 70_278, 0)
    assert report.events_by_type == {"click": 70_278}
    assert report.customers == 17_794
    assert report.items == 2_933
    assert datetime.fromtimestamp(report.first_ms / 1000, UTC).date().isoformat() == "2014-04-01"
    assert datetime.fromtimestamp(report.last_ms / 1000, UTC).date().isoformat() == "2014-04-07"
