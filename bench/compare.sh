#!/usr/bin/env bash
# Side-by-side benchmark of one AdaIN stylisation: PyTorch (float32, the port's network), then Java (adain through
# its public API, DL4J backend), then PyTorch again, with the same weights, images, size and thread count.
# See bench/README.md.
#
#   bench/compare.sh [CONTENT [STYLE]]
#
# Defaults: CONTENT=../shared/images/content/golden_gate.jpg, STYLE=../shared/images/style/brushstrokes.jpg
# (relative to the repository root). Settings by environment variable:
#   SIZES="512"          sizes to run (shorter side; e.g. SIZES="256 512 1024")
#   MODES="single"       any of: single cached batch8 batch8cached (see bench/README.md)
#   BRACKET=1            1: PyTorch before and after Java; 0: PyTorch once, before (halves the PyTorch time)
#   CROP=1               1: centre-crop to SIZE x SIZE (like test.py --crop); 0: keep the aspect ratio
#   THREADS=2            OMP_NUM_THREADS for both sides and torch.set_num_threads
#   WARMUP=2 RUNS=5      untimed and timed runs per process
#   ADAIN_JAR=adain-examples/target/adain.jar    the shaded jar (built by mvn -B -q install -DskipTests)
#   ADAIN_BENCH_DIR=/tmp/adain-bench             full-size random weights (generated if missing) and logs
#   PYTHON=/usr/bin/python3  JAVA=java  JAVA_OPTS=
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

CONTENT="${1:-../shared/images/content/golden_gate.jpg}"
STYLE="${2:-../shared/images/style/brushstrokes.jpg}"
SIZES="${SIZES:-512}"
MODES="${MODES:-single}"
BRACKET="${BRACKET:-1}"
CROP="${CROP:-1}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-2}"
RUNS="${RUNS:-5}"
ADAIN_JAR="${ADAIN_JAR:-adain-examples/target/adain.jar}"
BENCH_DIR="${ADAIN_BENCH_DIR:-/tmp/adain-bench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
JAVA="${JAVA:-java}"
read -r -a JAVA_OPTS_ARR <<< "${JAVA_OPTS:-}"

die() { echo "compare.sh: $*" >&2; exit 2; }

# --- preconditions, cheapest first ---------------------------------------------------------------------------
[ -f "$ADAIN_JAR" ] || die "the jar $ADAIN_JAR is missing. Build it first:  (cd $REPO && mvn -B -q install -DskipTests)
            or point ADAIN_JAR at an existing shaded adain.jar"
command -v "$JAVA" >/dev/null 2>&1 || die "no '$JAVA' on the PATH (set JAVA=...)"
[ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null 2>&1 || die "no Python at $PYTHON (set PYTHON=...)"
"$PYTHON" -c 'import torch, numpy, h5py, PIL' 2>/dev/null \
  || die "$PYTHON lacks torch/numpy/h5py/PIL (Debian: apt-get install python3-torch python3-h5py python3-pil)"
"$PYTHON" - "$ADAIN_JAR" <<'EOF_JAR' || die "$ADAIN_JAR is not a shaded adain jar with the benchmark class and a
            backend: rebuild it (cd $REPO && mvn -B -q install -DskipTests)"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
sys.exit(0 if {"org/adain/examples/bench/StylizeBenchmark.class",
               "META-INF/services/org.adain.spi.BackendProvider"} <= names else 1)
EOF_JAR
[ -f "$CONTENT" ] || die "content image $CONTENT not found"
[ -f "$STYLE" ] || die "style image $STYLE not found"
case "$CROP" in 0|1) ;; *) die "CROP must be 0 or 1, got '$CROP'";; esac

