#!/usr/bin/env python3
"""PyTorch peer of `adain batch` (bench/batch.sh): our own script doing what a user of the PyTorch port does for
a folder, written as well as we can: load the network once, encode each style once, then for every image of a
directory tree (PNG/JPEG/BMP/GIF by extension, in path order) decode it with PIL, resize like the port, encode,
AdaIN, decode, clamp to 8 bits and write OUT/<relative dir>/<name>__<style>.png. The network, resize and AdaIN
are bench/pytorch_baseline.py's (the port's float32 inference network, same weights.npz as the Java side).

Prints one line: `bench.batch side=pytorch images=N wall_s=.. images_per_s=.. cpu_s=.. peak_rss_mib=..`
(model load excluded, printed as load_s), so batch.sh can compare it with `adain batch`'s wall time.

  OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch_batch.py --content DIR --style NAME=IMAGE --output OUT
      [--size 512] [--threads 2] [--weights /tmp/adain-bench/weights.npz]
"""

import argparse
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

import pytorch_baseline as base  # noqa: E402
from make_full_weights import DECODER_OPS, DEFAULT_OUT, ENCODER_OPS, NPZ_FILE  # noqa: E402

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def walk(root):
    found = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith("."))
        for f in files:
            if not f.startswith(".") and f.lower().endswith(EXTENSIONS):
                found.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(found)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--content", required=True)
    ap.add_argument("--style", required=True, help="NAME=IMAGE")
    ap.add_argument("--output", required=True)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weights", default=os.path.join(DEFAULT_OUT, NPZ_FILE))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    name, style_path = args.style.split("=", 1)

    t0 = time.perf_counter()
    with np.load(args.weights) as npz:
        z = {k: npz[k] for k in npz.files}
    encoder = base.build(ENCODER_OPS, z, "encoder")
    decoder = base.build(DECODER_OPS, z, "decoder")
    fs = base.encode_style(encoder, Image.open(style_path).convert("RGB"), args.size, False)
    load_s = time.perf_counter() - t0

    w0, c0 = time.perf_counter(), time.process_time()
    done = failed = 0
    for rel in walk(args.content):
        try:
            content = Image.open(os.path.join(args.content, rel)).convert("RGB")
        except Exception as e:  # noqa: BLE001  (as adain batch: a bad image is skipped and counted)
            print("failed %s: %s" % (rel, e), file=sys.stderr)
            failed += 1
            continue
        out = base.stylize(encoder, decoder, content, None, args.size, args.size, False, fs=fs)
        # The reference 8-bit rule: clamp to [0, 1], x255, round half up.
        a = (out[0].clamp(0, 1).mul(255).add(0.5).floor().to(torch.uint8).permute(1, 2, 0).numpy())
        target = os.path.join(args.output, os.path.dirname(rel),
                              os.path.splitext(os.path.basename(rel))[0] + "__" + name + ".png")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        Image.fromarray(a).save(target)
        done += 1
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("bench.batch side=pytorch images=%d failed=%d wall_s=%.3f images_per_s=%.4f cpu_s=%.3f load_s=%.3f "
          "peak_rss_mib=%.0f" % (done, failed, wall, done / wall, cpu, load_s, rss), flush=True)


if __name__ == "__main__":
    main()
