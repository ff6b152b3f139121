"""Clear failures: every problem the command line meets is one sentence, said before long work.

Kinds: numbers on the command line out of range; an unexpected exception (the last line of
defence: a sentence, a log file, exit 1); projects that cannot be written or read (read-only
file or folder, locked, made by a newer version, a database address); damaged or crafted models.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import main
from engine import runs
from engine.demo_project import create_demo_project
from engine.intent import IntentConfig
from engine.intent import lookup as intent_lookup
from engine.tasks.base import RunSaved
from storage.project import open_project
from storage.runs import list_runs

REPO_ROOT = Path(__file__).resolve().parents[2]
QUICK = ("--preset", "fast", "--epochs", "1")
DAMAGED = "This model is damaged or was made by another version: train it again."


def _cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_sentence(err: str, *words: str) -> str:
    text = err.strip()
    assert "\n" not in text, text
    assert text.startswith("Error: ") and text.endswith("."), text
    assert "Traceback" not in text
    for word in words:
        assert word in text, (word, text)
    return text


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo project (2025-06-01 to 2025-11-27) with one small trained intent model."""
    path = tmp_path_factory.mktemp("clear-failures") / "shop.intentlens"
    create_demo_project(path, customers=300, seed=5)
    project = open_project(path, create=False)
    try:
        # always_deep: this one-epoch model serves (else a simple method would, and lookups
        # would show no reasons and not read the weights the damaged-model tests craft).
        config = IntentConfig(preset="fast", epochs=1, hidden_size=16, seq_len=40,
                              always_deep=True)
        assert isinstance(list(runs.train(project, "intent", config))[-1],
                          RunSaved)
    finally:
        project.close()
    return path