ENC="$BENCH_DIR/encoder_tf2.h5"
DEC="$BENCH_DIR/decoder_tf2.h5"
NPZ="$BENCH_DIR/weights.npz"
if [ ! -f "$ENC" ] || [ ! -f "$DEC" ] || [ ! -f "$NPZ" ]; then
  echo "== generating full-size random weights in $BENCH_DIR"
  "$PYTHON" bench/make_full_weights.py "$BENCH_DIR"
fi

export OMP_NUM_THREADS="$THREADS"
LOGS="$BENCH_DIR/logs-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$LOGS"
crop_flag=()
[ "$CROP" = 1 ] && crop_flag=(--crop)

run() {   # run NAME LOGFILE COMMAND...
  local name="$1" log="$2"
  shift 2
  echo "== $name  (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  { echo "bench.load before=$(cut -d' ' -f1 /proc/loadavg)"; } > "$log"
  if ! "$@" >> "$log" 2> "$log.err"; then
    echo "compare.sh: $name failed; last lines of its output:" >&2
    tail -n 20 "$log" "$log.err" >&2
    exit 1
  fi
  grep '^bench\.run .*phase=timed' "$log" | sed 's/^/   /'
}

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs, OMP_NUM_THREADS=$THREADS, jar $ADAIN_JAR"
echo "   content $CONTENT, style $STYLE, sizes: $SIZES, crop=$CROP, $WARMUP warm-ups + $RUNS timed runs per process"
echo "   raw output in $LOGS"

for size in $SIZES; do
  for mode in $MODES; do
    common=(--content "$CONTENT" --style "$STYLE" --size "$size" "${crop_flag[@]}" --warmup "$WARMUP" --runs "$RUNS"
            --mode "$mode")
    run "PyTorch #1, size $size, $mode" "$LOGS/$size-$mode-1-pytorch.log" \
      "$PYTHON" bench/pytorch_baseline.py --weights "$NPZ" --threads "$THREADS" "${common[@]}"
    run "Java, size $size, $mode" "$LOGS/$size-$mode-2-java.log" \
      "$JAVA" "${JAVA_OPTS_ARR[@]}" -cp "$ADAIN_JAR" org.adain.examples.bench.StylizeBenchmark \
        --encoder "$ENC" --decoder "$DEC" "${common[@]}"
    if [ "$BRACKET" = 1 ]; then
      run "PyTorch #2, size $size, $mode" "$LOGS/$size-$mode-3-pytorch.log" \
        "$PYTHON" bench/pytorch_baseline.py --weights "$NPZ" --threads "$THREADS" "${common[@]}"
    fi
  done
done

# --- the table ----------------------------------------------------------------------------------------------
"$PYTHON" - "$LOGS" "$THREADS" "$MODES" $SIZES <<'EOF'
import glob, os, statistics, sys

logs, threads, modes, sizes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4:]

def records(path):
    out = []
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if parts and parts[0].startswith("bench.") and parts[0] != "bench.backend":
            out.append((parts[0], dict(p.split("=", 1) for p in parts[1:] if "=" in p)))
    return out

