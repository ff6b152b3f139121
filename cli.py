"""The headless command line: the same engine calls the GUI makes, for scripts and power users.

Every user error ends with a non-zero exit code and one readable sentence on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from engine.events import EVENT_TYPES, FIELDS
from engine.words import (
    counted,
    field_word,
    join_sentences,
    locale_language,
    set_translator,
    tr,
)

# Every command imports what it works with (pandas, SQLAlchemy, torch) itself, so --help and a
# quick command start in a fraction of a second (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from engine.ingest import ImportReport
    from storage.project import Project


class UserError(Exception):
    """A mistake the user can fix; the message is the sentence we print."""


def _pairs(values: Sequence[str] | None, flag: str, allowed: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in values or ():
        if "=" not in text:
            raise UserError(
                tr("{0} expects NAME=VALUE, for example {0} {1}=Column.").format(flag, allowed[0])
            )
        key, value = text.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def _date(ms: int | None) -> str:
    from engine.dates import day

    return day(ms, "?")


def describe_report(report: ImportReport, project_hint: str) -> str:
    """An import report in words (in the user's language, see ``use_locale_language``)."""
    from engine.events import counts_in_words
    from engine.ingest.import_report import reason_label

    lines = [
        tr("Imported {0} from {1} ({2}, {3}).").format(
            counted(report.imported, tr("{0:,} event"), tr("{0:,} events")), report.file_name,
            report.format, report.encoding,
        ),
        tr("{0} read: {1:,} imported, {2:,} rejected.").format(
            counted(report.lines_read, tr("{0:,} line"), tr("{0:,} lines")), report.imported,
            report.rejected,
        ),
    ]
    if report.rejected_by_reason:
        parts = counts_in_words(report.rejected_by_reason, reason_label, bracketed=True)
        lines.append(tr("Rejected: {0}.").format(parts))
        for line, reason, raw in report.examples[:3]:
            lines.append(tr("  line {0}: {1}  [{2}]").format(line, reason, raw[:80]))
        lines.append(
            tr("All rejected lines: python main.py export {0} rejected --out rejected.csv").format(
                project_hint
            )
        )
    by_type = counts_in_words(report.events_by_type)
    lines.append(
        tr("{0}, {1}, {2} to {3}, revenue {4:,.2f}.").format(
            counted(report.customers, tr("{0:,} customer"), tr("{0:,} customers")),
            counted(report.items, tr("{0:,} item"), tr("{0:,} items")),
            _date(report.first_ms), _date(report.last_ms), report.revenue,
        )
    )
    if by_type:
        lines.append(tr("Events: {0}.").format(by_type))
    if report.pseudonymized:
        lines.append(tr("Customer ids were replaced by pseudonyms."))
    if report.events != report.imported:
        lines.append(
            tr("{0} stored: each refunded order also gives a refund event.").format(
                counted(report.events, tr("{0:,} event"), tr("{0:,} events"))
            )
        )
    for w in report.warnings:
        lines.append(tr("Warning: {0}").format(w.message))
    return "\n".join(lines)


def use_locale_language(environ: Mapping[str, str] | None = None) -> str:
    """Speak the locale's language when IntentLens ships it (Simplified Chinese): the engine's
    sentences and the command line's own go through the same translations as the window's
    (``engine.words.tr``, the "engine" context of the ``.qm``). Returns the language used, or
    "" for English. Qt is imported only for a language other than English."""
    language = locale_language(os.environ if environ is None else environ)
    if not language.startswith("zh"):
        return ""
    from importlib.resources import as_file, files

    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    with as_file(files("resources") / "translations") as folder:
        if not translator.load(f"intentlens_{language}", str(folder)) and not translator.load(
            "intentlens_zh_CN", str(folder)
        ):
            return ""
    set_translator(lambda text: translator.translate("engine", text) or text)
    _speak_argparse()
    return "zh_CN"


#: argparse's own words a user meets (its usage line, headings and refusals), translated with
#: the engine's sentences; ``resources/translations/update.py`` collects them.
ARGPARSE_WORDS = (
    "usage: ",
    "positional arguments",
    "options",
    "show this help message and exit",
    "the following arguments are required: %s",
    "unrecognized arguments: %s",
    "invalid choice: %(value)r (choose from %(choices)s)",
    "expected one argument",
    "expected at most one argument",
    "expected at least one argument",
    "expected %s argument",
    "expected %s arguments",
    "not allowed with argument %s",
    "one of the arguments %s is required",
    "ambiguous option: %(option)s could match %(matches)s",
    "invalid %(type)s value: %(value)r",
    "ignored explicit argument %r",
)


def _speak_argparse() -> None:
    """Let argparse's own messages ("unrecognized arguments", "usage:") go through the same
    translations: argparse looks its words up through the module's gettext functions."""
    known = set(ARGPARSE_WORDS)

    def words(text: str) -> str:
        return tr(text) if text in known else text

    argparse._ = words  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, n: words(one if n == 1 else many)  # type: ignore[attr-defined]


def _progress_printer(enabled: bool) -> Callable[[Any], None]:
    def show(p: Any) -> None:
        if enabled:
            print(
                "\r  " + tr("{0} read ({1:.0%}, {2:,.0f}/s)").format(
                    counted(p.lines_read, tr("{0:,} line"), tr("{0:,} lines")), p.fraction,
                    p.rows_per_s,
                ),
                end="",
                file=sys.stderr,
                flush=True,
            )

    return show


def cmd_import(args: argparse.Namespace) -> int:
    """python main.py import PROJECT FILE ..."""
    from engine.currency import note_import_currency
    from engine.ingest import ImportOptions, import_file, inspect_file
    from storage.imports import holds_imports

    columns = _pairs(args.map, "--map", FIELDS)
    if args.status:
        columns["status"] = args.status
    options = ImportOptions(
        format=args.format,
        columns=columns,
        events=_pairs(args.event, "--event", ("pv",)),
        pseudonymize=args.pseudonymize,
        allow_duplicate=args.allow_duplicate,
        default_event=args.default_event,
        **_reading_options(args),
    )
    for raw, canon in options.events.items():
        if canon not in EVENT_TYPES:
            raise UserError(
                tr("--event {0}={1}: “{1}” is not an event; use one of {2}.").format(
                    raw, canon, ", ".join(EVENT_TYPES)
                )
            )
    preview = inspect_file(args.file, options)
    problems = preview.problems()
    if problems:
        raise UserError(problems[0])
    created = _claim_new_file(args.project)
    project = _open(args.project)
    report = None
    try:
        show = _progress_printer(not args.json and sys.stderr.isatty())
        for progress in import_file(project, args.file, options, preview=preview):
            show(progress)
            report = progress.report or report
        # Keep the currency the file's prices showed, as the window's import does.
        note_import_currency(project, preview.mapping)
        if not args.json and sys.stderr.isatty():
            print(file=sys.stderr)
    finally:
        # A failed first import leaves no empty project file behind, unless another process
        # imported into the same new project meanwhile.
        remove = report is None and created and not _safe(holds_imports, project, True)
        project.close()
        if remove:
            for suffix in ("", "-wal", "-shm"):
                Path(args.project + suffix).unlink(missing_ok=True)
    assert report is not None
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(describe_report(report, args.project_hint))
    return 0


def _claim_new_file(location: str) -> bool:
    """Create the project file if it does not exist yet; True when this process made it."""
    if "://" in location:
        return False
    try:
        fd = os.open(location, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except OSError:  # it exists, or its folder does not: opening the project says which
        return False
    os.close(fd)
    return True


def _safe(fn: Callable[[Project], bool], project: Project, default: bool) -> bool:
    try:
        return fn(project)
    except Exception:  # noqa: BLE001 - a broken project: keep the file rather than guess
        return default


def cmd_inspect(args: argparse.Namespace) -> int:
    """python main.py inspect FILE... [--json] [--normalized-dir DIR]"""
    from engine.ingest import FileProblem, ImportOptions
    from engine.ingest.inspection import inspect_report

    options = ImportOptions(
        format=args.format,
        columns=_pairs(args.map, "--map", FIELDS),
        **_reading_options(args),
    )
    failed = 0
    out_dir = Path(args.normalized_dir) if args.normalized_dir else None
    for name in args.files:
        try:
            result = inspect_report(name, options, normalized_dir=out_dir)
        except (FileProblem, OSError) as exc:
            failed += 1
            message = (str(exc) if isinstance(exc, FileProblem)
                       else tr("“{0}”: {1}.").format(name, exc.strerror))
            result = {"file": name, "error": message}
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(describe_inspection(result))
    return 2 if failed else 0


def describe_inspection(r: dict[str, Any]) -> str:
    """An inspection in words (one block per file)."""
    if "error" in r:
        return f"{r['file']}: {r['error']}"
    head = (
        tr("line {0}").format(r["header_line"]) if r["header_line"]
        else tr("none (columns are numbered)")
    )
    escape = tr(", escape {0}").format(r["escape"]) if r["escape"] else ""
    not_fitting = (
        tr(" (lines {0})").format(", ".join(map(str, r["rows_not_fitting_lines"][:5])))
        if r["rows_not_fitting"] else ""
    )
    columns = tr(", ").join(
        f"{field_word(k)} = {v}" for k, v in r["mapping"].items()
    ) or tr("none recognised")
    lines = [
        f"{r['file']}",
        "  " + tr("{0}, {1}, separator {2}, quote {3}{4}{5}.").format(
            r["kind"].upper(), r["encoding"], r["delimiter_name"], r["quote"], escape,
            ", " + r["compression"] if r["compression"] else "",
        ),
        "  " + tr("Header: {0}; {1} above it left out.").format(
            head, counted(r["skipped_rows"], tr("{0:,} line"), tr("{0:,} lines"))
        ),
        "  " + tr("{0} of {1}; {2}{3}.").format(
            counted(r["rows"], tr("{0:,} row"), tr("{0:,} rows")),
            counted(len(r["columns"]), tr("{0:,} column"), tr("{0:,} columns")),
            counted(r["rows_not_fitting"], tr("{0:,} row does not fit"),
                    tr("{0:,} rows do not fit")),
            not_fitting,
        ),
        "  " + tr("Format: {0}. Columns: {1}.").format(r["format_title"], columns),
    ]
    if r["time_format"]:
        order = (
            f", {r['date_order']}"
            if r["date_order"] and r["date_order"] not in r["time_format"] else ""
        )
        lines.append("  " + tr("Times: {0}{1}.").format(r["time_format"], order))
    for col, words in r["number_forms"].items():
        lines.append("  " + tr("Numbers in {0}: {1}.").format(col, words))
    lines += ["  " + tr("Warning: {0}").format(w["message"]) for w in r["warnings"]]
    lines += ["  " + tr("To import: {0}").format(p) for p in r["problems"]]
    if r["normalized"]:
        lines.append("  " + tr("Table as parsed: {0}").format(r["normalized"]))
    return "\n".join(lines)


def cmd_forget(args: argparse.Namespace) -> int:
    """python main.py forget PROJECT CUSTOMER"""
    from engine.privacy import forget

    project = _open(args.project, create=False, writable=True)
    in_file = project.path is not None
    try:
        done = forget(project, args.customer)
    finally:
        project.close()
    if done is None:
        raise UserError(tr("The project has no customer “{0}”.").format(args.customer))
    if in_file:
        said = tr("Forgot customer {0}: {1}, {2} and {3} deleted, and the file compacted so "
                  "nothing of them is left.")
    else:
        said = tr("Forgot customer {0}: {1}, {2} and {3} deleted, and the database vacuumed "
                  "(the server's write-ahead log and backups keep copies until they expire).")
    said = said.format(
        args.customer,
        counted(done.events, tr("{0:,} event"), tr("{0:,} events")),
        counted(done.outputs, tr("{0:,} model output"), tr("{0:,} model outputs")),
        counted(done.rejected_lines, tr("{0:,} rejected line"), tr("{0:,} rejected lines")),
    )
    if done.stale_runs == 1:
        said = join_sentences(said, tr("1 trained model used them and is marked out of date: "
                                       "train again to leave them out."))
    elif done.stale_runs:
        said = join_sentences(said, tr("{0} trained models used them and are marked out of "
                                       "date: train again to leave them out.").format(
                                           done.stale_runs))
    print(said)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """python main.py demo PROJECT [--customers N] [--seed S]"""
    from engine.demo_project import create_demo_project

    report = create_demo_project(args.project, customers=args.customers, seed=args.seed)
    print(describe_report(report, args.project_hint))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """python main.py export PROJECT WHAT --out FILE.csv|FILE.xlsx

    Every export goes through engine.exports.write_csv: it refuses to write over the project
    or any database, writes atomically, and neutralises spreadsheet formulas; a refusal or a
    failure is one sentence and leaves the target as it was. A name ending in .xlsx is written
    as an Excel workbook (text cells never formulas, numbers as numbers), any other as CSV.
    """
    from engine import exports
    from engine.tasks.base import NoData

    project = _open(args.project, create=False)
    try:
        if args.what == "rejected":
            n = exports.export_rejected(project, args.out)
        elif args.what == "scores":
            from engine.intent.lookup import export_scores

            n = export_scores(project, args.out)
        elif args.what == "segments":
            from engine.profiles.read import export_segments

            n = export_segments(project, args.out)
        elif args.what == "recommendations":
            from engine.recommend.read import export_recommendations

            n = export_recommendations(project, args.out, k=args.k)
        elif args.what == "forecast":
            from engine.forecast.read import export_forecast

            n = export_forecast(project, args.out)
        else:  # pragma: no cover - argparse restricts the choices
            raise UserError(tr("Nothing called “{0}” can be exported.").format(args.what))
    except (NoData, exports.ExportError) as exc:
        raise UserError(str(exc)) from exc
    finally:
        project.close()
    print(tr("Wrote {0} to {1}.").format(counted(n, tr("{0:,} row"), tr("{0:,} rows")), args.out))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """python main.py report PROJECT OUT.html|OUT.pdf

    The one-page project report (engine.report): HTML as it is, PDF laid out by Qt on one A4
    page (an offscreen Qt application is made when none exists). Written like every export:
    never over a database, atomically.
    """
    from engine import exports
    from engine.report import build_report, report_kind
    from engine.tasks.base import NoData

    try:
        kind = report_kind(args.out)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    project = _open(args.project, create=False)
    try:
        exports.check_target(args.out, project)  # refused before the slow part
        html = build_report(project)
        if kind == "pdf":
            _gui_application()
            from gui.report import write_pdf

            _, pages = write_pdf(html, args.out, project=project,
                                 title=tr("IntentLens report: {0}").format(project.name))
        else:
            exports.write_bytes(html.encode("utf-8"), args.out, project=project)
            pages = 1
    except (NoData, exports.ExportError) as exc:
        raise UserError(str(exc)) from exc
    finally:
        project.close()
    if pages > 1:
        print(tr("Wrote the report to {0} ({1}).").format(
            args.out, counted(pages, tr("{0:,} page"), tr("{0:,} pages"))))
    else:
        print(tr("Wrote the report to {0}.").format(args.out))
    return 0


def _gui_application() -> None:
    """A Qt application for Qt's text layout (fonts), offscreen unless a platform is asked
    for; nothing when one exists already. A QApplication rather than a bare QGuiApplication,
    so a process that goes on to show widgets (a test session, a script) can."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # Kept for the life of the process: Qt needs its application while it lays text out.
        _QT_APP.append(QApplication(["intentlens"]))


_QT_APP: list[Any] = []


def _whole_number(flag: str, low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type=`` for a whole number from ``low`` to ``high`` (one sentence if not)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                tr("{0} {1}: use a whole number from {2:,} to {3:,}.").format(flag, text, low, high)
            )
        return value

    return parse


def _as_of_arg(text: str) -> str:
    """--as-of: a date IntentLens can store (checked against the data once the project is open)."""
    from engine.dates import FIRST_MS, LAST_MS, parse_date

    try:
        ms = parse_date(text)
    except (ValueError, OverflowError):
        ms = None
    # The dates the importer accepts; pandas alone would take "1" or "now".
    if ms is None or not text.strip()[:1].isdigit() or not (
        FIRST_MS <= ms < LAST_MS
    ):
        raise argparse.ArgumentTypeError(
            tr("--as-of {0}: not a date (use YYYY-MM-DD, from 1900 to 2099).").format(text)
        )
    return text


def _as_of_ms(project: Project, text: str | None) -> int | None:
    """The --as-of date in ms, refused in one sentence when it is outside the data's time."""
    from engine.dates import parse_date
    from engine.runs import as_of_problem

    if text is None:
        return None
    ms = parse_date(text)
    problem = as_of_problem(project, ms)
    if problem is not None:
        raise UserError(tr("--as-of {0}: {1}.").format(text, problem))
    return ms


def _progress_line(task: Any, report: Any) -> str | None:
    """A training progress report as one line (notes as they are; batches are not printed)."""
    if report.step == "note":
        return str(report.message)
    if report.step != "epoch":
        return None
    phase = f" ({report.phase})" if report.phase else ""
    extra = "".join(
        f", {tr(task.metric_names.get(k, k))} {v:.3f}"
        for k, v in report.metrics.items() if v == v
    )
    if not report.losses:  # a task without a loss (the forecast, customer value): steps
        said = extra[1:] + (f" {report.message}" if report.message else "")
        if not said:
            return tr("step {0}/{1}{2}").format(report.epoch, report.epochs, phase)
        return tr("step {0}/{1}{2}:{3}").format(
            report.epoch, report.epochs, phase, said
        ).rstrip(":")
    valid = report.losses.get("valid", float("nan"))
    return tr("epoch {0}/{1}{2}: train loss {3:.4f}, valid loss {4:.4f}{5}").format(
        report.epoch, report.epochs, phase, report.losses.get("train", float("nan")), valid, extra
    )


def _value_beside_intent(project: Any) -> dict[str, Any]:
    """What ``train intent --json`` adds about customer value: the active value run's
    ``value`` metrics and store-wide ``drivers`` (what makes customers buy here), with
    ``value_run`` its id; null, [] and null when the value task has not been trained."""
    from engine.tasks import get_task
    from storage.runs import active_run

    run = active_run(project, "value")
    view = None if run is None else get_task("value").describe(run)
    if view is None or run is None:
        return {"value": None, "drivers": [], "value_run": None}
    return {"value": view.data.get("value"), "drivers": view.data.get("drivers", []),
            "value_run": run.id}


def cmd_train(args: argparse.Namespace) -> int:
    """python main.py train TASK PROJECT [settings of the task] [--json]"""
    from engine import runs
    from engine.fields import settings_of
    from engine.tasks import get_task
    from engine.tasks.base import NoData, Progress, RunSaved

    task = get_task(args.task)
    # Refused now, before any work, when the project is read-only, in use, or from elsewhere.
    project = _open(args.project, create=False, writable=True)
    out = sys.stderr if args.json else sys.stdout
    saved = None
    try:
        values = {}
        for spec in settings_of(task.config_type):
            value = getattr(args, spec.name)
            values[spec.name] = _as_of_ms(project, value) if spec.setting.kind == "date" else value
        config = task.config_type(**values)
        for report in runs.train(
            project, task.key, config, warm_start=getattr(args, "warm_start", False)
        ):
            if isinstance(report, Progress):
                line = _progress_line(task, report)
                if line is not None:
                    print(line, file=out, flush=True)
            elif isinstance(report, RunSaved):
                saved = report
        extra = _value_beside_intent(project) if task.key == "intent" and args.json else {}
    except NoData as exc:
        raise UserError(str(exc)) from exc
    finally:
        project.close()
    if saved is None:
        raise UserError(tr("Training stopped before the first epoch finished: nothing was saved."))
    if args.json:
        print(json.dumps({**saved.view.data, **extra}, ensure_ascii=False))
        return 0
    for line in saved.view.text:
        print(line)
    print(tr(task.saved_hint).format(run_id=saved.run_id, project=args.project_hint))
    return 0


def _setting_type(spec: Any) -> Callable[[str], Any]:
    """An argparse ``type=`` for one number setting: its range (``engine.fields``), and its
    word for "automatic"."""
    from engine.fields import allowed, check_value

    s = spec.setting
    flag = s.cli_flag(spec.name)

    def parse(text: str) -> Any:
        word = text.strip().lower()
        if s.special is not None and word.replace("-", " ") == s.special.lower():
            return None
        value: Any
        try:
            value = int(word) if spec.type is int else float(word)
        except ValueError:
            value = ""  # not a number: refused below with what is allowed
        if value == "" or check_value(spec, value) is not None:
            raise argparse.ArgumentTypeError(
                tr("{0} {1}: {2}.").format(flag, text, allowed(spec))
            )
        return value

    return parse


def _add_train_commands(sub: Any) -> None:
    """One ``train <task>`` subcommand per task of the registry, its flags from the settings."""
    from engine.fields import settings_of
    from engine.tasks import TASKS

    for task in TASKS.values():
        t = sub.add_parser(task.key, help=tr(task.cli_help))
        _add_project(t)
        for spec in settings_of(task.config_type):
            s = spec.setting
            flag = s.cli_flag(spec.name)
            words = tr(s.help).replace("%", "%%")  # argparse formats help with %
            if s.kind == "date":
                t.add_argument(flag, dest=spec.name, type=_as_of_arg, metavar="DATE", help=words)
            elif s.choices:
                t.add_argument(flag, dest=spec.name, choices=[c for c, _ in s.choices],
                               default=spec.default, help=words)
            elif spec.type is bool:
                t.add_argument(flag, dest=spec.name, action="store_true", help=words)
            elif spec.type is str:  # free text: item ids, category names
                metavar = {"items": "IDS|FILE", "categories": "NAMES"}.get(s.kind, "TEXT")
                t.add_argument(flag, dest=spec.name, default=spec.default, metavar=metavar,
                               help=words)
            else:
                metavar = "N" if spec.type is int else "X"
                t.add_argument(flag, dest=spec.name, type=_setting_type(spec),
                               default=spec.default, help=words,
                               metavar=f"{metavar}|{s.special.replace(' ', '-')}" if s.special else metavar)
        if task.supports_warm_start:
            t.add_argument("--warm-start", action="store_true",
                           help=tr("start from the active model's weights (after importing new "
                                "events)"))
        t.add_argument("--json", action="store_true",
                       help=tr("print one JSON object (progress goes to stderr)"))
        t.set_defaults(func=cmd_train)


def cmd_lookup(args: argparse.Namespace) -> int:
    """python main.py lookup PROJECT CUSTOMER [--json]"""
    from engine.intent.lookup import lookup
    from engine.tasks.base import NoData
    from engine.value.read import value_json
    from storage.runs import active_run, customer_id_for_key

    project = _open(args.project, create=False)
    try:
        found = lookup(project, args.customer)
        value = value_json(project, customer_id_for_key(project, found.customer))
        value_run = active_run(project, "value")
        basis = (None if value_run is None else
                 (value_run.settings.get("horizon_days"), value_run.settings.get("as_of_ms")))
    except NoData as exc:
        raise UserError(str(exc)) from exc
    finally:
        project.close()
    if args.json:
        print(json.dumps({**found.as_json(), **value}, ensure_ascii=False))
        return 0
    print(tr("Customer {0}").format(found.customer))
    print(found.meaning())
    if found.rank is not None:
        print(tr("Rank {0:,} of {1:,} (as of {2}).").format(
            found.rank, found.customers_scored, found.as_of))
    print(tr("History: {0}, {1}, revenue {2:,.2f}; first seen {3}, last seen {4}.").format(
        counted(found.events, tr("{0:,} event"), tr("{0:,} events")),
        counted(found.purchases, tr("{0:,} purchase"), tr("{0:,} purchases")),
        found.revenue, found.first_seen, found.last_seen))
    if value["expected_spend"] is not None and basis is not None:
        days, as_of = basis
        churn = (tr("unknown") if value["churn_risk"] is None else
                 f"{tr(value['churn_band'])} ({value['churn_risk']:.0%})")
        print(tr("Expected spend in the {0} after {1}: {2:,.2f} (likely {3:,.2f}–{4:,.2f}); "
                 "next order {5}; churn risk {6}.").format(
            counted(days, tr("{0} day"), tr("{0} days")), _date(as_of), value["expected_spend"], value["expected_spend_p10"],
            value["expected_spend_p90"], value["next_purchase"] or tr("unknown"), churn))
    if found.score is not None and found.served != "model":
        from engine.tasks.intent import METHOD_LABELS

        print(tr("This score comes from {0}: the deep model did not beat it on the latest "
                 "period, and it gives no event-by-event reasons.").format(
            tr(METHOD_LABELS.get(found.served, found.served))))
    if found.reasons:
        print(tr("What moved the score most:"))
        for r in found.reasons:
            print(f"  {r.text}")
    return 0


def _number(flag: str, low: float, high: float) -> Callable[[str], float]:
    """An argparse ``type=`` for a number from ``low`` to ``high`` (one sentence if not)."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # NaN fails too
            raise argparse.ArgumentTypeError(
                tr("{0} {1}: use a number from {2:g} to {3:g}.").format(flag, text, low, high)
            )
        return value

    return parse


def _finite(value: float) -> float | None:
    return value if value == value and abs(value) != float("inf") else None


def cmd_campaign(args: argparse.Namespace) -> int:
    """python main.py campaign PROJECT [--segment NAME] [--min-intent P] [--top N | --best-cut]
    [--margin PCT] [--cost-per-contact X] --out FILE.csv|FILE.xlsx [--json]

    The list ranks customers by the active purchase-intent model; the money is intent x the
    spend model's expected order value (engine.campaign). Without --top or --best-cut the whole
    filtered list is written; --best-cut writes the list size with the highest expected profit.
    """
    from engine import exports
    from engine.campaign import CampaignFilter, campaign_data, export_campaign, plan, select
    from engine.tasks.base import NoData

    project = _open(args.project, create=False)
    try:
        exports.check_target(args.out, project)  # refused before the slow part
        data = campaign_data(project)
        rows = select(data, CampaignFilter(segment=args.segment, min_intent=args.min_intent))
        money = dict(margin_pct=args.margin, cost_per_contact=args.cost_per_contact)
        if args.best_cut:
            top: int | None = plan(rows, top=None, **money).best_cut
        else:
            top = args.top
        result = plan(rows, top=top, **money)
        written = export_campaign(project, rows.iloc[: result.contacts], args.out)
    except (NoData, exports.ExportError) as exc:
        raise UserError(str(exc)) from exc
    finally:
        project.close()
    check = data.spend_check
    if args.json:
        print(json.dumps({
            "contacts": result.contacts,
            "expected_buyers": result.expected_buyers,
            "expected_non_buyers": result.expected_non_buyers,
            "expected_revenue": result.expected_revenue,
            "expected_profit": result.expected_profit,
            "best_cut": result.best_cut,
            "best_profit": result.best_profit,
            "listed": len(rows),
            "rows": written,
            "out": str(args.out),
            "margin_pct": args.margin,
            "cost_per_contact": args.cost_per_contact,
            "horizon_days": data.horizon_days,
            "as_of": None if data.as_of_ms is None else _date(data.as_of_ms),
            "intent_run_id": data.intent_run_id,
            "spend_check": None if check is None else {
                "customers": check.customers,
                "mae_model": _finite(check.mae_model),
                "mae_shop_average": _finite(check.mae_shop_average),
                "sentence": check.sentence,
            },
            "sentence": result.sentence,
        }, ensure_ascii=False))
        return 0
    if data.horizon_days:
        print(tr("Campaign list: the first {0:,} of {1} (highest expected spend within {2} "
                 "first, as of {3}).").format(
            result.contacts, counted(len(rows), tr("{0:,} customer"), tr("{0:,} customers")),
            counted(data.horizon_days, tr("{0} day"), tr("{0} days")), _date(data.as_of_ms)))
    else:
        print(tr("Campaign list: the first {0:,} of {1} (highest expected spend first, as of "
                 "{2}).").format(
            result.contacts, counted(len(rows), tr("{0:,} customer"), tr("{0:,} customers")),
            _date(data.as_of_ms)))
    print(tr("Expected: about {0:,.1f} buyers ({1:,.1f} will not buy), {2:,.2f} in orders, "
             "profit {3:,.2f} at a {4:g}% margin and {5:,.2f} per contact.").format(
        result.expected_buyers, result.expected_non_buyers, result.expected_revenue,
        result.expected_profit, args.margin, args.cost_per_contact))
    if result.best_cut:
        print(tr("Most profitable list size: the first {0:,} (expected profit {1:,.2f}).").format(
            result.best_cut, result.best_profit))
    else:
        print(tr("No list size is expected to pay for its contacts at this margin and cost."))
    if check is not None:
        print(check.sentence)
    if data.missing_note:
        print(data.missing_note)
    print(tr("Wrote {0} to {1}.").format(
        counted(written, tr("{0:,} row"), tr("{0:,} rows")), args.out))
    return 0


def cmd_recommend(args: argparse.Namespace) -> int:
    """python main.py recommend PROJECT CUSTOMER [-k 10] [--json]"""
    from engine.dates import minute
    from engine.recommend.read import recommendations
    from engine.tasks.base import NoData
    from storage.runs import active_run, customer_id_for_key

    project = _open(args.project, create=False)
    try:
        run = active_run(project, "recommend")
        if run is None:
            raise NoData(tr("There are no recommendations yet: train recommendations first "
                            "(python main.py train recommend {0}).").format(args.project_hint))
        cid = customer_id_for_key(project, args.customer)
        if cid is None:
            raise NoData(tr("The project has no customer “{0}”.").format(args.customer))
        recs = recommendations(project, [cid], k=args.k)
    except NoData as exc:
        raise UserError(str(exc)) from exc
    finally:
        project.close()
    as_of = run.settings.get("as_of_ms")
    as_of_text = minute(int(as_of)) if isinstance(as_of, (int, float)) else None
    served = str(run.metrics.get("served", ""))
    rows = [{"rank": int(r), "item": str(i), "name": str(n), "score": float(s),
             "reason": str(w)} for r, i, n, s, w in zip(
        recs["rank"], recs["item"], recs["name"], recs["score"], recs["reason"], strict=True)]
    if args.json:
        print(json.dumps({"customer": args.customer, "as_of": as_of_text, "served": served,
                          "recommendations": rows}, ensure_ascii=False))
        return 0
    from engine.tasks.recommend import LABELS

    print(tr("Customer {0}: recommended next (as of {1}; {2}):").format(
        args.customer, as_of_text, tr(LABELS.get(served, served)).lower()))
    if not rows:
        print("  " + tr("No recommendations for this customer: they had no history at the "
                        "as-of date."))
    for row in rows:
        label = row["name"] or row["item"]
        item = f" [{row['item']}]" if row["name"] else ""
        print(f"  {row['rank']:>3}. {label}{item} — {row['reason']}")
    return 0


def _open(location: str, create: bool = True, *, writable: bool | None = None) -> Project:
    """Open the project named on the command line.

    ``writable`` as in ``open_project``; when not given, a command that may create the project
    (import) must be able to write it, and the others (lookup, export) read a read-only project
    read-only. Commands that write pass ``writable=True``: a read-only or busy project is then
    refused in one sentence before any long work.
    """
    from storage.project import open_project

    if writable is None and create:
        writable = True
    return open_project(location, create=create, writable=writable)


def _add_reading_flags(p: argparse.ArgumentParser) -> None:
    """How to read a file, when detection gets it wrong (import and inspect)."""
    p.add_argument("--encoding", help=tr("the text encoding, when detection gets it wrong"))
    p.add_argument("--delimiter", metavar="CHAR",
                   help=tr("the column separator: , ; | tab space (for space-aligned columns)"))
    p.add_argument("--header", action=argparse.BooleanOptionalAction, default=None,
                   help=tr("whether the first line (after --skip-rows) names the columns"))
    p.add_argument("--skip-rows", type=int, metavar="N",
                   help=tr("lines above the table to leave out (notes, a title)"))
    p.add_argument("--decimal", choices=[".", ","],
                   help=tr("the decimal mark of numbers (default: decided per column)"))
    p.add_argument("--date-order", choices=["dmy", "mdy", "ymd"],
                   help=tr("the order of day, month and year in dates (default: from the values)"))


def _reading_options(args: argparse.Namespace) -> dict[str, Any]:
    delimiter = args.delimiter
    if delimiter is not None:
        from engine.ingest.layout import DELIMITERS, delimiter_from_name
        from engine.ingest.records import WHITESPACE_DELIMITERS

        delimiter = delimiter_from_name(delimiter)
        if delimiter not in DELIMITERS and delimiter not in WHITESPACE_DELIMITERS and (
            len(delimiter) != 1
        ):
            raise UserError(
                tr("--delimiter {0}: give one character, or tab, space, comma, semicolon or "
                   "pipe.").format(args.delimiter)
            )
    if args.skip_rows is not None and args.skip_rows < 0:
        raise UserError(tr("--skip-rows needs a number of lines, 0 or more."))
    return {
        "encoding": args.encoding,
        "delimiter": delimiter,
        "has_header": args.header,
        "skip_rows": args.skip_rows,
        "decimal": args.decimal,
        "date_order": args.date_order,
    }


def _add_project(p: argparse.ArgumentParser) -> None:
    """The project a command works on: a file, or with ``--db URL`` a database on a server
    (``_Parser.parse_known_args`` puts the URL where the file would be)."""
    p.add_argument("project", metavar="PROJECT", help=tr("the project file (or --db URL)"))
    p.add_argument(
        "--db", metavar="URL",
        help=tr("a project in a PostgreSQL database instead of a file, in place of PROJECT: "
        "postgresql+psycopg://user:password@host:5432/database"),
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(
        # The built folder (packaging/) is started by its program's name, not through Python.
        prog=Path(sys.executable).name if getattr(sys, "frozen", False) else "python main.py",
        description=tr("IntentLens: learn what your customers are about to want. "
                       "Without a command, the desktop application opens."),
    )
    parser.add_argument("--screenshots", metavar="DIR", help=tr("render every page to PNG and exit"))
    parser.add_argument("--project", help=tr("the project to open (GUI and --screenshots)"))
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("demo", help=tr("create a project filled with generated demo data"))
    _add_project(p)
    p.add_argument("--customers", type=_whole_number("--customers", 10, 1_000_000), default=2000,
                   help=tr("how many customers the demo shop has, 10 to 1,000,000 (default 2,000)"))
    p.add_argument("--seed", type=int, default=7,
                   help=tr("the random seed: the same seed makes the same shop (default 7)"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help=tr("import a behavior log (CSV, TSV, JSON lines, gzip, zip)"))
    _add_project(p)
    p.add_argument("file", help=tr("the shop's export to import: CSV, TSV, JSON lines, gzip or "
                                   "zip"))
    p.add_argument("--format", help=tr("a known format (taobao, rees46, retailrocket, "
                   "uci_online_retail, otto, yoochoose_clicks, yoochoose_buys) or csv"))
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help=tr("which column holds a field ({0})").format(", ".join(FIELDS)))
    p.add_argument("--event", action="append", metavar="RAW=EVENT",
                   help=tr("what a raw event word means ({0})").format(", ".join(EVENT_TYPES)))
    _add_reading_flags(p)
    p.add_argument("--status", metavar="COLUMN",
                   help=tr("the column with the order status (paid, cancelled, refunded, ...)"))
    p.add_argument("--default-event", choices=EVENT_TYPES, metavar="EVENT",
                   help=tr("the event of every line of a file without an event column "
                           "({0})").format(", ".join(EVENT_TYPES)))
    p.add_argument("--pseudonymize", action=argparse.BooleanOptionalAction, default=None,
                   help=tr("replace customer ids by keyed pseudonyms (default: only when the "
                   "customer column holds e-mail addresses)"))
    p.add_argument("--allow-duplicate", action="store_true",
                   help=tr("import a file again even though it was imported before"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("inspect", help=tr("show how IntentLens reads CSV files (nothing is stored)"))
    p.add_argument("files", nargs="+", metavar="FILE",
                   help=tr("one or more files as the shop exported them"))
    p.add_argument("--format", help=tr("a known format, or csv"))
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help=tr("which column holds a field ({0})").format(", ".join(FIELDS)))
    _add_reading_flags(p)
    p.add_argument("--normalized-dir", metavar="DIR",
                   help=tr("write each table as parsed to DIR/<file name> (UTF-8, comma, RFC 4180)"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object per file"))
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("forget", help=tr("delete everything about one customer from a project"))
    _add_project(p)
    p.add_argument("customer", help=tr("the customer id as the shop knows it (or its pseudonym)"))
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("train", help=tr("train a model on a project"))
    tsub = p.add_subparsers(dest="task", required=True)
    _add_train_commands(tsub)

    p = sub.add_parser("lookup", help=tr("one customer's intent score, rank and reasons"))
    _add_project(p)
    p.add_argument("customer", help=tr("the customer id as the shop knows it (or its pseudonym)"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.set_defaults(func=cmd_lookup)

    p = sub.add_parser("recommend", help=tr("one customer's recommended next items and why"))
    _add_project(p)
    p.add_argument("customer", help=tr("the customer id as the shop knows it (or its pseudonym)"))
    p.add_argument("-k", type=_whole_number("-k", 1, 100), default=10,
                   help=tr("how many recommendations (default 10)"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.set_defaults(func=cmd_recommend)

    p = sub.add_parser("export", help=tr("export data from a project as CSV or Excel (.xlsx)"))
    _add_project(p)
    p.add_argument("what", choices=["rejected", "scores", "segments", "recommendations",
                                    "forecast"],
                   help=tr("what to export: rejected lines, intent scores, segments, "
                           "recommendations or the sales forecast"))
    p.add_argument("-k", type=_whole_number("-k", 1, 100), default=10,
                   help=tr("recommendations per customer (recommendations only; default 10)"))
    p.add_argument("--out", required=True,
                   help=tr("the file to write: an Excel workbook when it ends in .xlsx, else CSV"))
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help=tr("write the one-page project report (data, model "
                       "verdicts, segments, whom to contact) as HTML or PDF"))
    _add_project(p)
    p.add_argument("out", metavar="OUT", help=tr("the file to write: .html or .pdf"))
    p.set_defaults(func=cmd_report)

    from engine.campaign_defaults import DEFAULT_COST_PER_CONTACT, DEFAULT_MARGIN_PCT

    p = sub.add_parser("campaign", help=tr("whom to contact (highest expected spend first) and the "
                       "expected money; writes the list as CSV or Excel (.xlsx)"))
    _add_project(p)
    p.add_argument("--segment", metavar="NAME", help=tr("only this segment (customer profiles)"))
    p.add_argument("--min-intent", type=_number("--min-intent", 0.0, 1.0), metavar="P",
                   help=tr("only customers with at least this purchase probability (0 to 1)"))
    size = p.add_mutually_exclusive_group()
    size.add_argument("--top", type=_whole_number("--top", 1, 1_000_000_000), metavar="N",
                      help=tr("contact the first N customers of the list (default: all)"))
    size.add_argument("--best-cut", action="store_true",
                      help=tr("contact as many as give the highest expected profit"))
    p.add_argument("--margin", type=_number("--margin", 0.0, 100.0), metavar="PCT",
                   default=DEFAULT_MARGIN_PCT,
                   help=tr("gross margin on an order, in percent (default {0:g})").format(
                       DEFAULT_MARGIN_PCT))
    p.add_argument("--cost-per-contact", type=_number("--cost-per-contact", 0.0, 1e9),
                   metavar="X", default=DEFAULT_COST_PER_CONTACT,
                   help=tr("what one contact costs, in the shop's money (default {0:g})").format(
                       DEFAULT_COST_PER_CONTACT))
    p.add_argument("--out", required=True,
                   help=tr("the file to write: an Excel workbook when it ends in .xlsx, else CSV"))
    p.add_argument("--json", action="store_true", help=tr("print one JSON object"))
    p.set_defaults(func=cmd_campaign)
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag like every other user error: one sentence, exit 2.

    A command with a PROJECT also takes ``--db URL`` in its place (anywhere among its
    arguments): the URL becomes PROJECT, ``db`` says it came so, and ``project_hint`` is how
    messages name the project again (a URL's password masked).
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse, with ``--db URL`` standing for PROJECT (PROJECT comes first in every
        command, so the URL goes first)."""
        if "--db" not in self._option_string_actions or args is None:
            return super().parse_known_args(args, namespace)
        rest, db = [], None
        items = iter(args)
        for arg in items:
            if arg == "--db":
                db = next(items, None)
                if db is None or db.startswith("-"):
                    self.error(tr("--db needs the URL of a database: --db postgresql+psycopg://"
                                  "user@host/database"))
            elif arg.startswith("--db="):
                db = arg.removeprefix("--db=")
            else:
                rest.append(arg)
        parsed, extras = super().parse_known_args(rest if db is None else [db, *rest], namespace)
        if extras and db is not None:
            self.error(tr("unrecognized arguments: {0} (with --db URL, leave out the project "
                          "file)").format(" ".join(extras)))
        parsed.db = db
        parsed.project_hint = ("" if db is None else "--db ") + _masked(parsed.project)
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        """Print ``Error: <sentence>`` (no usage block) and exit with code 2."""
        text = " ".join(message.split())
        # "argument --epochs: --epochs 0: use ..." names the flag twice.
        head, _, rest = text.partition(": ")
        flag = head.removeprefix("argument ").split("/")[-1]
        if head.startswith("argument ") and rest.startswith(flag):
            text = rest
        elif head.startswith("argument ") and rest:  # "argument --preset: invalid choice …"
            text = tr("argument {0}: {1}").format(head.removeprefix("argument "), rest)
        text = text.rstrip(".")
        if not text.endswith("。"):  # a translated sentence keeps its own full stop
            text += tr(".")
        self.exit(2, tr("Error: {0}").format(text) + "\n")


def _sentence(exc: BaseException) -> bool:
    """A ValueError worded as one sentence is the engine speaking to the user (several of its
    checks raise one); anything else ("cannot convert float NaN to integer") is a bug."""
    text = str(exc).strip()
    return bool(text) and text[0].isupper() and text.endswith(".") and "\n" not in text


def log_folder() -> Path:
    """Where IntentLens writes its logs: ``logs`` in the app's data folder (``INTENTLENS_HOME``
    when set, else the folder the desktop application keeps its settings in), found without
    importing Qt."""
    env = os.environ.get("INTENTLENS_HOME")
    if env:
        base = Path(env)
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        base = base / "IntentLens" / "IntentLens"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "IntentLens" / "IntentLens"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        base = base / "IntentLens" / "IntentLens"
    return base / "logs"


def _write_log(exc: BaseException, argv: Sequence[str]) -> Path | None:
    import platform
    import tempfile
    import traceback

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    # A database URL's password never reaches the log.
    shown = [_masked(a) for a in argv]
    text = (
        f"IntentLens unexpected problem, {datetime.now(UTC).isoformat()}\n"
        f"command: {' '.join(['python main.py', *shown])}\n"
        f"python {platform.python_version()} on {platform.platform()}\n\n"
        + "".join(traceback.format_exception(exc))
    )
    for folder in (log_folder(), Path(tempfile.gettempdir()) / "intentlens-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"intentlens-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def _masked(arg: str) -> str:
    """A command-line word as a log may hold it: a database URL with its password masked."""
    if "://" not in arg:
        return arg
    from storage.project import display_location

    head, sep, url = arg.partition("=") if arg.startswith("--") else ("", "", arg)
    return head + sep + display_location(url)


def report_unexpected(exc: BaseException, argv: Sequence[str] = ()) -> int:
    """The last line of defence: one sentence on stderr, the traceback in a log file, exit 1.

    Only for what no check foresaw; expected problems are UserError, FileProblem and
    ProjectError (exit 2) and say what to do.
    """
    what = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(what) > 160:
        what = what[:157] + "..."
    path = _write_log(exc, argv)
    where = (
        tr("details were written to {0}").format(path) if path
        else tr("no log file could be written")
    )
    print(
        tr("Error: IntentLens hit an unexpected problem ({0}); {1}.").format(what, where),
        file=sys.stderr,
    )
    return 1


def _loaded(module: str, name: str) -> tuple[type[BaseException], ...]:
    """The exception class ``module.name`` when that module is imported, else none: a module
    never imported raised nothing, and importing it only to catch its errors would cost every
    command the start-up of pandas or SQLAlchemy."""
    found = sys.modules.get(module)
    return () if found is None else (getattr(found, name),)


def _broken_pipe() -> int:
    """The reader of our output went away (``main.py lookup ... | head -1``): stop quietly as
    Unix tools do, with the exit code of a process ended by SIGPIPE (128 + 13). What is still
    buffered for stdout goes to the null device, so Python's own flush at exit says nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (embedded, tests)
        pass
    return 141


def run(argv: Sequence[str]) -> int:
    """Run a CLI command; returns the exit code.

    Expected problems print one sentence and return 2; anything else goes to
    :func:`report_unexpected` (a sentence, a log file, 1). Tracebacks never reach the user;
    output piped into a reader that stops early (``| head``) ends quietly with 141.
    """
    try:
        code = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in Python's flush at exit
    except BrokenPipeError:
        return _broken_pipe()
    return code


def _run(argv: Sequence[str]) -> int:
    try:
        use_locale_language()
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, or a flag refused in one sentence
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        if args.command is None:
            parser.print_help()
            return 2
        return int(args.func(args))
    except (UserError, *_loaded("engine.ingest.source", "FileProblem"),
            *_loaded("storage.project", "ProjectError")) as exc:
        print(tr("Error: {0}").format(exc), file=sys.stderr)
        return 2
    except ValueError as exc:
        if not _sentence(exc):
            return report_unexpected(exc, argv)
        print(tr("Error: {0}").format(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(tr("Stopped: nothing was changed."), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _broken_pipe()
    except OSError as exc:
        print(tr("Error: {0} ({1}).").format(exc.strerror or exc, exc.filename or ""),
              file=sys.stderr)
        return 2
    except _loaded("sqlalchemy.exc", "OperationalError") as exc:
        # A project that became read-only or busy after it was opened: nothing was written.
        text = str(exc.orig)
        if "readonly" in text or "locked" in text or "busy" in text:
            said = (
                tr("The project is read-only, so nothing was changed: make it writable and "
                   "try again.") if "readonly" in text
                else tr("The project is in use by another program, so nothing was changed: try "
                        "again when the other program has finished.")
            )
            print(tr("Error: {0}").format(said), file=sys.stderr)
            return 2
        return report_unexpected(exc, argv)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        return report_unexpected(exc, argv)
