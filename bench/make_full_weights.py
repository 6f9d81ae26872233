#!/usr/bin/env python3
"""Full-size random-weight AdaIN models for the Java-vs-PyTorch benchmark (not for tests, not committed).

Writes into OUT_DIR (default /tmp/adain-bench):

  encoder_tf2.h5   normalised VGG-19 up to block4_conv1 (1x1 preprocess_conv, ReflectionPadding2D before every
                   3x3 conv, MaxPooling2D 'same'), real channel counts 3-64-64-128-128-256x4-512, as tf.keras 2.x
                   model.save(h5) writes it (the same writer the testkit oracle uses)
  decoder_tf2.h5   the 9-conv decoder 512-256-256-256-256-128-128-64-64-3 with UpSampling2D, same layout
  weights.npz      the same float32 numbers in torch layout ([out, in, kh, kw]) for bench/pytorch_baseline.py;
                   keys "encoder/<layer>/weight|bias", "decoder/<op>/weight|bias" (op names of the oracle)
  manifest.json    seed, channel counts, parameter counts

The weights are random: He-normal 3x3 kernels (std sqrt(2 / fan_in)) so activations neither vanish nor blow up
through the ReLU stack, and the real Caffe preprocessing in the 1x1 conv (RGB [0,1] -> BGR [0,255] minus the
ImageNet mean) with block1_conv1 scaled by 1/64 so the O(100) preprocessed input gives O(1) activations. The
decoder's output is noise; only the amount of work is realistic. Seeded: re-running gives the same bytes.

Run with Debian's interpreter (torch 1.13, numpy, h5py):

  /usr/bin/python3 bench/make_full_weights.py [OUT_DIR] [--check]

The Keras writers, the op lists and the float64 reference network are imported from the testkit oracle
(adain-testkit/oracle/make_references.py); only the channel counts are changed here.
"""

import argparse
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "adain-testkit", "oracle"))

import make_references as oracle  # noqa: E402  (sets torch to 1 thread on import; fine for writing files)

SEED = 20171022                      # ICCV 2017; any fixed number
FULL = {oracle.A: 64, oracle.B: 128, oracle.C: 256, oracle.D: 512}
DEFAULT_OUT = "/tmp/adain-bench"
ENCODER_FILE = "encoder_tf2.h5"
DECODER_FILE = "decoder_tf2.h5"
NPZ_FILE = "weights.npz"


def full_size(ops):
    """The oracle's op list with the stand-in channel counts (8/12/16/24) replaced by the real ones."""
    out = []
    for op in ops:
        if op[0] == "conv":
            kind, name, cin, cout, k, act = op
            out.append((kind, name, FULL.get(cin, cin), FULL.get(cout, cout), k, act))
        else:
            out.append(op)
    return out


ENCODER_OPS = full_size(oracle.NORM_ENCODER)
DECODER_OPS = full_size(oracle.DECODER)


def make_full_weights(seed=SEED):
    """Dicts name -> (weight [out, in, kh, kw], bias [out]) as float32-representable float64 arrays."""
    rng = np.random.default_rng(seed)

    def he(cin, cout, k, scale=1.0):
        w = rng.standard_normal((cout, cin, k, k), dtype=np.float32) * np.float32(math.sqrt(2.0 / (cin * k * k)) * scale)
        b = rng.standard_normal((cout,), dtype=np.float32) * np.float32(0.05)
        return oracle.f32(w), oracle.f32(b)

    enc = {}
    for op in ENCODER_OPS:
        if op[0] != "conv":
            continue
        _, name, cin, cout, k, _ = op
        if name == "preprocess_conv":
            # out0 = 255*B - 103.939, out1 = 255*G - 116.779, out2 = 255*R - 123.68 (SEMANTICS §6)
            w = np.zeros((3, 3, 1, 1))
            w[0, 2, 0, 0] = w[1, 1, 0, 0] = w[2, 0, 0, 0] = 255.0
            b = -np.array(oracle.CAFFE_MEAN_BGR)
            enc[name] = (oracle.f32(w), oracle.f32(b))
        else:
            enc[name] = he(cin, cout, k, scale=(1.0 / 64.0 if name == "block1_conv1" else 1.0))
    dec = {}
    for op in DECODER_OPS:
        if op[0] == "conv":
            _, name, cin, cout, k, _ = op
            dec[name] = he(cin, cout, k)
    return enc, dec


