"""The importer on small hand-made files: encodings, delimiters, packaging, time forms, mapping,
bad rows, whole-file problems and all-or-nothing imports.

Every expected value is written out here (line numbers, raw text, UTC epoch milliseconds), so
a wrong parse, a lost line or a half-written import fails a test.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine.ingest import (
    DuplicateImport,
    FileProblem,
    ImportCancelled,
    ImportOptions,
    ImportReport,
    import_file,
    run_import,
)
from storage.project import Project, open_project
from storage.queries import overview
from tests.project_checks import table_names


@pytest.fixture
def project_location(any_location: str) -> str:
    """Every test here that uses the ``project`` fixture runs on an SQLite file and on a
    PostgreSQL database (skipped without a server: tests/pg.py)."""
    return any_location


SIMPLE = (
    "customer,time,event,item,price\n"
    "alice,2023-05-01 10:00:00,view,sku1,2.50\n"
    "bob,2023-05-01 10:05:00,cart,sku2,3.00\n"
    "alice,2023-05-01 10:06:00,purchase,sku1,2.50\n"
    "carol,2023-05-02 09:00:00,view,sku3,7.25\n"
)


def _ms(iso: str) -> int:
    dt = datetime.fromisoformat(iso)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def _write(folder: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def _rows(project: Project, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with project.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _accounted(project: Project, report: ImportReport) -> None:
    assert report.imported + report.rejected == report.lines_read
    assert sum(report.rejected_by_reason.values()) == report.rejected
    assert sum(report.events_by_type.values()) == report.events >= report.imported
    b = report.batch_id
    assert _rows(project, "SELECT COUNT(*) FROM events WHERE batch_id=:b", b=b) == [
        (report.events,)
    ]
    assert _rows(project, "SELECT COUNT(*) FROM rejected_rows WHERE batch_id=:b", b=b) == [
        (report.rejected,)
    ]


def _snapshot(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: equal snapshots mean an unchanged project."""
    out = {}
    for table in sorted(table_names(project)):
        out[table] = sorted(_rows(project, f"SELECT * FROM {table}"), key=repr)
    return out


def _customer_keys(project: Project) -> set[str]:
    return {k for (k,) in _rows(project, "SELECT key FROM customers")}


def _one_sentence(exc: BaseException) -> str:
    message = str(exc)
    assert message.strip() and "\n" not in message and "Traceback" not in message
    assert message.rstrip().endswith((".", ")")), message
    return message


# --- encodings ---------------------------------------------------------------------------------

CHINESE_WORDS = {
    "浏览": "view",
    "加购": "cart",
    "收藏": "favorite",
    "购买": "purchase",
    "退款": "refund",
}


def _chinese_log() -> tuple[str, dict[str, int], float]:
    lines = ["客户,时间,行为,商品,类目,价格,数量"]
    counts: dict[str, int] = {}
    revenue = 0.0
    for i in range(20):
        word = list(CHINESE_WORDS)[i % 5]
        price, qty = 10.0 + i, 1 + i % 3
        lines.append(
            f"用户{i % 7},2023-05-{1 + i % 9:02d} 10:{i:02d}:00,{word},商品{i},女装,{price},{qty}"
        )
        event = CHINESE_WORDS[word]
        counts[event] = counts.get(event, 0) + 1
        if event == "purchase":
            revenue += price * qty
        elif event == "refund":
            revenue -= price * qty
    return "\n".join(lines) + "\n", counts, revenue


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_excel_export(project: Project, tmp_path: Path, encoding: str) -> None:
    content, counts, revenue = _chinese_log()
    path = _write(tmp_path, "订单.csv", content, encoding)
    report = run_import(project, path)
    _accounted(project, report)
    assert report.encoding == "gb18030"
    assert report.mapping == {
        "customer": "客户",
        "time": "时间",
        "event": "行为",
        "item": "商品",
        "category": "类目",
        "price": "价格",
        "quantity": "数量",
    }
    assert (report.lines_read, report.imported, report.rejected) == (20, 20, 0)
    assert report.events_by_type == counts
    assert report.revenue == pytest.approx(revenue)
    assert _customer_keys(project) == {f"用户{i}" for i in range(7)}
    assert set(_rows(project, "SELECT DISTINCT category FROM events")) == {("女装",)}
    raw_events = dict(_rows(project, "SELECT DISTINCT raw_event, event FROM events"))
    assert raw_events == CHINESE_WORDS


