#!/usr/bin/env bash
# Load benchmark: CLIENTS threads send stylisations for DURATION seconds against INSTANCES StyleTransfers in one JVM
# (client k uses instance k mod INSTANCES). Prints throughput, p50/p90/p99/max latency, errors, cpu/wall, the load
# average before and after, and RSS. Timings from a shared machine are only comparable at similar load.
#
#   bench/load.sh                                   # 8 clients, 1 instance, 5 minutes, 256 px, small test model
#   DURATION=60 bench/load.sh                       # a shorter run
#   THREADS=1 INSTANCES=2 CLIENTS=8 bench/load.sh   # two instances with one ND4J thread each
#   MODEL=full bench/load.sh                        # full-size random weights (bench/make_full_weights.py)
#
# Settings: MODEL (small|full), SIZE (256), CLIENTS (8), INSTANCES (1), DURATION (300 s), WARMUP (3 requests per
# instance), THREADS (OMP_NUM_THREADS: ND4J's threads per op, 2), CONTENT, STYLE, ADAIN_JAR, ADAIN_BENCH_DIR,
# JAVA_OPTS, JAVA, PYTHON.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
MODEL="${MODEL:-small}"
SIZE="${SIZE:-256}"
CLIENTS="${CLIENTS:-8}"
INSTANCES="${INSTANCES:-1}"
DURATION="${DURATION:-300}"
WARMUP="${WARMUP:-3}"
THREADS="${THREADS:-2}"
CONTENT="${CONTENT:-../shared/images/content/golden_gate.jpg}"
STYLE="${STYLE:-../shared/images/style/brushstrokes.jpg}"
ADAIN_JAR="${ADAIN_JAR:-adain-examples/target/adain.jar}"
BENCH_DIR="${ADAIN_BENCH_DIR:-/tmp/adain-bench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
JAVA="${JAVA:-java}"
read -r -a JAVA_OPTS_ARR <<< "${JAVA_OPTS:-}"

die() { echo "load.sh: $*" >&2; exit 2; }
[ -f "$ADAIN_JAR" ] || die "the jar $ADAIN_JAR is missing: build it with  mvn -B -q -pl adain-examples -am package -DskipTests"
# the listing is read whole before grep -q: an early close of the pipe fails it under pipefail
listing="$(unzip -l "$ADAIN_JAR" 2>/dev/null || true)"
grep -q 'org/adain/examples/bench/LoadBenchmark.class' <<< "$listing" \
  || die "$ADAIN_JAR has no LoadBenchmark: rebuild it"
case "$MODEL" in
  small)
    ENC=adain-testkit/src/main/resources/org/adain/testkit/reference/models/encoder_tf2.h5
    DEC=adain-testkit/src/main/resources/org/adain/testkit/reference/models/decoder_tf2.h5 ;;
  full)
    ENC="$BENCH_DIR/encoder_tf2.h5"
    DEC="$BENCH_DIR/decoder_tf2.h5"
    if [ ! -f "$ENC" ] || [ ! -f "$DEC" ]; then
      "$PYTHON" bench/make_full_weights.py "$BENCH_DIR" || die "could not generate the full-size weights (needs $PYTHON with torch, numpy, h5py)"
    fi ;;
  *) die "MODEL must be small or full, got '$MODEL'" ;;
esac
[ -f "$CONTENT" ] || die "content image $CONTENT not found"
[ -f "$STYLE" ] || die "style image $STYLE not found"

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC') load: $MODEL model, $SIZE px, $CLIENTS clients, $INSTANCES instance(s)," \
     "OMP_NUM_THREADS=$THREADS, ${DURATION}s, $(nproc) CPUs, JAVA_OPTS='${JAVA_OPTS:-}'"
OMP_NUM_THREADS="$THREADS" "$JAVA" "${JAVA_OPTS_ARR[@]}" -cp "$ADAIN_JAR" org.adain.examples.bench.LoadBenchmark \
  --encoder "$ENC" --decoder "$DEC" --content "$CONTENT" --style "$STYLE" --size "$SIZE" \
  --clients "$CLIENTS" --instances "$INSTANCES" --duration "$DURATION" --warmup "$WARMUP"
