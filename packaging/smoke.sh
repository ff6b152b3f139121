#!/usr/bin/env bash
# Start the built folder (bash packaging/build.sh) as a user without Python would, far from the
# source tree and with no display: the command line's help, a demo project made in Chinese (the
# translations are found), a deep intent model and a sales forecast trained (torch,
# scikit-learn, statsforecast load), an Excel export, and the window rendering every page to
# PNG. Fails on any error, on a step that runs past its time, or on missing output. Runs on
# Linux (GNU timeout and grep), as CI does (.ci/package).
#   bash packaging/smoke.sh [PROGRAM]   (default dist/IntentLens/IntentLens)
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-dist/IntentLens/IntentLens}
if [ ! -x "$app" ]; then
  echo "No build at $app: run 'bash packaging/build.sh' first." >&2
  exit 1
fi
app=$(cd "$(dirname "$app")" && pwd)/$(basename "$app")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/home" "$work/tmp"
cd "$work"  # nothing of the source tree can be picked up from here
start=$(date +%s)

# The program as a user starts it: no Python variables, a fresh settings folder, offscreen,
# in English unless lang=zh_CN is put before the call.
frozen() {
  local limit=$1
  shift
  env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV -u LANGUAGE -u LC_ALL -u LC_MESSAGES \
    LANG=C.UTF-8 LANGUAGE="${lang:-}" INTENTLENS_HOME="$work/home" TMPDIR="$work/tmp" QT_QPA_PLATFORM=offscreen \
    timeout "$limit" "$app" "$@"
}
fail() {
  echo "Smoke check of $app failed: $1" >&2
  exit 1
}

frozen 60 --help >help.txt || fail "--help exited $?."
grep -q "^usage:" help.txt && grep -q "train" help.txt || fail "--help printed no usage."

# In Simplified Chinese: the command line speaks Chinese only if the frozen app finds its .qm.
lang=zh_CN frozen 120 demo shop.intentlens --customers 200 >demo.txt \
  || fail "demo exited $?."
LC_ALL=C.UTF-8 grep -qP '\p{Han}' demo.txt || fail "the demo's report is not in Chinese: $(cat demo.txt)"

frozen 300 train intent shop.intentlens --preset fast --epochs 1 --always-deep >intent.txt \
  || fail "train intent exited $?."
grep -q "Saved as run" intent.txt || fail "train intent saved no run."
frozen 300 train forecast shop.intentlens --weeks 2 --max-items 10 --origins 1 >forecast.txt \
  || fail "train forecast exited $?."
grep -q "Saved as run" forecast.txt || fail "train forecast saved no run."
frozen 120 export shop.intentlens scores --out scores.xlsx >/dev/null || fail "export exited $?."
[ -s scores.xlsx ] || fail "export wrote no workbook."

frozen 300 --screenshots shots || fail "--screenshots exited $?."
count=$(find shots -name '*.png' -size +1k | wc -l)
[ "$count" -ge 6 ] || fail "--screenshots wrote $count pages, expected 6 or more."
# KEEP_SHOTS=DIR keeps a copy of the pictures.
if [ -n "${KEEP_SHOTS:-}" ]; then cp shots/*.png "$KEEP_SHOTS"/; fi

seconds=$(( $(date +%s) - start ))
echo "The built folder ran: help, a Chinese demo, two trainings, an export and $count pages" \
  "in $seconds s."