def test_utf16_with_bom(project: Project, tmp_path: Path) -> None:
    content = SIMPLE.replace("carol", "Zoë").replace("bob", "李雷")
    path = _write(tmp_path, "u16.csv", content, "utf-16")  # Python writes the BOM
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    report = run_import(project, path)
    _accounted(project, report)
    assert report.encoding == "utf-16"
    assert "customer" in report.mapping
    assert report.imported == 4
    assert _customer_keys(project) == {"alice", "李雷", "Zoë"}


def test_utf8_with_bom_keeps_the_first_column(project: Project, tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.csv", SIMPLE, "utf-8-sig")
    report = run_import(project, path)
    _accounted(project, report)
    assert report.encoding == "utf-8-sig"
    assert report.mapping["customer"] == "customer"  # not "\ufeffcustomer"
    assert _customer_keys(project) == {"alice", "bob", "carol"}


def test_latin1_accented_names(project: Project, tmp_path: Path) -> None:
    names = ["José", "Zoë", "Müller", "François", "Peña", "Søren", "Gödel", "Ångström"]
    content = "customer;time;event;item\n" + "".join(
        f"{n};2023-05-01 10:0{i}:00;view;Größe {i}\n" for i, n in enumerate(names)
    )
    path = _write(tmp_path, "kunden.csv", content, "latin-1")
    report = run_import(project, path)
    _accounted(project, report)
    assert report.imported == len(names)
    assert _customer_keys(project) == set(names)
    assert {k for (k,) in _rows(project, "SELECT key FROM items")} == {
        f"Größe {i}" for i in range(len(names))
    }


# --- delimiters, header, packaging -------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiters(project: Project, tmp_path: Path, delimiter: str) -> None:
    rows = [
        ["customer", "time", "event", "item", "category"],
        ["alice", "2023-05-01 10:00:00", "view", "sku1", "Home & Garden"],
        ["bob", "2023-05-01 10:05:00", "cart", "sku2", "Toys"],
        ["alice", "2023-05-01 10:06:00", "purchase", "sku1", "Home & Garden"],
    ]
    if delimiter != ",":  # a comma inside a value must not split it
        rows[2][4] = "Toys, Games"
    path = _write(tmp_path, "log.txt", "\n".join(delimiter.join(r) for r in rows) + "\n")
    report = run_import(project, path)
    _accounted(project, report)
    assert (report.imported, report.rejected) == (3, 0)
    assert report.events_by_type == {"view": 1, "cart": 1, "purchase": 1}
    cats = {c for (c,) in _rows(project, "SELECT category FROM events")}
    assert cats == {"Home & Garden", rows[2][4]}


def test_header_row_is_not_imported(project: Project, tmp_path: Path) -> None:
    report = run_import(project, _write(tmp_path, "h.csv", SIMPLE))
    assert report.lines_read == 4  # the header is not a record
    assert "customer" not in _customer_keys(project)


def test_headerless_file_needs_the_customer_column_and_then_imports_every_line(
    project: Project, tmp_path: Path
) -> None:
    body = "".join(SIMPLE.splitlines(keepends=True)[1:])
    path = _write(tmp_path, "noheader.csv", body)
    with pytest.raises(FileProblem) as err:
        run_import(project, path)
    assert "--map customer=COLUMN" in _one_sentence(err.value)
    report = run_import(project, path, ImportOptions(columns={"customer": "1", "item": "4"}))
    _accounted(project, report)
    assert (report.lines_read, report.imported) == (4, 4)  # the first line is data
    assert report.mapping["customer"] == "column 1"
    assert report.mapping["time"] == "column 2"
    assert report.events_by_type == {"view": 2, "cart": 1, "purchase": 1}
    assert _customer_keys(project) == {"alice", "bob", "carol"}
    assert _rows(project, "SELECT line_no FROM rejected_rows") == []
    assert report.first_ms == _ms("2023-05-01 10:00:00")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("packaging", ["plain", "gzip", "zip", "zip_with_junk"])
def test_gzip_and_zip(project: Project, tmp_path: Path, packaging: str) -> None:
    data = SIMPLE.encode()
    if packaging == "gzip":
        data = gzip.compress(data)
    elif packaging == "zip":
        data = _zip({"export/log.csv": data})
    elif packaging == "zip_with_junk":
        data = _zip({"__MACOSX/._log.csv": b"\x00" * 5000, "readme.txt": b"hi", "log.csv": data})
    # the name says nothing: packaging is recognised by the bytes
    report = run_import(project, _write(tmp_path, "download.bin", data))
    _accounted(project, report)
    assert (report.lines_read, report.imported, report.rejected) == (4, 4, 0)
    assert report.customers == 3 and report.items == 3
    assert report.revenue == pytest.approx(2.50)


# --- time forms --------------------------------------------------------------------------------

TIME_FORMS = {
    "unix_s": (["1569888000", "1569891661"], ["2019-10-01 00:00:00", "2019-10-01 01:01:01"]),
    "unix_ms": (["1569888000123", "1569891661000"], None),
    "iso_no_zone": (["2019-10-01T00:00:00", "2019-10-01T01:01:01"], None),
    "iso_space": (["2019-10-01 00:00:00", "2019-10-01 01:01:01"], None),
    "iso_z": (["2019-10-01T00:00:00Z", "2019-10-01T01:01:01.5Z"], None),
    "iso_offset": (["2019-10-01T02:00:00+02:00", "2019-09-30T20:01:01-05:00"], None),
    "utc_suffix": (["2019-10-01 00:00:00 UTC", "2019-10-01 01:01:01 UTC"], None),
    "us_excel": (["12/1/2010 8:26", "12/13/2010 17:05"], None),
    "yyyymmdd": (["20191001", "20191231"], None),
}
EXPECTED_MS = {
    "unix_s": [1_569_888_000_000, 1_569_891_661_000],
    "unix_ms": [1_569_888_000_123, 1_569_891_661_000],
    "iso_no_zone": [1_569_888_000_000, 1_569_891_661_000],
    "iso_space": [1_569_888_000_000, 1_569_891_661_000],
    "iso_z": [1_569_888_000_000, 1_569_891_661_500],
    "iso_offset": [1_569_888_000_000, 1_569_891_661_000],
    "utc_suffix": [1_569_888_000_000, 1_569_891_661_000],
    "us_excel": [1_291_191_960_000, 1_292_259_900_000],
    "yyyymmdd": [1_569_888_000_000, 1_577_750_400_000],
}


@pytest.mark.parametrize("form", list(TIME_FORMS))
def test_time_forms_become_exact_utc_milliseconds(
    project: Project, tmp_path: Path, form: str
) -> None:
    values, _ = TIME_FORMS[form]
    content = "customer,time,event\n" + "".join(f"c{i},{v},view\n" for i, v in enumerate(values))
    report = run_import(project, _write(tmp_path, f"{form}.csv", content))
    _accounted(project, report)
    assert report.rejected == 0, report.examples
    stored = [t for (t,) in _rows(project, "SELECT time_ms FROM events ORDER BY id")]
    assert stored == EXPECTED_MS[form]
    assert (report.first_ms, report.last_ms) == (min(stored), max(stored))


def test_expected_milliseconds_are_right() -> None:
    """The table above, cross-checked against the standard library."""
    assert EXPECTED_MS["us_excel"] == [_ms("2010-12-01 08:26"), _ms("2010-12-13 17:05")]
    assert EXPECTED_MS["iso_offset"] == [
        _ms("2019-10-01T02:00:00+02:00"),
        _ms("2019-09-30T20:01:01-05:00"),
    ]
    assert EXPECTED_MS["yyyymmdd"] == [_ms("2019-10-01"), _ms("2019-12-31")]
    assert EXPECTED_MS["unix_s"] == [_ms(v) for v in TIME_FORMS["unix_s"][1]]  # type: ignore[union-attr]


# --- mapping, transactions, refunds ------------------------------------------------------------


def test_mapping_given_through_options(project: Project, tmp_path: Path) -> None:
    content = (
        "kunde_nr,zeitpunkt,aktion,artikel,notiz\n"
        "K1,2023-01-01 08:00:00,angesehen,A1,x\n"
        "K2,2023-01-01 08:01:00,warenkorb,A2,y\n"
        "K1,2023-01-01 08:02:00,gekauft,A1,z\n"
        "K1,2023-01-01 08:03:00,gekauft,A3,z\n"
        "K3,2023-01-01 08:04:00,unbekannt,A1,z\n"
    )
    options = ImportOptions(
        columns={"customer": "kunde_nr", "time": "zeitpunkt", "event": "aktion", "item": "artikel"},
        events={"angesehen": "view", "warenkorb": "cart", "gekauft": "purchase"},
    )
    report = run_import(project, _write(tmp_path, "export.csv", content), options)
    _accounted(project, report)
    assert report.mapping == {
        "customer": "kunde_nr",
        "time": "zeitpunkt",
        "event": "aktion",
        "item": "artikel",
    }
    # a word nobody mapped is kept as "other", never dropped
    assert report.events_by_type == {"view": 1, "cart": 1, "purchase": 2, "other": 1}
    pairs = set(_rows(project, "SELECT raw_event, event FROM events"))
    assert pairs == {
        ("angesehen", "view"),
        ("warenkorb", "cart"),
        ("gekauft", "purchase"),
        ("unbekannt", "other"),
    }
    assert _customer_keys(project) == {"K1", "K2", "K3"}


def test_transaction_log_every_row_is_a_purchase(project: Project, tmp_path: Path) -> None:
    amounts = [19.99, 5.01, 120.0, 0.5, 33.33]
    content = "customer,date,amount\n" + "".join(
        f"cust{i % 3},2022-03-{i + 1:02d},{a}\n" for i, a in enumerate(amounts)
    )
    report = run_import(project, _write(tmp_path, "orders.csv", content))
    _accounted(project, report)
    assert report.mapping == {"customer": "customer", "time": "date", "amount": "amount"}
    assert report.events_by_type == {"purchase": 5}
    assert report.revenue == pytest.approx(sum(amounts))
    assert overview(project).revenue == pytest.approx(sum(amounts))
    stored = [a for (a,) in _rows(project, "SELECT amount FROM events ORDER BY time_ms")]
    assert stored == pytest.approx(amounts)


def test_refunds_are_negative_and_revenue_is_price_times_quantity(
    project: Project, tmp_path: Path
) -> None:
    content = (
        "customer,time,event,item,price,quantity,amount\n"
        "a,2023-01-01 10:00:00,purchase,i1,4.00,3,\n"  # 12.00 from price x quantity
        "a,2023-01-02 10:00:00,refund,i1,4.00,1,4.00\n"  # a refund written positive: -4.00
        "b,2023-01-03 10:00:00,purchase,i2,2.50,,\n"  # no quantity: one piece, 2.50
        "b,2023-01-04 10:00:00,purchase,i2,2.50,2,4.99\n"  # an amount wins: 4.99
        "b,2023-01-05 10:00:00,refund,i2,2.50,-2,-5.00\n"  # already negative: -5.00
        "c,2023-01-06 10:00:00,view,i2,2.50,1,\n"  # a view earns nothing
    )
    report = run_import(project, _write(tmp_path, "r.csv", content))
    _accounted(project, report)
    amounts = [a for (a,) in _rows(project, "SELECT amount FROM events ORDER BY time_ms")]
    assert amounts[:5] == pytest.approx([12.0, -4.0, 2.5, 4.99, -5.0])
    assert amounts[5] is None
    assert report.revenue == pytest.approx(12.0 - 4.0 + 2.5 + 4.99 - 5.0)
    assert report.events_by_type == {"purchase": 3, "refund": 2, "view": 1}


# --- pseudonyms, duplicates --------------------------------------------------------------------


def test_pseudonymize_hides_ids_and_is_stable_within_a_project(
    project: Project, tmp_path: Path
) -> None:
    first = _write(
        tmp_path,
        "jan.csv",
        "customer,time,event\n"
        "4711,2023-01-01 10:00:00,view\n"
        "alice@example.com,2023-01-01 11:00:00,purchase\n",
    )
    second = _write(
        tmp_path,
        "feb.csv",
        "customer,time,event\n4711,2023-02-01 10:00:00,view\nbob,2023-02-01 11:00:00,view\n",
    )
    options = ImportOptions(pseudonymize=True)
    assert run_import(project, first, options).pseudonymized
    run_import(project, second, options)
    keys = _customer_keys(project)
    assert len(keys) == 3  # 4711 in both files is one customer
    for original in ("4711", "alice@example.com", "alice", "bob"):
        assert not any(original in k for k in keys)
    jan_id, feb_id = (
        cid
        for (cid,) in _rows(
            project,
            "SELECT customer_id FROM events WHERE time_ms IN (:a, :b) ORDER BY time_ms",
            a=_ms("2023-01-01 10:00:00"),
            b=_ms("2023-02-01 10:00:00"),
        )
    )
    assert jan_id == feb_id
    # the pseudonym depends on the project's own key: another project gives another name
    other = open_project(tmp_path / "other.intentlens")
    try:
        run_import(other, first, options)
        assert _customer_keys(other).isdisjoint(keys)
    finally:
        other.close()


def test_pseudonymize_also_hides_a_session_that_is_the_customer(
    project: Project, tmp_path: Path
) -> None:
    """OTTO and YooChoose use one column as both customer and session."""
    content = "session,aid,ts,type\n" + "".join(
        f"{900 + i % 3},{i},{1_659_304_800_000 + i},clicks\n" for i in range(9)
    )
    report = run_import(
        project, _write(tmp_path, "otto.csv", content), ImportOptions(pseudonymize=True)
    )
    assert report.format == "otto" and report.imported == 9
    sessions = {v for (v,) in _rows(project, "SELECT DISTINCT session FROM events")}
    assert sessions.isdisjoint({"900", "901", "902"})
    assert _rows(
        project,
        "SELECT COUNT(*) FROM events e JOIN customers c ON c.id = e.customer_id "
        "WHERE e.session = c.key",
    ) == [(9,)]


def test_reimporting_the_same_file_is_refused_unless_allowed(
    project: Project, tmp_path: Path
) -> None:
    path = _write(tmp_path, "log.csv", SIMPLE)
    run_import(project, path)
    before = _snapshot(project)
    copy = _write(tmp_path, "renamed copy.csv", SIMPLE)  # same content, another name
    with pytest.raises(DuplicateImport) as err:
        run_import(project, copy)
    message = _one_sentence(err.value)
    assert "renamed copy.csv" in message and "--allow-duplicate" in message
    assert isinstance(err.value, FileProblem)
    assert _snapshot(project) == before
    report = run_import(project, copy, ImportOptions(allow_duplicate=True))
    assert report.imported == 4
    assert overview(project).events == 8
    assert overview(project).imports == 2


# --- bad rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_bad_rows_are_kept_with_line_number_raw_text_and_reason(
    project: Project, tmp_path: Path, newline: str
) -> None:
    lines = [
        "customer,time,event",  # 1
        "c1,2023-01-01 10:00:00,view",  # 2 good
        "c2,2023-01-01 10:01:00,view,surplus",  # 3 wrong column count
        "",  # 4 empty
        "c3,last tuesday,view",  # 5 unparseable time
        ",2023-01-01 10:03:00,cart",  # 6 no customer
        "c4,2023-01-01 10:04:00",  # 7 too few values
        "c5,2023-01-01 10:05:00,purchase",  # 8 good
    ]
    report = run_import(project, _write(tmp_path, "bad.csv", newline.join(lines) + newline))
    _accounted(project, report)
    assert (report.lines_read, report.imported, report.rejected) == (7, 2, 5)
    assert report.rejected_by_reason == {
        "wrong_column_count": 2,
        "empty_line": 1,
        "missing_customer": 1,
        "bad_time": 1,
    }
    rejected = _rows(project, "SELECT line_no, raw, reason FROM rejected_rows ORDER BY line_no")
    assert [(n, raw) for n, raw, _ in rejected] == [
        (3, lines[2]),
        (4, ""),
        (5, lines[4]),
        (6, lines[5]),
        (7, lines[6]),
    ]
    reasons = {n: reason for n, _, reason in rejected}
    assert "3" in reasons[3] and "4" in reasons[3]  # expected 3 values, found 4
    assert "empty" in reasons[4]
    assert "“last tuesday”" in reasons[5]
    assert "customer" in reasons[6]
    assert "2" in reasons[7]
    assert _customer_keys(project) == {"c1", "c5"}
    assert {line for line, _, _ in report.examples} == {3, 4, 5, 6, 7}


