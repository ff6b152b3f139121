#!/usr/bin/env bash
# IntentLens as one folder that runs without Python: dist/IntentLens/, started by
# dist/IntentLens/IntentLens (IntentLens.exe on Windows). Built for the operating system it runs
# on: build on Windows for Windows, on macOS for macOS. Needs the project's .venv (bash .ci/env);
# installs PyInstaller into it (the range in pyproject.toml's "packaging" extra) when missing.
# Prints the build time and the folder's size (PYINSTALLER_LOG=INFO shows each step). Then:
# bash packaging/smoke.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in .venv/bin/python .venv/Scripts/python.exe; do
    if [ -x "$candidate" ]; then PY=$candidate; break; fi
  done
fi
if [ -z "$PY" ]; then
  echo "No .venv here: run 'bash .ci/env' first (or set PYTHON to the project's Python)." >&2
  exit 1
fi
start=$(date +%s)
# One place names the PyInstaller versions: the "packaging" extra. pip does nothing (and needs
# no network) when an installed version is in range.
wanted=$("$PY" -c 'import tomllib
with open("pyproject.toml", "rb") as f:
    print(*tomllib.load(f)["project"]["optional-dependencies"]["packaging"])')
# shellcheck disable=SC2086 # one word per requirement (they hold no spaces)
"$PY" -m pip install --quiet --disable-pip-version-check $wanted
# The program file's icon for Windows and macOS (Qt draws it from the SVG, no window needed).
QT_QPA_PLATFORM=offscreen "$PY" packaging/icon.py build >/dev/null
"$PY" -m PyInstaller --noconfirm --log-level "${PYINSTALLER_LOG:-WARN}" \
  --distpath dist --workpath build/pyinstaller packaging/intentlens.spec
seconds=$(( $(date +%s) - start ))
size=$(du -sh dist/IntentLens | cut -f1)
files=$(find dist/IntentLens -type f | wc -l)
echo "Built dist/IntentLens in $((seconds / 60)) min $((seconds % 60)) s: $size in $files files."
