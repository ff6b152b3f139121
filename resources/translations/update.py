"""Refresh ``intentlens_zh_CN.ts`` from the sources and compile the ``.qm``.

Run from the repository root: ``.venv/bin/python resources/translations/update.py``.

1. ``pyside6-lupdate`` collects every string the GUI marks (``self.tr``,
   ``QCoreApplication.translate``) from all of ``gui/``. The task panels call a module-level
   ``tr`` (``gui/tasks/form.py``) that translates in the "TrainPage" context; lupdate cannot
   see that context and files those strings under an empty name, so they are moved there.
2. The engine has no Qt: its sentences go through ``engine.words.tr``, which the GUI connects
   to ``QCoreApplication.translate("engine", ...)``. lupdate cannot find them, so the
   "engine" context is built here from the literal first arguments of ``tr(...)`` calls in
   ``engine/`` (Python's ``ast``), the words the engine passes to ``tr`` from tables
   (event names, method labels, metric headings, task short titles) and the labels, help,
   units, choices and special words of the settings of every task's config class. The
   settings are translated by the task form in the "TrainPage" context, so they go there too.
3. Existing translations are kept (looked up by context and source, then by source alone);
   entries no source uses any more are dropped.
4. ``pyside6-lrelease`` compiles the ``.qm`` the application loads.

``--check`` only reports what is unfinished and writes nothing.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TS = HERE / "intentlens_zh_CN.ts"
QM = HERE / "intentlens_zh_CN.qm"
BIN = Path(sys.executable).parent

#: Context the task panels' module-level ``tr`` (gui/tasks/form.py) translates in.
TASK_FORM_CONTEXT = "TrainPage"
ENGINE_CONTEXT = "engine"


def tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def _literal_tr_args(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "tr" and node.args):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                raise SystemExit(f"{path}: tr() of an f-string cannot be translated")
    return found


def setting_words() -> list[str]:
    """Labels, help, units, choice labels and special words of every task's settings."""
    sys.path.insert(0, str(ROOT))
    from engine.fields import settings_of
    from engine.tasks import TASKS

    words: list[str] = []
    for config in dict.fromkeys(task.config_type for task in TASKS.values()):
        for spec in settings_of(config):
            s = spec.setting
            words += [s.label, s.help, s.unit, s.special or ""]
            words += [label for _, label in s.choices]
    return words


def engine_words() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from engine.events import EVENT_NAMES
    from engine.forecast.config import LABELS as FORECAST_LABELS
    from engine.forecast.config import LEVEL_LABELS
    from engine.forecast.config import NAMES as FORECAST_NAMES
    from engine.forecast.words import WHERE as FORECAST_WHERE
    from engine.ingest.import_report import REASON_LABELS
    from engine.ingest.numbers import _THOUSANDS_WORDS
    from engine.ingest.timeparse import _NAMES as TIME_NAMES
    from engine.ingest.timeparse import _TOKEN_WORDS
    from engine.intent.drivers import KIND_WORDS
    from engine.intent.evaluate import METHOD_NAMES
    from engine.intent.explain import VERBS
    from engine.profiles.segments import NAME_WORDS, TRAIT_LABELS
    from engine.recommend.config import LABELS as RECOMMEND_LABELS
    from engine.recommend.config import NAMES as RECOMMEND_NAMES
    from engine.tasks.forecast import METRIC_COLUMNS as FORECAST_COLUMNS
    from engine.tasks.intent import METHOD_LABELS, METRIC_COLUMNS
    from engine.tasks.recommend import METRIC_COLUMNS as RECOMMEND_COLUMNS
    from engine.tasks.value import _PREDICTIONS as VALUE_PREDICTIONS
    from engine.tasks.value import METRIC_COLUMNS as VALUE_COLUMNS
    from engine.value.config import LABELS as VALUE_LABELS
    from engine.value.drivers import WORDS as DRIVER_WORDS

    words: list[str] = []
    for path in [*sorted((ROOT / "engine").rglob("*.py")), ROOT / "cli.py"]:
        words += _literal_tr_args(path)
    words += [*FORECAST_LABELS.values(), *FORECAST_NAMES.values(), *LEVEL_LABELS.values()]
    words += list(FORECAST_WHERE.values())
    words += [heading for _, heading in FORECAST_COLUMNS]
    words += [*VALUE_LABELS.values(), *VALUE_PREDICTIONS.values(), "High", "Medium", "Low"]
    words += [heading for _, heading in VALUE_COLUMNS]
    words += list(DRIVER_WORDS.values())
    words += list(KIND_WORDS.values())  # the sequence drivers' kinds of steps
    words += list(EVENT_NAMES.values())
    words += [*REASON_LABELS.values(), "other problems"]
    from cli import ARGPARSE_WORDS

    words += list(ARGPARSE_WORDS)
    words += [*_THOUSANDS_WORDS.values(), *TIME_NAMES.values(), *_TOKEN_WORDS.values()]
    words += list(METHOD_LABELS.values())
    words += list(METHOD_NAMES.values())
    words += list(VERBS.values())
    words += [*NAME_WORDS, *TRAIT_LABELS]
    words += [heading for _, heading in METRIC_COLUMNS]
    words += [*RECOMMEND_LABELS.values(), *RECOMMEND_NAMES.values()]
    words += [heading for _, heading in RECOMMEND_COLUMNS]
    from engine.tasks import TASKS

    words += [task.short_title for task in TASKS.values()]
    words += [task.title for task in TASKS.values()]  # the project report names each task
    words += [task.cli_help for task in TASKS.values()]  # main.py train --help
    words += [task.saved_hint for task in TASKS.values() if getattr(task, "saved_hint", "")]
    words += [name for task in TASKS.values() for name in task.metric_names.values()]
    # The task panels' own special words (gui/tasks/*.py ``special_text``).
    words += ["Find automatically"]
    return words + setting_words()