def test_broken_lines_at_the_start_do_not_spoil_detection(project: Project, tmp_path: Path) -> None:
    content = "customer,time,event\nc0,2020-01-01 10:00:00,view\nx,y\nx,y\n"
    report = run_import(project, _write(tmp_path, "short.csv", content))
    _accounted(project, report)
    assert (report.imported, report.rejected) == (1, 2)
    assert report.rejected_by_reason == {"wrong_column_count": 2}


def test_quoted_field_with_a_newline_is_one_record(project: Project, tmp_path: Path) -> None:
    content = (
        "customer,time,event,query\n"  # line 1
        'c1,2023-01-01 10:00:00,search,"red\nshoes, size 40"\n'  # lines 2-3
        "c2,2023-01-01 11:00:00,view,\n"  # line 4
        "c3,never,view,\n"  # line 5
    )
    report = run_import(project, _write(tmp_path, "q.csv", content))
    _accounted(project, report)
    assert (report.lines_read, report.imported, report.rejected) == (3, 2, 1)
    assert _rows(project, "SELECT query FROM events WHERE event='search'") == [
        ("red\nshoes, size 40",)
    ]
    assert _rows(project, "SELECT line_no, raw FROM rejected_rows") == [(5, "c3,never,view,")]


# --- whole-file problems -----------------------------------------------------------------------


