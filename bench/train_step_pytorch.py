#!/usr/bin/env python3
"""PyTorch side of bench/train_step.sh: milliseconds per decoder-training step of the PyTorch port.

One step is what the port's train.py does per iteration (SEMANTICS.md §9.1), float32: the style's relu1_1..relu4_1
and the content's relu4_1 through the frozen normalised VGG (ReflectionPad2d(1) + Conv2d + ReLU,
MaxPool2d(2, 2, ceil_mode=True)), t = AdaIN (unbiased std + 1e-5), g = decoder(t) (nearest x2 upsampling),
relu1_1..relu4_1 of g, loss = 1 * MSE(relu4_1(g), t) + 10 * sum of the mean/std MSEs, backward, Adam (lr 1e-4 /
(1 + 5e-5 i)). The encoder's parameters do not require gradients, as in the port. Weights: the weights.npz of
bench/make_full_weights.py (the same numbers the Java side reads); images: a deterministic formula shared with
org.adain.dl4j.train.TrainStepBenchmark, so the first loss is a checksum the two sides must share.

Output, one record per line, key=value fields (parsed by bench/train_step.sh):

  bench.info   side=pytorch batch=.. size=.. warmup=.. runs=.. threads=.. load_ms=..
  bench.step   side=pytorch phase=warmup|timed i=.. ms=.. loss=..
  bench.result side=pytorch median_ms=.. first_loss=.. last_loss=.. peak_rss_mib=..

  OMP_NUM_THREADS=2 /usr/bin/python3 bench/train_step_pytorch.py --weights /tmp/adain-bench/weights.npz \
      [--batch 8] [--size 256] [--threads 2] [--warmup 2] [--runs 3]
"""

import argparse
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn as nn

EPS = 1e-5
POOL_AFTER = (1, 3, 7)          # indices of the 3x3 encoder convs followed by a max-pool
TAPS = (0, 2, 4, 8)             # relu1_1, relu2_1, relu3_1, relu4_1
UPSAMPLE_AFTER = (0, 4, 6)      # decoder convs followed by nearest x2 upsampling


def layers(z, prefix):
    """[(weight, bias)] in file order (make_full_weights.py writes the layers in network order)."""
    out = []
    for key in z.files:
        if key.startswith(prefix + "/") and key.endswith("/weight"):
            name = key[len(prefix) + 1:-len("/weight")]
            out.append((z[key], z["%s/%s/bias" % (prefix, name)]))
    return out


def conv(w, b, trainable):
    c = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2])
    with torch.no_grad():
        c.weight.copy_(torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32)))
        c.bias.copy_(torch.from_numpy(np.ascontiguousarray(b, dtype=np.float32)))
    c.requires_grad_(trainable)
    return c


def encoder_slices(z):
    """The port's four encoder slices, ending at relu1_1, relu2_1, relu3_1 and relu4_1."""
    ls = layers(z, "encoder")
    assert ls[0][0].shape[2] == 1 and len(ls) == 10, "expected the 1x1 preprocessing conv + 9 convs up to conv4_1"
    slices, mods = [], [conv(*ls[0], trainable=False)]
    for i, (w, b) in enumerate(ls[1:]):
        mods += [nn.ReflectionPad2d(1), conv(w, b, trainable=False), nn.ReLU()]
        if i in TAPS:
            slices.append(nn.Sequential(*mods))
            mods = []
        if i in POOL_AFTER:
            mods.append(nn.MaxPool2d(2, 2, 0, ceil_mode=True))
    return slices


def decoder(z):
    ls = layers(z, "decoder")
    mods = []
    for j, (w, b) in enumerate(ls):
        mods += [nn.ReflectionPad2d(1), conv(w, b, trainable=True)]
        if j != len(ls) - 1:
            mods.append(nn.ReLU())
        if j in UPSAMPLE_AFTER:
            mods.append(nn.Upsample(scale_factor=2, mode="nearest"))
    return nn.Sequential(*mods)


def mean_std(f):
    n, c = f.shape[:2]
    flat = f.reshape(n, c, -1)
    return flat.mean(2).reshape(n, c, 1, 1), (flat.var(2) + EPS).sqrt().reshape(n, c, 1, 1)


def taps(slices, x):
    out = []
    for s in slices:
        x = s(x)
        out.append(x)
    return out


def image(n, size, which):
    """Same formula as TrainStepBenchmark.image: computed in float64, stored as float32."""
    b, c, y, x = np.meshgrid(np.arange(n), np.arange(3), np.arange(size), np.arange(size), indexing="ij")
    v = 0.5 + 0.5 * np.sin(0.031 * (x + 1) * (c + 1 + which) + 0.017 * (y + 1) * (b + 2) + 1.3 * which)
    return torch.from_numpy(v.astype(np.float32))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    t0 = time.perf_counter()
    with np.load(args.weights) as z:
        enc = encoder_slices(z)
        dec = decoder(z)
    lr, decay = 1e-4, 5e-5
    opt = torch.optim.Adam(dec.parameters(), lr=lr)
    contents = image(args.batch, args.size, 0)
    styles = image(args.batch, args.size, 1)
    mse = nn.MSELoss()
    print("bench.info side=pytorch batch=%d size=%d warmup=%d runs=%d threads=%d torch=%s load_ms=%.0f"
          % (args.batch, args.size, args.warmup, args.runs, args.threads, torch.__version__,
             (time.perf_counter() - t0) * 1e3), flush=True)

    timed, first, last = [], None, None
    for i in range(args.warmup + args.runs):
        start = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = lr / (1 + decay * i)
        with torch.no_grad():
            style_feats = taps(enc, styles)
            content_feat = taps(enc, contents)[3]
            cm, cs = mean_std(content_feat)
            sm, ss = mean_std(style_feats[3])
            t = (content_feat - cm) / cs * ss + sm
        g = dec(t)
        g_feats = taps(enc, g)
        loss_c = mse(g_feats[3], t)
        loss_s = 0
        for gf, sf in zip(g_feats, style_feats):
            gm, gs = mean_std(gf)
            fm, fs = mean_std(sf)
            loss_s = loss_s + mse(gm, fm) + mse(gs, fs)
        loss = 1.0 * loss_c + 10.0 * loss_s
        opt.zero_grad()
        loss.backward()
        opt.step()
        ms = (time.perf_counter() - start) * 1e3
        value = loss.item()
        first = value if first is None else first
        last = value
        phase = "warmup" if i < args.warmup else "timed"
        if phase == "timed":
            timed.append(ms)
        print("bench.step side=pytorch phase=%s i=%d ms=%.1f loss=%.6f" % (phase, i, ms, value), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print("bench.result side=pytorch median_ms=%.1f first_loss=%.6f last_loss=%.6f peak_rss_mib=%d"
          % (statistics.median(timed), first, last, peak), flush=True)


if __name__ == "__main__":
    main()
