"""Privacy that holds: a pseudonymized import leaves no original id in the project file, its
write-ahead log or any export; the key lives outside the project; a forgotten customer's bytes
are gone; and nothing opens a network connection."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import main
from engine import privacy
from engine.ingest import ImportCancelled, ImportOptions, import_file, run_import
from storage.project import Project, open_project

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared" / "cases" / "reliability").resolve()


def _cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _bytes_of(project_path: Path) -> bytes:
    """Every byte of the project file and its -wal/-shm companions."""
    return b"".join(
        p.read_bytes() for p in project_path.parent.glob(project_path.name + "*")
        if not p.name.endswith(".key")
    )


EMAIL_LOG = (
    "customer_id,event_time,event_type,product_id,product_name,price,session_id\n"
    "jane.doe@example.com,2024-05-01 10:00:00,view,SKU1,Mug for jane.doe@example.com,5.00,"
    "sess-jane.doe@example.com-1\n"
    "jane.doe@example.com,2024-05-01 10:05:00,purchase,SKU1,Mug,5.00,sess-jane.doe@example.com-1\n"
    "john.roe@example.com,yesterday,view,SKU2,Cap,1.00,sess-john.roe@example.com-9\n"
    "L77-secret-id,2024-05-02 11:00:00,view,SKU2,Call +33 6 12 34 56 78,1.00,L77-secret-id-s2\n"
    "L78-secret-id,2024-05-02 11:00:00,view\n"
)


def _variants(tmp_path: Path) -> list[Path]:
    csv_path = tmp_path / "log.csv"
    csv_path.write_text(EMAIL_LOG, encoding="utf-8")
    tsv_path = tmp_path / "log.tsv"
    tsv_path.write_text(EMAIL_LOG.replace(",", "\t"), encoding="utf-8")
    gz_path = tmp_path / "log.csv.gz"
    gz_path.write_bytes(gzip.compress(EMAIL_LOG.encode("utf-8")))
    jsonl = tmp_path / "sessions.jsonl"  # the session is the customer (OTTO)
    jsonl.write_text(
        json.dumps({"session": 900123456, "events": [
            {"aid": 1, "ts": 1661724000, "type": "clicks"},
            {"aid": 2, "ts": 1661724060, "type": "carts"},
        ]}) + "\n" + '{"broken json 900123457\n',
        encoding="utf-8",
    )
    paths = [csv_path, tsv_path, gz_path, jsonl]
    if (SHARED / "privacy_pseudonymize.csv").is_file():
        paths.append(SHARED / "privacy_pseudonymize.csv")
    return paths


SECRETS = [b"example.com", b"jane.doe", b"john.roe", b"secret-id", b"12 34 56 78", b"900123456",
           b"900123457"]


@pytest.mark.parametrize("index", range(5))
def test_pseudonymized_import_leaves_no_original_id_anywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], index: int
) -> None:
    paths = _variants(tmp_path)
    if index >= len(paths):
        pytest.skip("the handed reliability case is not here")
    source = paths[index]
    db = tmp_path / "p.intentlens"
    code, out, err = _cli(capsys, "import", db, source, "--pseudonymize", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["imported"] >= 1 and report["imported"] + report["rejected"] == report[
        "lines_read"
    ]
    assert not any(s.decode() in out for s in SECRETS)  # the printout too
    rejected = tmp_path / "rejected.csv"
    code, _, err = _cli(capsys, "export", db, "rejected", "--out", rejected)
    assert code == 0, err
    for blob in (_bytes_of(db), rejected.read_bytes()):
        for secret in SECRETS:
            assert secret not in blob, (source.name, secret)
    # The key is beside the project, not in it.
    key_path = db.with_name(db.name + ".key")
    key = bytes.fromhex(key_path.read_text().strip())
    assert key.hex().encode() not in _bytes_of(db) and key not in _bytes_of(db)


def test_the_key_file_keeps_pseudonyms_stable_and_a_legacy_key_moves_out(tmp_path: Path) -> None:
    db = tmp_path / "p.intentlens"
    first = tmp_path / "a.csv"
    first.write_text("customer,time,event\nu1,2024-01-01 10:00,view\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("customer,time,event\nu1,2024-01-02 10:00,view\n", encoding="utf-8")
    project = open_project(db)
    try:
        # A project made before key files kept its key inside: the next import moves it out.
        old_key = bytes(range(32))
        project.set_meta(privacy.LEGACY_META_KEY, old_key.hex())
        run_import(project, first, ImportOptions(pseudonymize=True))
        assert project.get_meta(privacy.LEGACY_META_KEY) is None
        assert privacy.read_key(project) == old_key
        run_import(project, second, ImportOptions(pseudonymize=True))
        with project.connect() as conn:
            keys = [r[0] for r in conn.execute(text("SELECT key FROM customers"))]
        assert keys == [privacy.pseudonym("u1", old_key)]  # one customer, the same pseudonym
    finally:
        project.close()
    assert old_key.hex().encode() not in _bytes_of(db)


def test_a_cancelled_first_pseudonymized_import_leaves_no_key(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(
        "customer,time,event\n" + "".join(f"u{i},2024-01-01 10:00,view\n" for i in range(300)),
        encoding="utf-8",
    )
    with pytest.raises(ImportCancelled):
        for _ in import_file(
            project, path, ImportOptions(pseudonymize=True, chunk_rows=50), should_stop=lambda: True
        ):
            pass
    assert not privacy.key_file(project).exists()


def _rows(project: Project, sql: str) -> list[tuple[Any, ...]]:
    with project.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_forget_a_customer_deletes_their_rows_and_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.intentlens"
    path = tmp_path / "log.csv"
    path.write_text(
        "customer,time,event,item\n"
        "zelda-unique-4711,2024-01-01 10:00,view,i1\n"
        "zelda-unique-4711,2024-01-01 10:05,purchase,i1\n"
        "zelda-unique-4711,not a time,view,i2\n"
        "bob,2024-01-02 10:00,view,i2\n",
        encoding="utf-8",
    )
    assert _cli(capsys, "import", db, path, "--json")[0] == 0
    project = open_project(db)
    try:
        with project.begin() as conn:  # a model run with outputs for both customers
            conn.execute(text(
                "INSERT INTO model_runs (id, task, created_at, status, active, settings, history, "
                "metrics) VALUES (1, 'intent', '2024', 'done', 1, '{}', '{}', '{}')"
            ))
            conn.execute(text(
                "INSERT INTO run_outputs (run_id, customer_id, name, value) "
                "SELECT 1, id, 'score', 0.5 FROM customers"
            ))
    finally:
        project.close()
    assert b"zelda-unique-4711" in _bytes_of(db)
    code, out, err = _cli(capsys, "forget", db, "zelda-unique-4711")
    assert code == 0, err
    assert "2 events" in out and "1 rejected" in out and "1 trained model" in out
    assert b"zelda-unique-4711" not in _bytes_of(db)
    project = open_project(db, create=False)
    try:
        assert _rows(project, "SELECT key FROM customers") == [("bob",)]
        assert _rows(project, "SELECT COUNT(*) FROM events") == [(1,)]
        assert _rows(project, "SELECT COUNT(*) FROM run_outputs") == [(1,)]
        assert _rows(project, "SELECT stale FROM model_runs") == [(1,)]
        from storage.runs import list_runs

        assert [r.stale for r in list_runs(project)] == [True]
    finally:
        project.close()
    code, _, err = _cli(capsys, "forget", db, "nobody")
    assert code == 2 and "no customer" in err


def test_forget_takes_the_original_id_of_a_pseudonymized_customer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.intentlens"
    path = tmp_path / "log.csv"
    path.write_text(
        "customer,time,event\nann,2024-01-01 10:00,view\nbob,2024-01-01 11:00,view\n",
        encoding="utf-8",
    )
    assert _cli(capsys, "import", db, path, "--pseudonymize", "--json")[0] == 0
    code, out, err = _cli(capsys, "forget", db, "ann")
    assert code == 0 and "1 event," in out, err


def test_no_network_during_import_train_and_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("IntentLens tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    db = tmp_path / "demo.intentlens"
    assert _cli(capsys, "demo", db, "--customers", "120", "--seed", "2")[0] == 0
    code, _, err = _cli(capsys, "train", "profiles", db, "--segments", "3", "--epochs", "2",
                        "--json")
    assert code == 0, err
    out_csv = tmp_path / "segments.csv"
    code, _, err = _cli(capsys, "export", db, "segments", "--out", out_csv)
    assert code == 0, err
    assert out_csv.stat().st_size > 0


def test_two_first_pseudonymized_imports_at_once_share_one_key(tmp_path: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    files = []
    for name, day in (("a.csv", "01"), ("b.csv", "02")):
        f = tmp_path / name
        f.write_text(
            "customer,time,event\n"
            + "".join(f"shared-{i},2024-01-{day} 10:{i % 60:02d},view\n" for i in range(2000)),
            encoding="utf-8",
        )
        files.append(f)
    for attempt in range(2):
        db = tmp_path / f"new{attempt}.intentlens"
        procs = [
            subprocess.Popen(
                [sys.executable, str(repo / "main.py"), "import", str(db), str(f),
                 "--pseudonymize", "--json"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=repo,
            )
            for f in files
        ]
        results = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), results
        project = open_project(db, create=False)
        try:
            # Both imports used one key: the same 2,000 customers, not 4,000.
            assert _rows(project, "SELECT COUNT(*) FROM customers") == [(2000,)]
            assert privacy.read_key(project) is not None
        finally:
            project.close()
