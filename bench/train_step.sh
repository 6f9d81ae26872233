#!/usr/bin/env bash
# Milliseconds per decoder-training step: PyTorch (the port's train.py step, float32), then Java (the dl4j backend's
# DecoderTraining.step), then PyTorch again, back to back, with the same full-size random weights, the same
# deterministic images, the same batch, size and thread count. Not a test: run it by hand on a quiet machine.
#
#   bench/train_step.sh
#
# Settings by environment variable:
#   BATCH=8 SIZE=256          batch of (content, style) pairs, square images of SIZE
#   THREADS=2                 OMP_NUM_THREADS for both sides and torch.set_num_threads
#   WARMUP=2 RUNS=3           untimed and timed steps per process (the median of the timed ones is reported)
#   ADAIN_TARGET=target       the Maven build directory (-Dadain.target) holding the compiled classes
#   SKIP_BUILD=0              1: use the classes already in ADAIN_TARGET (no mvn test-compile)
#   ADAIN_BENCH_DIR=/tmp/adain-bench   full-size random weights (made by bench/make_full_weights.py if missing)
#   PYTHON=/usr/bin/python3  JAVA=java  JAVA_OPTS=
# Raw output goes to $ADAIN_BENCH_DIR/train-logs-<time>/. The first loss of each side is a checksum: the two
# sides compute the same function on the same numbers, so it must agree to about 5 digits.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

BATCH="${BATCH:-8}"
SIZE="${SIZE:-256}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-2}"
RUNS="${RUNS:-3}"
T="${ADAIN_TARGET:-target}"
SKIP_BUILD="${SKIP_BUILD:-0}"
BENCH_DIR="${ADAIN_BENCH_DIR:-/tmp/adain-bench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
JAVA="${JAVA:-java}"
read -r -a JAVA_OPTS_ARR <<< "${JAVA_OPTS:-}"

die() { echo "train_step.sh: $*" >&2; exit 2; }

command -v "$JAVA" >/dev/null 2>&1 || die "no '$JAVA' on the PATH (set JAVA=...)"
"$PYTHON" -c 'import torch, numpy' 2>/dev/null || die "$PYTHON lacks torch/numpy (Debian: apt-get install python3-torch)"

NPZ="$BENCH_DIR/weights.npz"
if [ ! -f "$NPZ" ]; then
  echo "== generating full-size random weights in $BENCH_DIR"
  "$PYTHON" bench/make_full_weights.py "$BENCH_DIR"
fi

CPFILE="adain-dl4j/$T/train-step-bench.classpath"
if [ "$SKIP_BUILD" != 1 ]; then
  echo "== compiling adain-dl4j test classes into adain-dl4j/$T"
  mvn -B -o -q -pl adain-testkit,adain-dl4j -Dadain.target="$T" test-compile
fi
if [ "$SKIP_BUILD" != 1 ] || [ ! -f "$CPFILE" ]; then
  mvn -B -o -q -pl adain-dl4j -Dadain.target="$T" dependency:build-classpath -Dmdep.outputFile="$REPO/$CPFILE" \
    >/dev/null
fi
[ -f "adain-dl4j/$T/test-classes/org/adain/dl4j/train/TrainStepBenchmark.class" ] \
  || die "adain-dl4j/$T/test-classes lacks TrainStepBenchmark: run without SKIP_BUILD=1"
# the testkit's own classes first when they were built here (the jar in ~/.m2 may be another build)
CP="adain-testkit/$T/classes:adain-dl4j/$T/test-classes:adain-dl4j/$T/classes:$(cat "$CPFILE")"

export OMP_NUM_THREADS="$THREADS"
LOGS="$BENCH_DIR/train-logs-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$LOGS"
common=(--batch "$BATCH" --size "$SIZE" --warmup "$WARMUP" --runs "$RUNS")

run() {   # run NAME LOGFILE COMMAND...
  local name="$1" log="$2"
  shift 2
  echo "== $name  (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "bench.load before=$(cut -d' ' -f1 /proc/loadavg)" > "$log"
  if ! "$@" >> "$log" 2> "$log.err"; then
    echo "train_step.sh: $name failed; last lines of its output:" >&2
    tail -n 20 "$log" "$log.err" >&2
    exit 1
  fi
  grep '^bench\.step' "$log" | sed 's/^/   /'
}

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs, OMP_NUM_THREADS=$THREADS, batch $BATCH, ${SIZE}x${SIZE}"
echo "   $WARMUP warm-up + $RUNS timed steps per process; raw output in $LOGS"
run "PyTorch #1" "$LOGS/1-pytorch.log" "$PYTHON" bench/train_step_pytorch.py --weights "$NPZ" --threads "$THREADS" \
  "${common[@]}"
run "Java (dl4j)" "$LOGS/2-java.log" "$JAVA" "${JAVA_OPTS_ARR[@]}" -cp "$CP" org.adain.dl4j.train.TrainStepBenchmark \
  --weights "$NPZ" "${common[@]}"
run "PyTorch #2" "$LOGS/3-pytorch.log" "$PYTHON" bench/train_step_pytorch.py --weights "$NPZ" --threads "$THREADS" \
  "${common[@]}"

"$PYTHON" - "$LOGS" <<'EOF'
import glob, os, sys

def fields(path, key):
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if parts and parts[0] == key:
            return dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    return {}

rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.log"))):
    name = {"1": "PyTorch #1", "2": "Java (dl4j)", "3": "PyTorch #2"}[os.path.basename(path)[0]]
    r = fields(path, "bench.result")
    rows.append((name, float(r["median_ms"]), r["first_loss"], int(r["peak_rss_mib"]), fields(path, "bench.load")["before"]))
print()
print("| side | median ms/step | first loss (checksum) | peak RSS MiB | load before |")
print("|---|---|---|---|---|")
for name, ms, loss, rss, load in rows:
    print("| %s | %.0f | %s | %d | %s |" % (name, ms, loss, rss, load))
torch_ms = [ms for name, ms, *_ in rows if name.startswith("PyTorch")]
java_ms = [ms for name, ms, *_ in rows if name.startswith("Java")]
if torch_ms and java_ms:
    print()
    print("Java / PyTorch: %.2fx (against the mean of the PyTorch runs, %.0f ms; the two PyTorch runs differ by %.0f%%)"
          % (java_ms[0] / (sum(torch_ms) / len(torch_ms)), sum(torch_ms) / len(torch_ms),
             100 * abs(torch_ms[0] - torch_ms[-1]) / min(torch_ms)))
EOF