def write_keras(out_dir, enc, dec):
    """Same layer names and layout as the oracle's encoder_tf2.h5 / decoder_tf2.h5."""
    def pads(start, prefix="reflection_padding2d"):
        i = start
        while True:
            yield prefix if i == 0 else "%s_%d" % (prefix, i)
            i += 1

    layers, wl, last = oracle.keras_layers("tf2", "input_1", 3, ENCODER_OPS, enc, {}, pads(0))
    oracle.write_keras_model(os.path.join(out_dir, ENCODER_FILE), "tf2", "model", layers, wl, "input_1", last)

    conv_ops = [op[1] for op in DECODER_OPS if op[0] == "conv"]
    up_ops = [op[1] for op in DECODER_OPS if op[0] == "up"]
    names = {c: "conv2d_%d" % (9 + i) for i, c in enumerate(conv_ops)}
    names.update({u: ("up_sampling2d" if i == 0 else "up_sampling2d_%d" % i) for i, u in enumerate(up_ops)})
    layers, wl, last = oracle.keras_layers("tf2", "input_2", 512, DECODER_OPS, dec, names, pads(9))
    oracle.write_keras_model(os.path.join(out_dir, DECODER_FILE), "tf2", "model_1", layers, wl, "input_2", last)


def write_npz(out_dir, enc, dec):
    arrays = {}
    for prefix, net in (("encoder", enc), ("decoder", dec)):
        for name, (w, b) in net.items():
            arrays["%s/%s/weight" % (prefix, name)] = w.astype(np.float32)
            arrays["%s/%s/bias" % (prefix, name)] = b.astype(np.float32)
    path = os.path.join(out_dir, NPZ_FILE)
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def verify(out_dir, enc, dec):
    """Read the .h5 files back the way a Keras reader must and compare every number."""
    for fname, ops, net in ((ENCODER_FILE, ENCODER_OPS, enc), (DECODER_FILE, DECODER_OPS, dec)):
        got = oracle.read_keras_conv_weights(os.path.join(out_dir, fname))
        want = [net[op[1]] for op in ops if op[0] == "conv"]
        assert len(got) == len(want), (fname, len(got), len(want))
        for (lname, (k, b)), (w, bb) in zip(got, want):
            assert k.dtype == np.float32 and b.dtype == np.float32, (fname, lname)
            assert np.array_equal(k.astype(np.float64), w.transpose(2, 3, 1, 0)), (fname, lname)
            assert np.array_equal(b.astype(np.float64), bb), (fname, lname)
    with np.load(os.path.join(out_dir, NPZ_FILE)) as z:
        for prefix, net in (("encoder", enc), ("decoder", dec)):
            for name, (w, b) in net.items():
                assert np.array_equal(z["%s/%s/weight" % (prefix, name)].astype(np.float64), w)
                assert np.array_equal(z["%s/%s/bias" % (prefix, name)].astype(np.float64), b)


def activation_check(enc, dec, size=128):
    """float32 forward pass with the oracle's network on a smooth test image: every stage finite, O(1)-ish."""
    import torch
    dt = torch.float32
    yy, xx = np.meshgrid(np.linspace(0, 1, size), np.linspace(0, 1, size), indexing="ij")
    img = np.stack([yy, xx, 0.5 + 0.5 * np.sin(6 * (xx + yy))])[None]
    sty = np.stack([xx, 1 - yy, 0.5 + 0.5 * np.cos(9 * xx * yy)])[None]
    fc = oracle.encode_normalised(oracle.tens(img, dt), enc, dt)
    fs = oracle.encode_normalised(oracle.tens(sty, dt), enc, dt)["relu4_1"]
    out = oracle.decode(oracle.adain(fc["relu4_1"], fs), dec, dt)
    rows = list(fc.items()) + [("output", out)]
    for k, v in rows:
        assert torch.isfinite(v).all(), k
        print("  %-8s %-20s min %10.4f max %10.4f mean %9.4f  zeros %4.1f%%"
              % (k, list(v.shape), v.min(), v.max(), v.mean(), 100.0 * (v == 0).double().mean()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", nargs="?", default=DEFAULT_OUT, help="output directory (default %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="also run a float32 128x128 forward pass and print activation ranges")
    args = ap.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    enc, dec = make_full_weights()
    write_keras(args.out_dir, enc, dec)
    write_npz(args.out_dir, enc, dec)
    verify(args.out_dir, enc, dec)
    n_enc = sum(w.size + b.size for w, b in enc.values())
    n_dec = sum(w.size + b.size for w, b in dec.values())
    manifest = {
        "generator": "bench/make_full_weights.py",
        "seed": SEED,
        "channels": [64, 128, 256, 512],
        "encoder": ENCODER_FILE, "decoder": DECODER_FILE, "torch_weights": NPZ_FILE,
        "encoder_parameters": int(n_enc), "decoder_parameters": int(n_dec),
        "layout": "tf.keras %s model.save(h5), as adain-testkit/oracle writes encoder_tf2.h5/decoder_tf2.h5"
                  % oracle.TF2_KERAS_VERSION,
    }
    with open(os.path.join(args.out_dir, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    for fn in (ENCODER_FILE, DECODER_FILE, NPZ_FILE):
        p = os.path.join(args.out_dir, fn)
        print("wrote %-45s %7.1f MB" % (p, os.path.getsize(p) / 1e6))
    print("encoder %d parameters, decoder %d parameters; read back OK" % (n_enc, n_dec))
    if args.check:
        activation_check(enc, dec)


if __name__ == "__main__":
    main()
