#!/usr/bin/env bash
# Runs the Rust W1 benchmark and the anchor implementations (shared/bench/anchors) in the same
# session and prints claims/s with ratios. The anchors need their venv (created if missing).
#   bench/compare.sh [ANCHORS_DIR]     default ../shared/bench/anchors
set -euo pipefail
cd "$(dirname "$0")/.."
ANCHORS="${1:-../shared/bench/anchors}"
VENV="${VENV:-/tmp/anchors-venv}"
N=1000000
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ANCHORS/requirements.txt"
fi
cargo build --release -q -p skill-subsidy-bench --bin w1-bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./target/release/w1-bench --runs 5 | tee "$out/rust.txt"
rust=$(sed -n 's/^trace off: median \([0-9.]*\) s.*/\1/p' "$out/rust.txt")
printf '\n%-36s %12s %14s %10s\n' "implementation (N = 1,000,000)" "median s" "claims/s" "Rust is"
printf '%-36s %12.4f %14.0f %10s\n' "skill-subsidy, 1 thread, trace off" "$rust" "$(awk "BEGIN{print $N / $rust}")" "1.0x"
for spec in pandas.merge:1000000 pandas.category:1000000 "polars.enum:1000000:POLARS_MAX_THREADS=1" polars.enum:1000000 \
            openfisca.lookup.calc:1000000 decimal.loop:1000000 zen.engine_loop:20000; do
  IFS=: read -r variant n env <<<"$spec"
  json="$out/$variant.json"
  (cd "$ANCHORS" && env ${env:-} "$VENV/bin/python" bench.py "$variant" --n "$n" --runs 5 --out "$json" >/dev/null 2>&1) || { echo "$variant failed"; continue; }
  median=$("$VENV/bin/python" -c "import json;print(json.load(open('$json'))['median_s'])")
  rate=$(awk "BEGIN{print $n / $median}")
  label="$variant${env:+ [$env]}"
  [ "$n" != "$N" ] && label="$variant (N = $n)"
  printf '%-36s %12.4f %14.0f %9.1fx\n' "$label" "$median" "$rate" "$(awk "BEGIN{print ($N / $rust) / $rate}")"
done
