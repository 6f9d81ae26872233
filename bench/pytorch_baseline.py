#!/usr/bin/env python3
"""PyTorch side of the Java-vs-PyTorch benchmark: one AdaIN stylisation, end to end, in float32.

The network is the PyTorch port's inference network (naoto0804/pytorch-AdaIN, SEMANTICS.md §2.1, §6, §7):
ReflectionPad2d(1) + Conv2d + ReLU, MaxPool2d(2, 2, ceil_mode=True), Upsample(×2, nearest); AdaIN with the
unbiased std + 1e-5; alpha blend at relu4_1; decoder output not clamped. Weights come from the weights.npz
that bench/make_full_weights.py writes next to the Keras files the Java side reads (the same numbers).

One timed run = what StyleTransfer.stylizeTensor does on the Java side for already-decoded images:
resize (+ centre crop) content and style the port's way (PIL bilinear, via the testkit oracle's resize_port),
to float tensors, encode content, encode style, AdaIN, decode, crop the output to the content size, check it
is finite. Image file decoding and model loading are outside the timed region (load time is printed apart).

Output, one record per line, `key=value` fields (parsed by bench/compare.sh):

  bench.info   side=pytorch threads=.. size=.. crop=.. content=WxH style=WxH output=CxHxW load_s=..
  bench.run    side=pytorch phase=warmup|timed i=.. wall_s=.. cpu_s=.. cpu_per_wall=..
  bench.result side=pytorch runs=.. median_wall_s=.. min_wall_s=.. max_wall_s=.. median_cpu_s=..
               median_cpu_per_wall=.. peak_rss_mib=.. out_mean=.. out_absmax=..

Modes (--mode), as on the Java side: single (one stylisation, content and style encoded), cached (the style's
relu4_1 computed once before the timed runs), batch8 (8 contents with one style, 8 uncached stylisations per
timed run), batch8cached (the style encoded once inside the timed run, then 8 stylisations from its features).
The 8 contents are the content image and 7 variants of it (mirrored, upside down, cyclically shifted by half its
width, and combinations), like StylizeBenchmark's. encoder / decoder: the encoder alone on a synthetic
size x size image ((131c + 31y + 17x) mod 256 / 255, the same values as StylizeBenchmark's), or the decoder alone
on that image's relu4_1 features.

wall = time.perf_counter, cpu = time.process_time (all threads of the process), peak RSS = getrusage maxrss.

  OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch_baseline.py --content C --style S [--size 512] [--crop]
      [--threads 2] [--warmup 2] [--runs 5] [--weights /tmp/adain-bench/weights.npz] [--check]
"""

import argparse
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "adain-testkit", "oracle"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from PIL import Image  # noqa: E402

import make_references as oracle  # noqa: E402  (sets torch to 1 thread on import: reset in main)
from make_full_weights import DECODER_OPS, DEFAULT_OUT, ENCODER_OPS, NPZ_FILE  # noqa: E402

EPS = 1e-5


def build(ops, z, prefix):
    """nn.Sequential in the port's module order, weights from the npz (torch layout)."""
    mods = []
    for op in ops:
        if op[0] == "conv":
            _, name, cin, cout, k, act = op
            if k == 3:
                mods.append(nn.ReflectionPad2d(1))
            conv = nn.Conv2d(cin, cout, k)
            with torch.no_grad():
                w = torch.from_numpy(z["%s/%s/weight" % (prefix, name)])
                b = torch.from_numpy(z["%s/%s/bias" % (prefix, name)])
                assert tuple(w.shape) == tuple(conv.weight.shape), (name, w.shape, conv.weight.shape)
                conv.weight.copy_(w)
                conv.bias.copy_(b)
            mods.append(conv)
            if act == "relu":
                mods.append(nn.ReLU())
        elif op[0] == "pool":
            mods.append(nn.MaxPool2d(kernel_size=2, stride=2, padding=0, ceil_mode=True))
        else:
            mods.append(nn.Upsample(scale_factor=2, mode="nearest"))
    return nn.Sequential(*mods).eval()


def calc_mean_std(feat):
    n, c = feat.shape[:2]
    v = feat.reshape(n, c, -1)
    return v.mean(dim=2).reshape(n, c, 1, 1), (v.var(dim=2) + EPS).sqrt().reshape(n, c, 1, 1)


