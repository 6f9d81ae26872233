#!/usr/bin/env bash
# Cold start of a process that stylises one image, per backend: where its time goes (ColdStartBenchmark's phases)
# and the whole `adain stylize` process against the stylisation alone (issue 13's target: within 1.3x).
# See bench/README.md.
#
#   bench/cold_start.sh [CONTENT [STYLE]]
#
# Defaults: CONTENT=../shared/images/content/golden_gate.jpg, STYLE=../shared/images/style/brushstrokes.jpg.
# Settings by environment variable:
#   BACKENDS="dl4j onnxruntime"   backends to run
#   SIZE=512                      --content-size and --style-size, centre-cropped (--crop)
#   PROCESSES=3                   whole `adain stylize` processes per backend (the median is printed)
#   REPEAT=3                      warm stylisations after the first, in ColdStartBenchmark's process
#   THREADS=2                     OMP_NUM_THREADS
#   ADAIN_JAR=adain-examples/target/adain.jar   ADAIN_BENCH_DIR=/tmp/adain-bench (full-size random weights)
#   PYTHON=/usr/bin/python3  JAVA=java  JAVA_OPTS=
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

CONTENT="${1:-../shared/images/content/golden_gate.jpg}"
STYLE="${2:-../shared/images/style/brushstrokes.jpg}"
BACKENDS="${BACKENDS:-dl4j onnxruntime}"
SIZE="${SIZE:-512}"
PROCESSES="${PROCESSES:-3}"
REPEAT="${REPEAT:-3}"
THREADS="${THREADS:-2}"
ADAIN_JAR="${ADAIN_JAR:-adain-examples/target/adain.jar}"
BENCH_DIR="${ADAIN_BENCH_DIR:-/tmp/adain-bench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
JAVA="${JAVA:-java}"
read -r -a JAVA_OPTS_ARR <<< "${JAVA_OPTS:-}"

die() { echo "cold_start.sh: $*" >&2; exit 2; }

[ -f "$ADAIN_JAR" ] || die "the jar $ADAIN_JAR is missing: build it (mvn -B -q install -DskipTests)"
listing="$(unzip -l "$ADAIN_JAR" 2>/dev/null || true)"
grep -q 'org/adain/examples/bench/ColdStartBenchmark.class' <<< "$listing" \
  || die "$ADAIN_JAR has no ColdStartBenchmark: rebuild it"
[ -f "$CONTENT" ] || die "content image $CONTENT not found"
[ -f "$STYLE" ] || die "style image $STYLE not found"
ENC="$BENCH_DIR/encoder_tf2.h5"
DEC="$BENCH_DIR/decoder_tf2.h5"
if [ ! -f "$ENC" ] || [ ! -f "$DEC" ]; then
  "$PYTHON" bench/make_full_weights.py "$BENCH_DIR" \
    || die "could not generate the full-size weights (needs $PYTHON with torch, numpy, h5py)"
fi
export OMP_NUM_THREADS="$THREADS"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC') cold start: $SIZE px, OMP_NUM_THREADS=$THREADS, JAVA_OPTS='${JAVA_OPTS:-}'," \
     "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for backend in $BACKENDS; do
  # The phases, and the warm stylisation time ("the stylisation alone").
  "$JAVA" "${JAVA_OPTS_ARR[@]}" -cp "$ADAIN_JAR" org.adain.examples.bench.ColdStartBenchmark --backend "$backend" \
    --encoder "$ENC" --decoder "$DEC" --content "$CONTENT" --style "$STYLE" --size "$SIZE" --repeat "$REPEAT" \
    --output "$OUT" | tee "$OUT/phases-$backend.txt"
  warm_ms="$(sed -n 's/^cold.result .*warm_wall_ms=\([0-9.]*\).*/\1/p' "$OUT/phases-$backend.txt")"
  [ -n "$warm_ms" ] || die "ColdStartBenchmark printed no cold.result for $backend"
  # The whole CLI process, start to exit, as a user runs it.
  walls=()
  for ((p = 1; p <= PROCESSES; p++)); do
    t0="$(date +%s%N)"
    "$JAVA" "${JAVA_OPTS_ARR[@]}" -jar "$ADAIN_JAR" stylize -q --backend "$backend" --encoder "$ENC" \
      --decoder "$DEC" --content "$CONTENT" --style "$STYLE" --content-size "$SIZE" --style-size "$SIZE" --crop \
      --output "$OUT/cli-$backend.png"
    t1="$(date +%s%N)"
    walls+=("$(( (t1 - t0) / 1000000 ))")
    echo "cold.process backend=$backend run=$p wall_ms=${walls[-1]} load=$(cut -d' ' -f1 /proc/loadavg)"
  done
  median="$(printf '%s\n' "${walls[@]}" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')"
  awk -v b="$backend" -v m="$median" -v w="$warm_ms" 'BEGIN {
    printf "cold.summary backend=%s whole_process_ms=%.0f stylisation_alone_ms=%.0f ratio=%.2f (target <= 1.30)\n", b, m, w, m / w }'
done
