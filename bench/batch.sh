#!/usr/bin/env bash
# Throughput of many images: `adain batch` (one JVM, model loaded once, style encoded once) against a shell loop
# over `adain stylize` (one JVM per image, what a script around the single-image command does) and against our
# PyTorch script doing the same as adain batch (bench/pytorch_batch.py), the PyTorch peer run twice, with glibc's
# stock allocator and with the tuned one, in the same run. Not a test: run it by hand on a quiet machine.
#
#   bench/batch.sh
#
# Settings by environment variable:
#   N=16            content images (made from ../shared/images/content: the photos and mirrored/flipped variants)
#   LOOP_N=4        images the `adain stylize` loop does (it costs a JVM start and a model load each)
#   SIZE=512        --content-size and --style-size
#   THREADS=2       OMP_NUM_THREADS and torch.set_num_threads
#   STYLE=../shared/images/style/brushstrokes.jpg
#   ADAIN_JAR=adain-examples/target/adain.jar   (mvn -B -pl adain-examples -am package -DskipTests)
#   ADAIN_BENCH_DIR=/tmp/adain-bench            full-size random weights (generated if missing), inputs, outputs
#   PYTHON=/usr/bin/python3  JAVA=java
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
N="${N:-16}"
LOOP_N="${LOOP_N:-4}"
SIZE="${SIZE:-512}"
THREADS="${THREADS:-2}"
STYLE="${STYLE:-../shared/images/style/brushstrokes.jpg}"
ADAIN_JAR="${ADAIN_JAR:-adain-examples/target/adain.jar}"
BENCH_DIR="${ADAIN_BENCH_DIR:-/tmp/adain-bench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
JAVA="${JAVA:-java}"
TUNED=(MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824)

die() { echo "batch.sh: $*" >&2; exit 2; }
[ -f "$ADAIN_JAR" ] || die "the jar $ADAIN_JAR is missing: mvn -B -pl adain-examples -am package -DskipTests"
"$PYTHON" -c 'import torch, numpy, h5py, PIL' 2>/dev/null || die "$PYTHON lacks torch/numpy/h5py/PIL"
[ -f "$STYLE" ] || die "style image $STYLE not found"
ENC="$BENCH_DIR/encoder_tf2.h5"; DEC="$BENCH_DIR/decoder_tf2.h5"; NPZ="$BENCH_DIR/weights.npz"
if [ ! -f "$ENC" ] || [ ! -f "$DEC" ] || [ ! -f "$NPZ" ]; then
  "$PYTHON" bench/make_full_weights.py "$BENCH_DIR"
fi
export OMP_NUM_THREADS="$THREADS"

WORK="$BENCH_DIR/batch-$(date +%Y%m%d-%H%M%S)"
IN="$WORK/in"
mkdir -p "$IN"
# N contents in two subdirectories, as JPEG like most photo archives.
"$PYTHON" - "$IN" "$N" ../shared/images/content <<'EOF_IMAGES'
import os, sys
from PIL import Image, ImageOps
out, n, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
photos = [Image.open(os.path.join(src, f)).convert("RGB") for f in sorted(os.listdir(src)) if f.endswith(".jpg")]
for i in range(n):
    img = photos[i % len(photos)]
    k = i // len(photos)
    if k & 1: img = ImageOps.mirror(img)
    if k & 2: img = ImageOps.flip(img)
    if k & 4: img = img.rotate(180)
    d = os.path.join(out, "set%d" % (i % 2))
    os.makedirs(d, exist_ok=True)
    img.save(os.path.join(d, "img%03d.jpg" % i), quality=92)
EOF_IMAGES

load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
RESULTS="$WORK/results.txt"
: > "$RESULTS"
record() {  # record NAME IMAGES SECONDS LOAD_BEFORE
  echo "$1|$2|$3|$4|$(load)" >> "$RESULTS"
}

echo "== $(date -u '+%F %T UTC'), $(nproc) CPUs, OMP_NUM_THREADS=$THREADS, $N images at $SIZE px, work dir $WORK"

echo "== adain batch ($N images)"
L=$(load); t0=$(now)
"$JAVA" -jar "$ADAIN_JAR" batch --encoder "$ENC" --decoder "$DEC" --content "$IN" --style "brush=$STYLE" \
  --content-size "$SIZE" --style-size "$SIZE" --output "$WORK/out-batch" --progress log
t1=$(now); record "adain batch (1 JVM)" "$N" "$(echo "$t1 - $t0" | bc)" "$L"

echo "== shell loop over adain stylize ($LOOP_N images)"
mkdir -p "$WORK/out-loop"
L=$(load); t0=$(now)
find "$IN" -name '*.jpg' | sort | head -n "$LOOP_N" | while read -r f; do
  "$JAVA" -jar "$ADAIN_JAR" stylize --encoder "$ENC" --decoder "$DEC" --content "$f" --style "$STYLE" \
    --content-size "$SIZE" --style-size "$SIZE" --output "$WORK/out-loop/$(basename "${f%.jpg}")__brush.jpg" -q
done
t1=$(now); record "shell loop, adain stylize" "$LOOP_N" "$(echo "$t1 - $t0" | bc)" "$L"

for peer in stock tuned; do
  echo "== PyTorch script, $peer allocator ($N images)"
  env_args=()
  [ "$peer" = tuned ] && env_args=("${TUNED[@]}")
  L=$(load); t0=$(now)
  env "${env_args[@]}" "$PYTHON" bench/pytorch_batch.py --content "$IN" --style "brush=$STYLE" \
    --output "$WORK/out-torch-$peer" --size "$SIZE" --threads "$THREADS" --weights "$NPZ" | tee "$WORK/torch-$peer.log"
  t1=$(now); record "PyTorch script, $peer malloc" "$N" "$(echo "$t1 - $t0" | bc)" "$L"
done

echo
echo "wall time from process start to exit (model load included), images/s = images / wall"
"$PYTHON" - "$RESULTS" "$WORK" <<'EOF_TABLE'
import glob, os, sys
import numpy as np
from PIL import Image
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1])]
base = float(rows[0][1]) / float(rows[0][2])
print("| run | images | wall s | images/s | vs adain batch | loadavg before | loadavg after |")
print("|---|---|---|---|---|---|---|")
for name, n, s, before, after in rows:
    rate = float(n) / float(s)
    print("| %s | %s | %.1f | %.3f | %.2fx | %s | %s |" % (name, n, float(s), rate, rate / base, before, after))
# Sanity: both sides compute the same function (same weights and resize rule), so outputs agree closely.
work = sys.argv[2]
a = sorted(glob.glob(os.path.join(work, "out-batch", "**", "*.jpg"), recursive=True))[0]
rel = os.path.relpath(a, os.path.join(work, "out-batch"))
b = os.path.join(work, "out-torch-stock", os.path.splitext(rel)[0] + ".png")
x = np.asarray(Image.open(a).convert("RGB"), dtype=np.float64)
y = np.asarray(Image.open(b).convert("RGB"), dtype=np.float64)
print("check: %s, adain batch (JPEG q95) vs PyTorch (PNG): mean |diff| %.2f of 255, shapes %s %s"
      % (rel, np.abs(x - y).mean() if x.shape == y.shape else float("nan"), x.shape, y.shape))
EOF_TABLE
