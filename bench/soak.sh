#!/usr/bin/env bash
# Soak benchmark: many stylisations with one StyleTransfer in one JVM, RSS printed every EVERY requests, then after
# trimMemory(), after close() and after a System.gc(). Not a test: it asserts nothing, it prints the figures and
# whether the targets of docs/BENCHMARKS.md ("Running in a server") are met. RSS does not depend on the machine's
# load; the time per request printed at the end does (the load average is printed beside it).
#
#   bench/soak.sh                    # small test model (committed), 1000 requests at 256 px
#   MODEL=full SIZE=512 bench/soak.sh        # full-size random weights (bench/make_full_weights.py, needs torch)
#   REQUESTS=300 EVERY=25 bench/soak.sh
#   JAVA_OPTS=-Dadain.dl4j.mallocTrim=false bench/soak.sh  # without returning freed native memory (the old behaviour)
#   SMAPS=1 bench/soak.sh            # also soak.smaps records: resident memory by kind (adds NMT's detail mode)
#   IDLE=10 bench/soak.sh            # after close(), sit idle 10 s (after_idle), then System.gc() and 10 s more
#   # the server settings of docs/BENCHMARKS.md ("What stays after close()"), with a short periodic-GC interval:
#   IDLE=10 JAVA_OPTS="-Xmx256m -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:G1PeriodicGCInterval=5000" \
#     bench/soak.sh
#
# Settings: MODEL (small|full), SIZE (256), REQUESTS (1000), EVERY (50), REFERENCE (100: the request the end is
# compared with), THREADS (OMP_NUM_THREADS, 2), SMAPS (0), IDLE (0, seconds), CONTENT, STYLE,
# ADAIN_JAR (adain-examples/target/adain.jar), ADAIN_BENCH_DIR (/tmp/adain-bench, full-size weights), JAVA_OPTS, JAVA,
# PYTHON.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
MODEL="${MODEL:-small}"
SIZE="${SIZE:-256}"
REQUESTS="${REQUESTS:-1000}"
EVERY="${EVERY:-50}"
REFERENCE="${REFERENCE:-100}"
IDLE="${IDLE:-0}"
THREADS="${THREADS:-2}"
CONTENT="${CONTENT:-../shared/images/content/golden_gate.jpg}"
STYLE="${STYLE:-../shared/images/style/brushstrokes.jpg}"
ADAIN_JAR="${ADAIN_JAR:-adain-examples/target/adain.jar}"
BENCH_DIR="${ADAIN_BENCH_DIR:-/tmp/adain-bench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
JAVA="${JAVA:-java}"
read -r -a JAVA_OPTS_ARR <<< "${JAVA_OPTS:-}"
SMAPS_ARGS=()
if [ "${SMAPS:-0}" = 1 ]; then
  JAVA_OPTS_ARR+=(-XX:NativeMemoryTracking=detail)
  SMAPS_ARGS=(--smaps)
fi

die() { echo "soak.sh: $*" >&2; exit 2; }
[ -f "$ADAIN_JAR" ] || die "the jar $ADAIN_JAR is missing: build it with  mvn -B -q -pl adain-examples -am package -DskipTests"
# the listing is read whole before grep -q: an early close of the pipe fails it under pipefail
listing="$(unzip -l "$ADAIN_JAR" 2>/dev/null || true)"
grep -q 'org/adain/examples/bench/SoakBenchmark.class' <<< "$listing" \
  || die "$ADAIN_JAR has no SoakBenchmark: rebuild it"
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

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC') soak: $MODEL model, $SIZE px, $REQUESTS requests, OMP_NUM_THREADS=$THREADS," \
     "JAVA_OPTS='${JAVA_OPTS:-}', commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
# the soak.* records go to stdout; ND4J's and adain's INFO log lines to stderr (2>/dev/null hides them)
OMP_NUM_THREADS="$THREADS" "$JAVA" "${JAVA_OPTS_ARR[@]}" -cp "$ADAIN_JAR" org.adain.examples.bench.SoakBenchmark \
  --encoder "$ENC" --decoder "$DEC" --content "$CONTENT" --style "$STYLE" --size "$SIZE" \
  --requests "$REQUESTS" --every "$EVERY" --reference "$REFERENCE" --idle "$IDLE" ${SMAPS_ARGS[@]+"${SMAPS_ARGS[@]}"}