def _xlsx_like() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "docProps/app.xml": b"<Properties>" + b" " * 4000 + b"</Properties>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>" * 50,
        }
    )


WHOLE_FILE_PROBLEMS: dict[str, tuple[bytes | None, str]] = {
    "missing": (None, "does not exist"),
    "empty": (b"", "empty"),
    "only_blank_lines": (b"\n\r\n   \n", "empty"),
    "binary": (random.Random(7).randbytes(6000), "binary"),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "binary"),
    "xlsx": (_xlsx_like(), "Excel"),
    "damaged_zip": (b"PK\x03\x04" + b"\x00\x01" * 200, "zip"),
    "damaged_gzip": (gzip.compress(SIMPLE.encode() * 50)[:60], "damaged"),
    "no_customer": (b"time,amount\n2023-01-01,5\n2023-01-02,6\n", "--map customer=COLUMN"),
    "one_column": (b"hello\nworld\nagain\n", "columns"),
}


@pytest.mark.parametrize("case", list(WHOLE_FILE_PROBLEMS))
def test_whole_file_problems_are_one_sentence_and_change_nothing(
    project: Project, tmp_path: Path, case: str
) -> None:
    run_import(project, _write(tmp_path, "earlier.csv", SIMPLE))
    before = _snapshot(project)
    data, words = WHOLE_FILE_PROBLEMS[case]
    path = tmp_path / f"{case}.csv"
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(FileProblem) as err:
        run_import(project, path)
    message = _one_sentence(err.value)
    assert words in message
    assert path.name in message or words.startswith("--map")
    assert _snapshot(project) == before