busy = []
summary = []
for size, mode in [(s, m) for s in sizes for m in modes]:
    rows = []
    for path in sorted(glob.glob(os.path.join(logs, "%s-%s-*.log" % (size, mode)))):
        rec = records(path)
        name = {"1": "PyTorch #1", "2": "Java", "3": "PyTorch #2"}[os.path.basename(path).split("-")[2]]
        info = next(d for k, d in rec if k == "bench.info")
        res = next(d for k, d in rec if k == "bench.result")
        load = next(d for k, d in rec if k == "bench.load")["before"]
        ratios = [float(d["cpu_per_wall"]) for k, d in rec if k == "bench.run" and d["phase"] == "timed"]
        rows.append((name, info, res, load, ratios))
        if any(r < 0.75 * threads or r > 1.1 * threads for r in ratios):
            busy.append("%s at %s %s: cpu/wall %s" % (name, size, mode, " ".join("%.2f" % r for r in ratios)))
    info = rows[0][1]
    print()
    print("size %s, mode %s%s: content %s, style %s -> output %s; %d threads; median of %s timed runs"
          % (size, mode, " (crop)" if info["crop"] == "true" else "", info["content"], info["style"], info["output"],
             threads, rows[0][2]["runs"]))
    head = "%-11s %12s %17s %12s %-32s %9s %6s %12s" % (
        "run", "median wall", "min-max wall", "median cpu", "cpu/wall of each timed run", "peak RSS", "load", "output mean")
    print(head)
    print("-" * len(head))
    for name, info, res, load, ratios in rows:
        print("%-11s %10.3f s %7.3f-%6.3f s %10.3f s %-32s %5s MiB %6s %12s" % (
            name, float(res["median_wall_s"]), float(res["min_wall_s"]), float(res["max_wall_s"]),
            float(res["median_cpu_s"]), " ".join("%.2f" % r for r in ratios), res["peak_rss_mib"], load,
            res["out_mean"]))
    java = [float(r[2]["median_wall_s"]) for r in rows if r[0] == "Java"][0]
    torch = [float(r[2]["median_wall_s"]) for r in rows if r[0] != "Java"]
    drift = "; PyTorch drift #2/#1: %+.1f%%" % (100.0 * (torch[1] / torch[0] - 1.0)) if len(torch) > 1 else ""
    print("Java / PyTorch (median wall): %.2fx against the mean of the PyTorch medians (%s against each)%s"
          % (java / statistics.mean(torch), ", ".join("%.2fx" % (java / t) for t in torch), drift))
    jcpu = [float(r[2]["median_cpu_s"]) for r in rows if r[0] == "Java"][0]
    tcpu = [float(r[2]["median_cpu_s"]) for r in rows if r[0] != "Java"]
    print("Java / PyTorch (median cpu):  %.2fx (less sensitive to other load than wall time, "
          "but not a substitute for a quiet machine)" % (jcpu / statistics.mean(tcpu)))
    load_s = ", ".join("%s %s s" % (r[0], r[1]["load_s"]) for r in rows)
    print("model + image load time, not in the timings: %s" % load_s)
    jrow = [r for r in rows if r[0] == "Java"][0]
    trows = [r for r in rows if r[0] != "Java"]
    summary.append((size, mode, java, statistics.mean(torch), jrow, trows))

def cpw(rs):
    return "%.2f-%.2f" % (min(rs), max(rs))

print()
print("summary (median wall seconds per timed run; batch8 modes: 8 stylisations per run)")
head = "| size | mode | Java s | PyTorch s | Java/PyTorch | Java cpu/wall | PyTorch cpu/wall | Java RSS MiB | PyTorch RSS MiB |"
print(head)
print("|" + "---|" * 9)
for size, mode, java, torch, jrow, trows in summary:
    print("| %s | %s | %.3f | %.3f | %.2fx | %s | %s | %s | %s |" % (
        size, mode, java, torch, java / torch, cpw(jrow[4]), cpw([r for t in trows for r in t[4]]),
        jrow[2]["peak_rss_mib"], "/".join(t[2]["peak_rss_mib"] for t in trows)))
by = {(s, m): (j, t) for s, m, j, t, _, _ in summary}
for size in sizes:
    if (size, "batch8") in by and (size, "batch8cached") in by:
        (ju, tu), (jc, tc) = by[(size, "batch8")], by[(size, "batch8cached")]
        print("size %s, 8 contents + 1 style: cached-style throughput / uncached: Java %.2fx, PyTorch %.2fx"
              % (size, ju / jc, tu / tc))
print()
if busy:
    print("WARNING: cpu/wall far from %d in some timed runs (machine busy, or work not parallel); "
          "treat those timings as upper bounds:" % threads)
    for b in busy:
        print("  " + b)
else:
    print("cpu/wall stayed within [%.1f, %.1f] in every timed run." % (0.75 * threads, 1.1 * threads))
EOF
