#!/usr/bin/env bash
# Side-by-side benchmark of one AdaIN stylisation: PyTorch (float32, the port's network; stock and with the tuned
# glibc allocator), then Java (adain through its public API, once per backend), then PyTorch again, with the same
# weights, images, size and thread count.
# See bench/README.md.
#
#   bench/compare.sh [CONTENT [STYLE]]
#
# Defaults: CONTENT=../shared/images/content/golden_gate.jpg, STYLE=../shared/images/style/brushstrokes.jpg
# (relative to the repository root). Settings by environment variable:
#   SIZES="512"          sizes to run (shorter side; e.g. SIZES="256 512 1024")
#   MODES="single"       any of: single cached batch8 batch8cached encoder decoder (see bench/README.md)
#   BACKENDS="dl4j"      Java backends to run, each its own process (e.g. BACKENDS="dl4j onnxruntime"); NAME:PRECISION
#                        runs one at a precision (e.g. BACKENDS="dl4j dl4j:bf16")
#   TUNED=1              1: also PyTorch with MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736
#                        MALLOC_TOP_PAD_=1073741824 (the tuned allocator), next to the stock run; 0: stock only
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
BACKENDS="${BACKENDS:-dl4j}"
TUNED="${TUNED:-1}"
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
  local t0 t1
  t0=$(date +%s.%N)
  if ! "$@" >> "$log" 2> "$log.err"; then
    echo "compare.sh: $name failed; last lines of its output:" >&2
    tail -n 20 "$log" "$log.err" >&2
    exit 1
  fi
  t1=$(date +%s.%N)
  # the whole process: start-up, model and image load, warm-ups and timed runs (WARMUP=0 RUNS=1 makes it a cold run)
  echo "bench.process wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" >> "$log"
  grep '^bench\.run .*phase=timed' "$log" | sed 's/^/   /'
}

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs, OMP_NUM_THREADS=$THREADS, jar $ADAIN_JAR"
echo "   content $CONTENT, style $STYLE, sizes: $SIZES, crop=$CROP, $WARMUP warm-ups + $RUNS timed runs per process"
echo "   raw output in $LOGS"

TUNED_ENV=(env MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824)
for size in $SIZES; do
  for mode in $MODES; do
    common=(--content "$CONTENT" --style "$STYLE" --size "$size" "${crop_flag[@]}" --warmup "$WARMUP" --runs "$RUNS"
            --mode "$mode")
    torch_cmd=("$PYTHON" bench/pytorch_baseline.py --weights "$NPZ" --threads "$THREADS" "${common[@]}")
    run "PyTorch #1, size $size, $mode" "$LOGS/$size-$mode-1-pytorch.log" "${torch_cmd[@]}"
    if [ "$TUNED" = 1 ]; then
      run "PyTorch tuned #1, size $size, $mode" "$LOGS/$size-$mode-2-pytorchtuned.log" "${TUNED_ENV[@]}" "${torch_cmd[@]}"
    fi
    for backend in $BACKENDS; do
      # NAME or NAME:PRECISION (e.g. dl4j:bf16)
      precision_flag=()
      [[ "$backend" == *:* ]] && precision_flag=(--precision "${backend#*:}")
      run "Java $backend, size $size, $mode" "$LOGS/$size-$mode-3-java_$backend.log" \
        "$JAVA" "${JAVA_OPTS_ARR[@]}" -Dadain.backend="${backend%%:*}" -Dadain.onnxruntime.threads="$THREADS" \
          -cp "$ADAIN_JAR" org.adain.examples.bench.StylizeBenchmark --encoder "$ENC" --decoder "$DEC" "${common[@]}" \
          "${precision_flag[@]}"
    done
    if [ "$BRACKET" = 1 ]; then
      run "PyTorch #2, size $size, $mode" "$LOGS/$size-$mode-4-pytorch.log" "${torch_cmd[@]}"
      if [ "$TUNED" = 1 ]; then
        run "PyTorch tuned #2, size $size, $mode" "$LOGS/$size-$mode-5-pytorchtuned.log" "${TUNED_ENV[@]}" \
          "${torch_cmd[@]}"
      fi
    fi
  done