# --- all or nothing ----------------------------------------------------------------------------


def _big_log(n: int, prefix: str = "u") -> str:
    return "customer,time,event,item,price\n" + "".join(
        f"{prefix}{i % 97},{1_600_000_000 + i},{('view', 'cart', 'purchase')[i % 3]},i{i % 31},1.5\n"
        for i in range(n)
    )


def test_cancel_in_the_middle_leaves_the_project_as_it_was(
    project: Project, tmp_path: Path
) -> None:
    prior = run_import(project, _write(tmp_path, "prior.csv", SIMPLE))
    before = _snapshot(project)
    stop = {"now": False}
    reports = []
    path = _write(tmp_path, "big.csv", _big_log(600, prefix="new"))
    options = ImportOptions(chunk_rows=50, pseudonymize=True)
    with pytest.raises(ImportCancelled):
        for progress in import_file(project, path, options, should_stop=lambda: stop["now"]):
            reports.append(progress)
            stop["now"] = True  # the user clicks Cancel after the first progress report
    assert len(reports) == 1 and reports[0].lines_read == 50 and reports[0].report is None
    assert reports[0].imported == 50  # rows had been written inside the transaction
    after = _snapshot(project)
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert after == before  # the pseudonym key, batches, customers, items: nothing new
    assert _rows(project, "SELECT COUNT(*) FROM events WHERE batch_id=:b", b=prior.batch_id) == [
        (4,)
    ]
    # nothing of the cancelled import counts as imported: the same file imports normally now
    report = run_import(project, path, ImportOptions(chunk_rows=50))
    assert (report.imported, report.rejected) == (600, 0)
    assert overview(project).events == 604


