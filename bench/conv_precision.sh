#!/usr/bin/env bash
# The bf16 probe (docs/BENCHMARKS.md, "bf16 probe"): one 64→64 3×3 conv at 512² and one 512→512 at 64², with bias
# and ReLU, float32 against bfloat16 (and int8), through ND4J's conv2d (ConvPrecisionBenchmark) and through oneDNN
# called directly (DnnlConvBenchmark, JavaCPP's dnnl preset, test scope). Not a test: run it by hand. Linux x86-64
# only (the dnnl natives come with that profile).
#
#   bench/conv_precision.sh
#
# Settings by environment variable:
#   THREADS=2                 OMP_NUM_THREADS
#   WARMUP=1 RUNS=5           untimed and timed calls per case (medians reported)
#   ND4J_BF16=1               also time ND4J's bfloat16 conv (one call per case: about 35-55 s each, 4 cases)
#   VERBOSE=1                 one more pass of each with DNNL_VERBOSE/ONEDNN_VERBOSE=1 (kernel names per call)
#   ADAIN_TARGET=target       the Maven build directory (-Dadain.target) holding the compiled classes
#   SKIP_BUILD=0              1: use the classes already in ADAIN_TARGET (no mvn test-compile)
#   JAVA=java  JAVA_OPTS=
# Raw output goes to ${TMPDIR:-/tmp}/adain-conv-precision-<time>/.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-1}"
RUNS="${RUNS:-5}"
ND4J_BF16="${ND4J_BF16:-1}"
VERBOSE="${VERBOSE:-1}"
T="${ADAIN_TARGET:-target}"
SKIP_BUILD="${SKIP_BUILD:-0}"
JAVA="${JAVA:-java}"
read -r -a JAVA_OPTS_ARR <<< "${JAVA_OPTS:-}"

die() { echo "conv_precision.sh: $*" >&2; exit 2; }

command -v "$JAVA" >/dev/null 2>&1 || die "no '$JAVA' on the PATH (set JAVA=...)"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "needs Linux x86-64 (the dnnl natives), got $(uname -sm)"

CPFILE="adain-dl4j/$T/conv-precision.classpath"
if [ "$SKIP_BUILD" != 1 ]; then
  echo "== compiling adain-dl4j test classes into adain-dl4j/$T"
  # one reactor call: the sibling modules resolve to their classes only when they are built in the same run
  mvn -B -o -q -pl adain-dl4j -am -Dadain.target="$T" test-compile dependency:build-classpath \
    -Dmdep.outputFile="$REPO/$CPFILE"
fi
[ -f "$CPFILE" ] || die "no $CPFILE: run without SKIP_BUILD=1"
[ -f "adain-dl4j/$T/test-classes/org/adain/dl4j/graph/DnnlConvBenchmark.class" ] \
  || die "adain-dl4j/$T/test-classes lacks DnnlConvBenchmark: run without SKIP_BUILD=1"
CP="adain-dl4j/$T/test-classes:adain-dl4j/$T/classes:$(cat "$CPFILE")"

export OMP_NUM_THREADS="$THREADS"
LOGS="${TMPDIR:-/tmp}/adain-conv-precision-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$LOGS"

run() {   # run NAME LOGFILE COMMAND...
  local name="$1" log="$2"
  shift 2
  echo "== $name  (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  if ! "$@" > "$log" 2> "$log.err"; then
    echo "conv_precision.sh: $name failed; last lines of its output:" >&2
    tail -n 20 "$log" "$log.err" >&2
    exit 1
  fi
  grep '^bench\.result' "$log" | sed 's/^/   /'
}

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs, OMP_NUM_THREADS=$THREADS; raw output in $LOGS"
J=("$JAVA" "${JAVA_OPTS_ARR[@]}" -cp "$CP")
run "ND4J conv2d, float32" "$LOGS/nd4j-f32.log" \
  "${J[@]}" org.adain.dl4j.graph.ConvPrecisionBenchmark --dtypes FLOAT --warmup "$WARMUP" --runs "$RUNS"
run "oneDNN direct, f32/bf16/int8" "$LOGS/dnnl.log" \
  "${J[@]}" org.adain.dl4j.graph.DnnlConvBenchmark --warmup "$WARMUP" --runs "$RUNS"
if [ "$ND4J_BF16" = 1 ]; then
  run "ND4J conv2d, bfloat16 (one call per case)" "$LOGS/nd4j-bf16.log" \
    env DNNL_VERBOSE="$VERBOSE" "${J[@]}" org.adain.dl4j.graph.ConvPrecisionBenchmark --dtypes BFLOAT16 \
    --warmup 0 --runs 1
fi
if [ "$VERBOSE" = 1 ]; then
  run "ND4J conv2d, float32, DNNL_VERBOSE=1" "$LOGS/nd4j-f32-verbose.log" \
    env DNNL_VERBOSE=1 "${J[@]}" org.adain.dl4j.graph.ConvPrecisionBenchmark --dtypes FLOAT --warmup 1 --runs 1
  run "oneDNN direct, ONEDNN_VERBOSE=1" "$LOGS/dnnl-verbose.log" \
    env ONEDNN_VERBOSE=1 "${J[@]}" org.adain.dl4j.graph.DnnlConvBenchmark --warmup 1 --runs 1
  echo "== oneDNN convolution kernels per timed case (\"none\": not one oneDNN convolution, ND4J's own loops ran)"
  for f in "$LOGS"/*verbose.log "$LOGS/nd4j-bf16.log"; do
    [ -f "$f" ] || continue
    awk -F, '
      function flush() { if (c != "" && n == 0) print "   " c " -> none" }
      /^bench\.(case|reference|result)/ { flush(); c = ""; n = 0 }
      /^bench\.case/ { c = $0; sub(/ (input|impl)=.*/, "", c); sub(/^bench\.case /, "", c) }
      /exec,cpu,convolution/ { if (c != "") { n++; print "   " c " -> " $5 " " $7 } }
      END { flush() }' "$f" | sort | uniq -c
  done
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
