#!/bin/sh
# Detection figures on the labelled corpora beside the repository (not run in CI: the real corpus needs
# a fetch of its source repository first).
#
#   bench/detection.sh REAL_CORPUS        # a folder with in/ and truth.json, made by build.py
#   bench/detection.sh --build GITDIR     # build the real corpus from a bare clone of
#                                         # Logius-standaarden/Overleg first (../shared/eval/real/README.md)
#
# Prints the scorer's summary for the real corpus and the generated dev corpus, and the batch summary for
# the WOO Buddy fixtures (they have no labels: compare their redactions with an earlier run). Outputs stay
# in a temporary folder, printed at the end.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED="$HERE/../shared"
PY="$HERE/.venv/bin/python"
[ -x "$PY" ] || PY=python3
OUT=$(mktemp -d)

if [ "${1:-}" = "--build" ]; then
    REAL="$OUT/real"
    "$PY" "$SHARED/eval/real/build.py" "$2" "$REAL"
else
    REAL=${1:?usage: bench/detection.sh REAL_CORPUS | --build GITDIR}
fi

run() {  # run NAME INPUT_DIR
    "$PY" -m woo_redact.cli batch "$2" --out "$OUT/$1" --workers 2 > "$OUT/$1.log" 2>&1 || true
}

cd "$HERE"
run real "$REAL/in"
echo "real: $("$PY" "$SHARED/eval/score.py" "$REAL" "$OUT/real" | tail -1)"
run dev "$SHARED/eval/dev/in"
echo "dev:  $("$PY" "$SHARED/eval/score.py" "$SHARED/eval/dev" "$OUT/dev" | tail -1)"
run peer "$SHARED/peer/woobuddy"
echo "peer: $(tail -1 "$OUT/peer.log")"
echo "outputs: $OUT (score.py ... --words lists what was missed and what was over-redacted)"