def test_file_damaged_past_the_sample_rolls_back(project: Project, tmp_path: Path) -> None:
    run_import(project, _write(tmp_path, "prior.csv", SIMPLE))
    before = _snapshot(project)
    whole = gzip.compress(_big_log(60_000).encode(), compresslevel=1)
    path = _write(tmp_path, "truncated.csv.gz", whole[: int(len(whole) * 0.8)])
    with pytest.raises(FileProblem) as err:
        run_import(project, path, ImportOptions(chunk_rows=5_000))
    assert "truncated.csv.gz" in _one_sentence(err.value)
    assert _snapshot(project) == before


def test_repeated_headers_and_totals_rows_are_rejected_with_their_own_reason(
    project: Project, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "joined.csv",
        "customer;time;event;amount\n"
        "u1;2023-05-01 10:00;purchase;2,50\n"
        "customer;time;event;amount\n"
        "u2;2023-05-02 10:00;purchase;3,00\n"
        "Total;;;5,50\n",
    )
    report = run_import(project, path)
    _accounted(project, report)
    assert (report.imported, report.rejected) == (2, 2)
    assert report.rejected_by_reason == {"repeated_header": 1, "totals_row": 1}
    assert report.revenue == pytest.approx(5.5)
    rows = _rows(project, "SELECT line_no, reason FROM rejected_rows ORDER BY line_no")
    assert rows == [
        (3, "A repeated header line (the column names again), not data."),
        (5, "A totals row, not an event."),
    ]