@pytest.fixture
def shop(trained: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    target = folder / "shop.intentlens"
    shutil.copy(trained, target)
    return target


def _read(path: Path, sql: str) -> object:
    """One value, read without writing anything (the project may be read-only)."""
    quiet = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    con = sqlite3.connect(path.as_uri() + ("?mode=ro" if quiet else "?mode=ro&immutable=1"),
                          uri=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _a_customer(path: Path) -> str:
    return str(_read(
        path,
        "SELECT c.key FROM run_outputs s JOIN customers c ON c.id = s.customer_id "
        "WHERE s.name = 'rank' ORDER BY s.value LIMIT 1",
    ))


def _runs(path: Path) -> int:
    return int(_read(path, "SELECT COUNT(*) FROM model_runs"))  # type: ignore[call-overload]


# --- 1. numbers on the command line ------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["train", "intent", "{p}", "--epochs", "0"], "--epochs 0"),
        (["train", "intent", "{p}", "--epochs", "-3"], "--epochs -3"),
        (["train", "intent", "{p}", "--epochs", "many"], "--epochs many"),
        (["train", "intent", "{p}", "--horizon", "0"], "--horizon 0"),
        (["train", "intent", "{p}", "--horizon", "-7"], "--horizon -7"),
        (["train", "intent", "{p}", "--seed", "-1"], "--seed -1"),
        (["train", "intent", "{p}", "--as-of", "2099-01-01"], "--as-of 2099-01-01"),
        (["train", "intent", "{p}", "--as-of", "2020-01-01"], "--as-of 2020-01-01"),
        (["train", "intent", "{p}", "--as-of", "1"], "--as-of 1"),
        # Day and month in either order: refused, never silently read month first.
        (["train", "intent", "{p}", "--as-of", "1.11.2025"], "--as-of 1.11.2025"),
        (["train", "forecast", "{p}", "--as-of", "11/01/2025"], "--as-of 11/01/2025"),
        (["train", "profiles", "{p}", "--as-of", "2099-01-01"], "--as-of 2099-01-01"),
        # After the data's last day but not in the future: nothing to check a model on.
        (["train", "intent", "{p}", "--as-of", "2026-06-01"], "--as-of 2026-06-01"),
        (["train", "recommend", "{p}", "--as-of", "2026-06-01"], "--as-of 2026-06-01"),
        (["train", "profiles", "{p}", "--epochs", "0"], "--epochs 0"),
        (["train", "profiles", "{p}", "--segments", "40"], "--segments 40"),
        (["demo", "{new}", "--customers", "0"], "--customers 0"),
        (["demo", "{new}", "--customers", "-5"], "--customers -5"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_numbers_are_refused_in_one_sentence_naming_the_flag(
    capsys: pytest.CaptureFixture[str], shop: Path, argv: list[str], flag: str
) -> None:
    new = shop.with_name("new.intentlens")
    started = time.perf_counter()
    code, out, err = _cli(capsys, *[a.format(p=shop, new=new) for a in argv])
    assert code == 2, (out, err)
    assert out == ""
    _one_sentence(err, flag)
    assert "epoch" not in out + err.replace(flag, "")  # refused before any training
    assert time.perf_counter() - started < 20
    assert _runs(shop) == 1
    assert not new.exists()


def test_as_of_within_the_data_is_accepted(capsys: pytest.CaptureFixture[str], shop: Path) -> None:
    code, _out, err = _cli(capsys, "train", "profiles", shop, "--as-of", "2025-11-27",
                           "--epochs", "1", "--segments", "3", "--json")
    assert code == 0, err
    assert _runs(shop) == 2


# --- 2. the last line of defence ---------------------------------------------------------


def test_an_unexpected_exception_is_one_sentence_a_log_file_and_exit_1(
    capsys: pytest.CaptureFixture[str], shop: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("INTENTLENS_HOME", str(home))

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("the flux capacitor melted")

    monkeypatch.setattr(intent_lookup, "lookup", broken)
    code, out, err = _cli(capsys, "lookup", shop, "C00001")
    assert code == 1
    assert out == ""
    text = _one_sentence(err, "unexpected problem", "flux capacitor", "details were written to")
    logs = list((home / "logs").glob("*.log"))
    assert len(logs) == 1 and str(logs[0]) in text
    details = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in details and "RuntimeError: the flux capacitor melted" in details
    assert "lookup" in details  # the command that failed


def test_a_bug_worded_as_a_value_error_is_unexpected_but_sentences_stay_expected(
    capsys: pytest.CaptureFixture[str], shop: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INTENTLENS_HOME", str(tmp_path / "home"))

    def bug(*_args: object, **_kw: object) -> None:
        return int(float("nan"))  # type: ignore[return-value]

    monkeypatch.setattr(intent_lookup, "lookup", bug)
    code, _out, err = _cli(capsys, "lookup", shop, "C00001")
    assert code == 1
    _one_sentence(err, "unexpected problem", "ValueError")

    def refusal(*_args: object, **_kw: object) -> None:
        raise ValueError("There are no events at or before the as-of date.")

    monkeypatch.setattr(intent_lookup, "lookup", refusal)
    code, _out, err = _cli(capsys, "lookup", shop, "C00001")
    assert code == 2
    assert err.strip() == "Error: There are no events at or before the as-of date."


def test_a_real_process_gets_exit_1_and_a_log(tmp_path: Path, shop: Path) -> None:
    """The whole process: ``python main.py`` with a crafted project that breaks a read model
    no check knows about yet (the run's outputs table is gone)."""
    con = sqlite3.connect(shop)
    con.execute("DROP TABLE run_outputs")
    con.commit()
    con.close()
    home = tmp_path / "home"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "INTENTLENS_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), "lookup", str(shop), _a_customer_any(shop)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert done.returncode == 1, done.stderr
    _one_sentence(done.stderr, "unexpected problem", "details were written to")
    logs = list((home / "logs").glob("*.log"))
    assert len(logs) == 1 and "run_outputs" in logs[0].read_text(encoding="utf-8")


def _a_customer_any(path: Path) -> str:
    return str(_read(path, "SELECT key FROM customers LIMIT 1"))


# --- 3. projects that cannot be written or read ------------------------------------------


def _make_read_only(path: Path) -> bool:
    """Make a file or folder read-only for this process: chmod, or for root (whom file modes
    do not stop) the immutable attribute. False when neither holds here."""
    path.chmod(0o555 if path.is_dir() else 0o444)
    if not os.access(path, os.W_OK):
        return True
    if shutil.which("chattr"):
        subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if not os.access(path, os.W_OK):
            return True
    return False


def _make_writable(path: Path) -> None:
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
    path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture(params=["file", "folder"])
def read_only(request: pytest.FixtureRequest, shop: Path) -> Iterator[Path]:
    """The shop project, its file or its folder made read-only (undone after the test)."""
    target = shop if request.param == "file" else shop.parent
    if not _make_read_only(target):
        _make_writable(target)
        pytest.skip("cannot make a file read-only for this user on this file system")
    try:
        yield shop
    finally:
        _make_writable(target)


def test_a_read_only_project_opens_read_only_for_lookup(
    capsys: pytest.CaptureFixture[str], read_only: Path
) -> None:
    before = read_only.read_bytes()
    code, out, err = _cli(capsys, "lookup", read_only, _a_customer(read_only))
    assert code == 0, err
    assert "likely" in out and "What moved the score most" in out
    assert read_only.read_bytes() == before


def test_a_read_only_project_exports(
    capsys: pytest.CaptureFixture[str], read_only: Path, tmp_path: Path
) -> None:
    target = tmp_path / "scores.csv"
    code, out, err = _cli(capsys, "export", read_only, "scores", "--out", target)
    assert code == 0, err
    assert "300 rows" in out and target.is_file()


@pytest.mark.parametrize("command", [["train", "intent", *QUICK], ["train", "profiles"]],
                         ids=["intent", "profiles"])
def test_training_a_read_only_project_is_refused_up_front(
    capsys: pytest.CaptureFixture[str], read_only: Path, command: list[str]
) -> None:
    started = time.perf_counter()
    code, out, err = _cli(capsys, *command[:2], read_only, *command[2:])
    assert code == 2
    assert "epoch" not in out  # nothing was trained
    _one_sentence(err, "read-only", read_only.name)
    assert time.perf_counter() - started < 20
    assert _runs(read_only) == 1


def test_importing_into_a_read_only_project_is_refused(
    capsys: pytest.CaptureFixture[str], read_only: Path, tmp_path: Path
) -> None:
    log = tmp_path / "more.csv"
    log.write_text("customer,time,event\nzed,2025-11-01 10:00:00,view\n", encoding="utf-8")
    code, _out, err = _cli(capsys, "import", read_only, log)
    assert code == 2
    _one_sentence(err, "read-only")


def test_a_locked_project_is_refused_for_training_but_still_read(
    capsys: pytest.CaptureFixture[str], shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.project

    monkeypatch.setattr(storage.project, "WRITE_LOCK_WAIT_S", 0.2)
    other = sqlite3.connect(shop, isolation_level=None)  # another program, mid-write
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO meta (key, value) VALUES ('busy', 'yes')")
        started = time.perf_counter()
        code, out, err = _cli(capsys, "train", "intent", shop, *QUICK)
        assert code == 2
        assert "epoch" not in out
        _one_sentence(err, "in use", "shop.intentlens")
        assert time.perf_counter() - started < 20
        code, out, err = _cli(capsys, "lookup", shop, _a_customer(shop))
        assert code == 0, err  # readers are not blocked by a writer (WAL)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_project_from_a_newer_version_is_one_sentence(
    capsys: pytest.CaptureFixture[str], shop: Path, tmp_path: Path
) -> None:
    con = sqlite3.connect(shop)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    before = shop.read_bytes()
    for argv in (["lookup", shop, "C00001"], ["train", "intent", shop, *QUICK],
                 ["export", shop, "scores", "--out", tmp_path / "s.csv"]):
        code, out, err = _cli(capsys, *argv)
        assert code == 2, (argv, err)
        _one_sentence(err, "newer version")
    assert shop.read_bytes() == before  # not "migrated" by a version that does not know it


@pytest.mark.parametrize("command", [["lookup", "{u}", "C1"], ["train", "intent", "{u}"],
                                     ["export", "{u}", "scores", "--out", "{o}"]],
                         ids=["lookup", "train", "export"])
def test_a_database_address_as_project_is_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    url = "postgresql://shop:s3cret@127.0.0.1:1/shop"
    argv = [a.format(u=url, o=tmp_path / "s.csv") for a in command]
    code, _out, err = _cli(capsys, *argv)
    assert code == 2
    text = _one_sentence(err)
    assert "s3cret" not in text  # never print a password


# --- 4. damaged or crafted models ---------------------------------------------------------


@pytest.mark.parametrize(
    "craft",
    [
        "UPDATE model_runs SET weights = x'deadbeef'",
        "UPDATE model_runs SET weights = substr(weights, 1, length(weights) / 2)",
        "UPDATE model_runs SET settings = json_set(settings, '$.hidden_size', 1000000)",
        "UPDATE model_runs SET settings = json_set(settings, '$.hidden_size', 32)",
        "UPDATE model_runs SET settings = '{damaged'",
    ],
    ids=["garbage", "truncated", "hidden_1e6", "shape_mismatch", "settings_not_json"],
)
def test_a_damaged_model_is_one_sentence(
    capsys: pytest.CaptureFixture[str], shop: Path, craft: str
) -> None:
    con = sqlite3.connect(shop)
    con.execute(craft)
    con.commit()
    con.close()
    code, out, err = _cli(capsys, "lookup", shop, _a_customer(shop))
    assert code == 2
    assert out == ""
    assert err.strip() == f"Error: {DAMAGED}"


def test_two_active_runs_still_look_up(capsys: pytest.CaptureFixture[str], shop: Path) -> None:
    con = sqlite3.connect(shop)
    con.execute(
        "INSERT INTO model_runs (task, created_at, status, active, settings, history, metrics, "
        "summary, seconds, warm_started, weights) SELECT task, created_at, status, 1, settings, "
        "history, metrics, summary, seconds, warm_started, weights FROM model_runs"
    )
    con.commit()
    con.close()
    project = open_project(shop, create=False)
    try:
        assert sum(r.active for r in list_runs(project, "intent")) == 2
    finally:
        project.close()
    code, out, err = _cli(capsys, "lookup", shop, _a_customer(shop))
    assert code == 0, err
    assert out.startswith("Customer ")