def adain(content_feat, style_feat):
    cm, cs = calc_mean_std(content_feat)
    sm, ss = calc_mean_std(style_feat)
    return (content_feat - cm) / cs * ss + sm


def to_tensor(pil, size, crop):
    """Port test_transform: Resize(size) [+ CenterCrop(size)] + ToTensor, as a 1x3xHxW float32 tensor."""
    if size > 0:
        a, _, _ = oracle.resize_port(pil, size, size if crop else None)
    else:
        a = np.asarray(pil, dtype=np.float64).transpose(2, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).div_(255.0).unsqueeze(0)


def encode_style(encoder, style, style_size, crop):
    s = to_tensor(style, style_size, crop)
    with torch.no_grad():
        return encoder(s)


def stylize(encoder, decoder, content, style, size, style_size, crop, alpha=1.0, fs=None):
    c = to_tensor(content, size, crop)
    if fs is None:
        fs = encode_style(encoder, style, style_size, crop)
    with torch.no_grad():
        fc = encoder(c)
        t = adain(fc, fs)
        t = t * alpha + fc * (1 - alpha)
        out = decoder(t)
    out = out[:, :, :c.shape[2], :c.shape[3]]
    if not bool(torch.isfinite(out).all()):
        raise SystemExit("non-finite output")
    return out


def check_against_oracle(z):
    """The float32 nn.Sequential equals the oracle's float64 formulas on a small input (same weights)."""
    def net(prefix, ops):
        return {op[1]: (z["%s/%s/weight" % (prefix, op[1])].astype(np.float64),
                        z["%s/%s/bias" % (prefix, op[1])].astype(np.float64)) for op in ops if op[0] == "conv"}
    enc, dec = net("encoder", ENCODER_OPS), net("decoder", DECODER_OPS)
    rng = np.random.default_rng(1)
    c = rng.uniform(0, 1, size=(1, 3, 45, 70))          # odd sizes: exercises ceil pooling
    s = rng.uniform(0, 1, size=(1, 3, 40, 56))
    f64 = torch.float64
    fc = oracle.encode_normalised(oracle.tens(c, f64), enc, f64)["relu4_1"]
    fs = oracle.encode_normalised(oracle.tens(s, f64), enc, f64)["relu4_1"]
    ref = oracle.decode(oracle.adain(fc, fs), dec, f64)
    e32, d32 = build(ENCODER_OPS, z, "encoder"), build(DECODER_OPS, z, "decoder")
    with torch.no_grad():
        got = d32(adain(e32(torch.from_numpy(c).float()), e32(torch.from_numpy(s).float())))
    err = float((got.double() - ref).abs().max())
    scale = float(ref.abs().max())
    print("bench.check side=pytorch shape=%s max_abs_err=%.3g max_abs_ref=%.4g"
          % ("x".join(map(str, got.shape[1:])), err, scale))
    if not err <= 1e-4 * max(1.0, scale):
        raise SystemExit("the float32 baseline network disagrees with the oracle: %g" % err)