done

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
javas = []
for size, mode in [(s, m) for s in sizes for m in modes]:
    rows = []
    for path in sorted(glob.glob(os.path.join(logs, "%s-%s-*.log" % (size, mode)))):
        rec = records(path)
        order, tag = os.path.basename(path)[:-4].split("-")[2:4]
        if tag.startswith("java_"):
            name, kind = "Java " + tag[5:], "java"
            if name not in javas:
                javas.append(name)
        else:
            kind = "tuned" if tag == "pytorchtuned" else "torch"
            name = ("PyTorch tuned" if kind == "tuned" else "PyTorch") + (" #2" if order in "45" else " #1")
        info = next(d for k, d in rec if k == "bench.info")
        res = next(d for k, d in rec if k == "bench.result")
        load = next(d for k, d in rec if k == "bench.load")["before"]
        ratios = [float(d["cpu_per_wall"]) for k, d in rec if k == "bench.run" and d["phase"] == "timed"]
        process = next((d["wall_s"] for k, d in rec if k == "bench.process"), "?")
        rows.append((name, info, res, load, ratios, kind, process))
        if any(r < 0.75 * threads or r > 1.1 * threads for r in ratios):
            busy.append("%s at %s %s: cpu/wall %s" % (name, size, mode, " ".join("%.2f" % r for r in ratios)))
    info = rows[0][1]
    print()
    print("size %s, mode %s%s: content %s, style %s -> output %s; %d threads; median of %s timed runs"
          % (size, mode, " (crop)" if info["crop"] == "true" else "", info["content"], info["style"], info["output"],
             threads, rows[0][2]["runs"]))
    head = "%-17s %12s %17s %12s %-32s %9s %6s %12s" % (
        "run", "median wall", "min-max wall", "median cpu", "cpu/wall of each timed run", "peak RSS", "load", "output mean")
    print(head)
    print("-" * len(head))
    for name, info, res, load, ratios, kind, process in rows:
        print("%-17s %10.3f s %7.3f-%6.3f s %10.3f s %-32s %5s MiB %6s %12s" % (
            name, float(res["median_wall_s"]), float(res["min_wall_s"]), float(res["max_wall_s"]),
            float(res["median_cpu_s"]), " ".join("%.2f" % r for r in ratios), res["peak_rss_mib"], load,
            res["out_mean"]))
    peer = {}
    for kind in ("torch", "tuned"):
        walls = [float(r[2]["median_wall_s"]) for r in rows if r[5] == kind]
        if walls:
            peer[kind] = statistics.mean(walls)
            if len(walls) > 1:
                print("%s drift #2/#1: %+.1f%%" % ("PyTorch tuned" if kind == "tuned" else "PyTorch",
                                                   100.0 * (walls[1] / walls[0] - 1.0)))
    entry = {"size": size, "mode": mode, "peer": peer, "java": {}, "rss": {}}
    for name, info, res, load, ratios, kind, process in rows:
        entry["rss"].setdefault(name if kind == "java" else kind, []).append(res["peak_rss_mib"])
        if kind == "java":
            wall = float(res["median_wall_s"])
            entry["java"][name] = wall
            print("%s / PyTorch (median wall): %s" % (name, ", ".join(
                "%.2fx against %s" % (wall / t, "tuned" if k == "tuned" else "stock") for k, t in peer.items())))
    print("model + image load time, not in the timings: %s"
          % ", ".join("%s %s s" % (r[0], r[1]["load_s"]) for r in rows))
    print("whole process wall (start to exit: start-up, loads, warm-ups, timed runs): %s"
          % ", ".join("%s %s s" % (r[0], r[6]) for r in rows))
    summary.append(entry)

print()
print("summary (median wall seconds per timed run; batch8 modes: 8 stylisations per run; PyTorch: mean of its runs)")
cols = javas + ["PyTorch", "PyTorch tuned"]
print("| size | mode | " + " | ".join("%s s" % c for c in cols) + " | "
      + " | ".join("%s / PyTorch, / tuned" % j for j in javas) + " | peak RSS MiB (" + ", ".join(cols) + ") |")
print("|" + "---|" * (3 + len(cols) + len(javas)))
for e in summary:
    vals = [e["java"].get(j) for j in javas] + [e["peer"].get("torch"), e["peer"].get("tuned")]
    rat = [", ".join("%.2fx" % (e["java"][j] / e["peer"][k]) if j in e["java"] and k in e["peer"] else "-"
                     for k in ("torch", "tuned")) for j in javas]
    rss = ", ".join("/".join(e["rss"].get(k, ["-"])) for k in javas + ["torch", "tuned"])
    print("| %s | %s | %s | %s | %s |" % (e["size"], e["mode"], " | ".join("%.3f" % v if v else "-" for v in vals),
                                         " | ".join(rat), rss))
by = {(e["size"], e["mode"]): e for e in summary}
for size in sizes:
    if (size, "batch8") in by and (size, "batch8cached") in by:
        u, c = by[(size, "batch8")], by[(size, "batch8cached")]
        print("size %s, 8 contents + 1 style: cached-style throughput / uncached: %s, PyTorch %.2fx" % (size, ", ".join(
            "%s %.2fx" % (j, u["java"][j] / c["java"][j]) for j in javas if j in u["java"] and j in c["java"]),
            u["peer"]["torch"] / c["peer"]["torch"]))
print()
print("load average at the end: %s (a shared machine makes these numbers noisy)" % open("/proc/loadavg").read().strip())
if busy:
    print("WARNING: cpu/wall far from %d in some timed runs (machine busy, or work not parallel); "
          "treat those timings as upper bounds:" % threads)
    for b in busy:
        print("  " + b)
else:
    print("cpu/wall stayed within [%.1f, %.1f] in every timed run." % (0.75 * threads, 1.1 * threads))
EOF
