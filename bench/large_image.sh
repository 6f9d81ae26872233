#!/usr/bin/env bash
# Peak memory of one large stylisation (tiled automatically above the tiling threshold), in a JVM of its own:
# a SIZE×SIZE content (default 4096², the golden gate photo scaled up), style at 512, full-size random weights
# (bench/make_full_weights.py), one run, no warm-up. Prints the benchmark's records (wall, cpu/wall, VmHWM) and
# /usr/bin/time's maximum resident set size as a cross-check. See docs/BENCHMARKS.md.
#
#   bench/large_image.sh                         # 4096², default tiling (StyleTransfer.DEFAULT_TILE_SIZE)
#   SIZE=2048 TILE=1024 bench/large_image.sh
#   THRESHOLD=9223372036854775807 SIZE=2048 bench/large_image.sh   # untiled, for comparison
#
# Settings: SIZE (4096), TILE (builder default), THRESHOLD (builder default), THREADS (2), ADAIN_JAR
# (adain-examples/target/adain.jar), ADAIN_BENCH_DIR (/tmp/adain-bench), JAVA_OPTS (e.g. -Xmx2g), PYTHON, JAVA.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
SIZE="${SIZE:-4096}"
THREADS="${THREADS:-2}"
ADAIN_JAR="${ADAIN_JAR:-adain-examples/target/adain.jar}"
BENCH_DIR="${ADAIN_BENCH_DIR:-/tmp/adain-bench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
JAVA="${JAVA:-java}"
read -r -a JAVA_OPTS_ARR <<< "${JAVA_OPTS:-}"
SRC="${CONTENT:-../shared/images/content/golden_gate.jpg}"
STYLE="${STYLE:-../shared/images/style/brushstrokes.jpg}"

[ -f "$ADAIN_JAR" ] || { echo "large_image.sh: build the jar first (mvn -B -q install -DskipTests)" >&2; exit 2; }
if [ ! -f "$BENCH_DIR/encoder_tf2.h5" ] || [ ! -f "$BENCH_DIR/decoder_tf2.h5" ]; then
  "$PYTHON" bench/make_full_weights.py "$BENCH_DIR"
fi
CONTENT="$BENCH_DIR/content_${SIZE}.png"
if [ ! -f "$CONTENT" ]; then
  "$PYTHON" - "$SRC" "$CONTENT" "$SIZE" <<'PY'
import sys
from PIL import Image
src, dst, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
Image.open(src).convert("RGB").resize((size, size), Image.BICUBIC).save(dst)
PY
fi
extra=()
[ -n "${TILE:-}" ] && extra+=(--tile-size "$TILE")
[ -n "${THRESHOLD:-}" ] && extra+=(--tiling-threshold "$THRESHOLD")
echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC') ${SIZE}x${SIZE} content, style 512, OMP_NUM_THREADS=$THREADS," \
     "JAVA_OPTS='${JAVA_OPTS:-}' ${extra[*]:-} (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
OMP_NUM_THREADS="$THREADS" /usr/bin/time -f 'time.max_rss=%M KiB elapsed=%e s' \
  "$JAVA" "${JAVA_OPTS_ARR[@]}" -cp "$ADAIN_JAR" org.adain.examples.bench.StylizeBenchmark \
  --encoder "$BENCH_DIR/encoder_tf2.h5" --decoder "$BENCH_DIR/decoder_tf2.h5" \
  --content "$CONTENT" --style "$STYLE" --size 0 --style-size 512 --warmup 0 --runs 1 \
  --max-pixels $((SIZE * SIZE)) "${extra[@]}"