def variants(img, count):
    """The image and up to 7 variants of the same size (as StylizeBenchmark.variants)."""
    a = np.asarray(img)
    out = []
    for k in range(count):
        v = a
        if k & 1:
            v = v[:, ::-1]
        if k & 2:
            v = v[::-1, :]
        if k & 4:
            v = np.roll(v, -(a.shape[1] // 2), axis=1)
        out.append(Image.fromarray(np.ascontiguousarray(v)))
    return out


def pattern(n):
    """The synthetic 1x3xnxn input of the encoder/decoder modes, as StylizeBenchmark.pattern makes it."""
    c, y, x = np.meshgrid(np.arange(3), np.arange(n), np.arange(n), indexing="ij")
    a = ((131 * c + 31 * y + 17 * x) % 256).astype(np.float32) / np.float32(255)
    return torch.from_numpy(np.ascontiguousarray(a)).unsqueeze(0)


def run_once(mode, encoder, decoder, contents, style, size, style_size, crop, cached):
    if mode in ("encoder", "decoder"):
        with torch.no_grad():
            return encoder(contents) if mode == "encoder" else decoder(cached)
    fs = cached if mode == "cached" else (encode_style(encoder, style, style_size, crop)
                                          if mode == "batch8cached" else None)
    out = None
    for c in contents:
        out = stylize(encoder, decoder, c, style, size, style_size, crop, fs=fs)
    return out


def fmt(x):
    return "%.4f" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--content", required=True)
    ap.add_argument("--style", required=True)
    ap.add_argument("--size", type=int, default=512, help="content size, shorter side (default 512)")
    ap.add_argument("--style-size", type=int, default=None, help="style size (default: --size)")
    ap.add_argument("--crop", action="store_true", help="centre-crop size x size after resizing")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--weights", default=os.path.join(DEFAULT_OUT, NPZ_FILE))
    ap.add_argument("--mode", default="single", choices=["single", "cached", "batch8", "batch8cached",
                                                           "encoder", "decoder"])
    ap.add_argument("--check", action="store_true", help="first compare the network with the float64 oracle")
    args = ap.parse_args()
    if args.runs < 1 or args.warmup < 0:
        ap.error("--runs must be >= 1 and --warmup >= 0")
    if args.crop and args.size <= 0:
        ap.error("--crop needs --size > 0")
    style_size = args.size if args.style_size is None else args.style_size

    torch.set_num_threads(args.threads)
    if not os.path.exists(args.weights):
        raise SystemExit("missing %s: run /usr/bin/python3 bench/make_full_weights.py first" % args.weights)

    t0 = time.perf_counter()
    with np.load(args.weights) as npz:
        z = {k: npz[k] for k in npz.files}
    encoder = build(ENCODER_OPS, z, "encoder")
    decoder = build(DECODER_OPS, z, "decoder")
    content = Image.open(args.content).convert("RGB")
    style = Image.open(args.style).convert("RGB")
    content.load()
    style.load()
    load_s = time.perf_counter() - t0
    if args.check:
        check_against_oracle(z)

    c_shape = to_tensor(content, args.size, args.crop).shape
    s_shape = to_tensor(style, style_size, args.crop).shape
    contents = variants(content, 8 if args.mode.startswith("batch8") else 1)
    cached = encode_style(encoder, style, style_size, args.crop) if args.mode == "cached" else None
    if args.mode in ("encoder", "decoder"):
        contents = pattern(args.size)
        c_shape = s_shape = contents.shape
        if args.mode == "decoder":
            with torch.no_grad():
                cached = encoder(contents)
    runs = []
    out = None
    for i in range(args.warmup + args.runs):
        phase = "warmup" if i < args.warmup else "timed"
        w0, c0 = time.perf_counter(), time.process_time()
        out = run_once(args.mode, encoder, decoder, contents, style, args.size, style_size, args.crop, cached)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        print("bench.run side=pytorch phase=%s i=%d wall_s=%s cpu_s=%s cpu_per_wall=%.2f"
              % (phase, i + 1 if phase == "warmup" else i + 1 - args.warmup, fmt(wall), fmt(cpu), cpu / wall),
              flush=True)
        if phase == "timed":
            runs.append((wall, cpu))
        if i == 0:
            print("bench.info side=pytorch mode=" + args.mode + " threads=%d torch=%s size=%d style_size=%d crop=%s content=%dx%d "
                  "style=%dx%d output=%s load_s=%s"
                  % (torch.get_num_threads(), torch.__version__, args.size, style_size, str(args.crop).lower(),
                     c_shape[3], c_shape[2], s_shape[3], s_shape[2], "x".join(map(str, out.shape[1:])),
                     fmt(load_s)), flush=True)
    walls = [w for w, _ in runs]
    cpus = [c for _, c in runs]
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0    # Linux: KiB
    print("bench.result side=pytorch mode=" + args.mode + " runs=%d median_wall_s=%s min_wall_s=%s max_wall_s=%s median_cpu_s=%s "
          "median_cpu_per_wall=%.2f peak_rss_mib=%.0f out_mean=%.6g out_absmax=%.6g"
          % (len(runs), fmt(statistics.median(walls)), fmt(min(walls)), fmt(max(walls)),
             fmt(statistics.median(cpus)), statistics.median([c / w for w, c in runs]), rss_mib,
             float(out.double().mean()), float(out.abs().max())), flush=True)


if __name__ == "__main__":
    main()