def gui_table_words() -> dict[str, list[str]]:
    """Words the GUI translates from tables and constants (``translate(context, name)``),
    which lupdate cannot read, by the context they are translated in."""
    sys.path.insert(0, str(ROOT))
    from engine.tasks import TASKS
    from gui.app import PREPARING_DEMO
    from gui.main_window import PROJECT_FILTER
    from gui.pages.customers_model import BASE
    from gui.wizard_common import DATE_ORDER_WORDS, DELIMITERS, FILE_FILTER

    tasks = [task.title for task in TASKS.values()]
    tasks += [name for task in TASKS.values() for name in task.metric_names.values()]
    return {
        "DemoProgress": [PREPARING_DEMO],
        "MainWindow": [PROJECT_FILTER],
        "CustomersModel": [title for _, title, _ in BASE],
        "ImportWizard": [FILE_FILTER, *(label for _, label in DELIMITERS),
                         *DATE_ORDER_WORDS.values()],
        TASK_FORM_CONTEXT: tasks,
    }


def _unique(words: list[str]) -> list[str]:
    return list(dict.fromkeys(w for w in words if w.strip()))


def _message(source: str, translation: str) -> ET.Element:
    msg = ET.Element("message")
    ET.SubElement(msg, "source").text = source
    tr = ET.SubElement(msg, "translation")
    if translation:
        tr.text = translation
    else:
        tr.set("type", "unfinished")
    return msg


def _known(root: ET.Element) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    by_context: dict[tuple[str, str], str] = {}
    by_source: dict[str, str] = {}
    for ctx in root.iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            source = msg.findtext("source") or ""
            text = msg.findtext("translation") or ""
            if text and msg.find("translation").get("type") != "unfinished":
                by_context[(name, source)] = text
                by_source.setdefault(source, text)
    return by_context, by_source


def _context(root: ET.Element, name: str) -> ET.Element:
    for ctx in root.iter("context"):
        if (ctx.findtext("name") or "") == name:
            return ctx
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = name
    return ctx


def update() -> ET.ElementTree:
    old = ET.parse(TS)
    by_context, by_source = _known(old.getroot())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / TS.name
        shutil.copy(TS, work)
        sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gui").rglob("*.py"))
        subprocess.run([tool("pyside6-lupdate"), *sources, "-no-obsolete", "-locations", "relative",
                        "-ts", str(work)], cwd=ROOT, check=True, capture_output=True)
        tree = ET.parse(work)
    root = tree.getroot()
    # Drop the engine context lupdate kept (it is rebuilt below) and move the unnamed one.
    for ctx in list(root.iter("context")):
        if (ctx.findtext("name") or "") in ("", ENGINE_CONTEXT):
            root.remove(ctx)
            if (ctx.findtext("name") or "") == "":
                task_form = _context(root, TASK_FORM_CONTEXT)
                have = {m.findtext("source") for m in task_form.iter("message")}
                for msg in ctx.iter("message"):
                    if msg.findtext("source") not in have:
                        task_form.append(msg)
    task_form = _context(root, TASK_FORM_CONTEXT)
    have = {m.findtext("source") for m in task_form.iter("message")}
    for word in _unique(setting_words() + ["Find automatically"]):
        if word not in have:
            task_form.append(_message(word, ""))
    for name, words in gui_table_words().items():
        ctx = _context(root, name)
        have = {m.findtext("source") for m in ctx.iter("message")}
        for word in _unique(words):
            if word not in have:
                ctx.append(_message(word, ""))
    engine = _context(root, ENGINE_CONTEXT)
    for word in _unique(engine_words()):
        engine.append(_message(word, ""))
    # Fill what is known; keep the file's order stable (contexts by name).
    for ctx in root.iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            source = msg.findtext("source") or ""
            if tr.get("type") == "unfinished" or not tr.text:
                text = by_context.get((name, source)) or by_source.get(source, "")
                if text:
                    tr.text = text
                    tr.attrib.pop("type", None)
    contexts = sorted(root.findall("context"), key=lambda c: c.findtext("name") or "")
    for ctx in contexts:
        root.remove(ctx)
    root.extend(contexts)
    return tree


def write(tree: ET.ElementTree) -> None:
    ET.indent(tree, space="    ")
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    with TS.open("a", encoding="utf-8") as f:
        f.write("\n")


def compile_qm(ts: Path = TS, qm: Path = QM) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
                   check=True, capture_output=True)


def main() -> int:
    tree = update()
    unfinished = [(c.findtext("name"), m.findtext("source"))
                  for c in tree.getroot().iter("context") for m in c.iter("message")
                  if m.find("translation").get("type") == "unfinished"]
    if "--check" in sys.argv:
        for ctx, source in unfinished:
            print(f"{ctx}\t{source!r}")
        return 1 if unfinished else 0
    write(tree)
    compile_qm()
    total = sum(1 for _ in tree.getroot().iter("message"))
    print(f"{total} entries, {len(unfinished)} unfinished")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
