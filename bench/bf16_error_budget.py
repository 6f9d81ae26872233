#!/usr/bin/env python3
"""bf16 error budget (issue 13): which parts of the AdaIN networks can run in bfloat16 within the quality bar?

An emulation, not a measurement of oneDNN: the port's float32 network (as bench/pytorch_baseline.py runs it:
reflection pad + conv + ReLU, ceil-mode max pooling, nearest upsampling, AdaIN with the unbiased std + 1e-5) is run
once as the reference, then again with chosen convolutions' operands rounded to bf16 the way
adain-dl4j's Bf16Chain rounds them, and the two outputs are compared in 8-bit levels as PrecisionQuality does
(LevelDifference: largest and mean |difference| over the R, G, B samples, PSNR; issue 13's bar is max <= 3 and
mean <= 0.3).

Where Bf16Chain rounds to bf16 (round to nearest even, `t.bfloat16().float()` here):
  - the float32 input of each network (image; AdaIN output) when it is reordered to bf16 NHWC;
  - every conv's weights (biases stay float32);
  - every conv's output after bias + fused ReLU, stored as a bf16 map, except the decoder's last conv, which writes
    float32; relu4_1 is stored in bf16 and handed back as float32.
The products of two bf16 numbers are exact in float32 and oneDNN accumulates in float32, so a float32 conv of
bf16-rounded operands is the bf16 conv up to the order of the float32 sums. Padding, pooling and upsampling
commute with the rounding, so "a conv's output is stored in bf16" is "the next conv's input is rounded". Hence a
conv "in bf16" here = its input and its weights rounded, its output float32 (a mixed network would let a bf16
conv write float32, as the decoder's last one does). "Java chain" = every conv in bf16 plus relu4_1 rounded
(the map Bf16Encoder stores), which is exactly Precision.BF16.

Schemes: all in bf16 (checked against PrecisionQuality's Java figures); weights only; activations only; the
Java chain's error split between encoder and decoder on chicago x mondrian; each conv alone in bf16; a greedy
budget (convs added in bf16 in order of least bar use per multiply-accumulate; "stop" ends at the first set that
misses the bar, "skip" leaves such a conv out and goes on; the result confirmed on all pairs); all convs with operands
rounded to k significant bits (k = 8 is bf16, 11 is fp16's significand, ignoring its range); "split" (each operand as
bf16 hi + bf16 lo, 3 bf16 products per MAC, what three bf16 convs per layer give); AdaIN's share (relu4_1 of the
bf16 encoder before and after AdaIN). The per-conv sweep and the greedy budget run on the pairs --sweep-contents x
--sweep-styles (name prefixes; default all 16); --steps picks the parts.

MACs are per conv for ONE stylisation (2 encodes + 1 decode) of a 512x512 content and style.

  MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \\
    /usr/bin/python3 bench/bf16_error_budget.py [--model full|small|both] [--images /work/shared/images]
      [--size 512] [--weights /tmp/adain-bench/weights.npz] [--threads 2]
      [--sweep-contents PREFIX..] [--sweep-styles PREFIX..] [--bits 8 9 10 11 12]
      [--steps schemes breakdown bits layers adain]

--model small reads the testkit's small test model (adain-testkit/.../reference/models/encoder_tf2.h5 and
decoder_tf2.h5, 8/12/16/24 channels, random), as PrecisionQuality's "small test model" row did. Oracle-style:
needs /usr/bin/python3 with torch 1.13, numpy, h5py, PIL; CI never runs it. Output: `budget.*` records, one a line.
"""

import argparse
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "adain-testkit", "oracle"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

from pytorch_baseline import adain, calc_mean_std  # noqa: E402  the port's AdaIN, defined once

import make_references as oracle  # noqa: E402  (sets torch to 1 thread on import: reset in main)
from make_full_weights import DECODER_OPS, DEFAULT_OUT, ENCODER_OPS, NPZ_FILE  # noqa: E402

STEPS = ("schemes", "breakdown", "bits", "layers", "adain")
BAR_MAX, BAR_MEAN = 3, 0.3
SMALL_DIR = os.path.join(REPO, "adain-testkit", "src", "main", "resources", "org", "adain", "testkit",
                         "reference", "models")
# per-network bf16/float32 CPU ratios at 512 px, normalised encoder (docs/BENCHMARKS.md, "bf16 networks")
SPEEDUP_ENCODER, SPEEDUP_DECODER = 2.15, 2.03


# ---------------------------------------------------------------------------------------------------------------
# rounding
# ---------------------------------------------------------------------------------------------------------------

def bf16(t):
    return t.bfloat16().float()


def round_bits(t, bits):
    """float32 rounded to `bits` significant bits, round to nearest even (bits = 8: bf16; normal numbers only)."""
    if bits >= 24:
        return t
    if bits == 8:
        return bf16(t)
    d = 24 - bits
    i = t.contiguous().view(torch.int32)
    i = (i + ((1 << (d - 1)) - 1) + ((i >> d) & 1)) & (-(1 << d))
    return i.view(torch.float32)


def split_hi_lo(t):
    hi = bf16(t)
    return hi, bf16(t - hi)


# ---------------------------------------------------------------------------------------------------------------
# networks
# ---------------------------------------------------------------------------------------------------------------

class Net:
    """Op list + float32 weights of one network; rounded weight copies made on demand."""

    def __init__(self, prefix, ops, params):
        self.prefix = prefix
        self.ops = ops
        self.params = params                       # name -> (w, b) float32 torch tensors
        self.convs = [op[1] for op in ops if op[0] == "conv"]
        self._rounded = {}

    def key(self, name):
        return "%s/%s" % (self.prefix, name)

    def weight(self, name, how):
        if (name, how) not in self._rounded:
            w = self.params[name][0]
            if how == "split":
                hi, lo = split_hi_lo(w)
                self._rounded[(name, how)] = (hi + lo, hi)
            else:
                self._rounded[(name, how)] = round_bits(w, how)
        return self._rounded[(name, how)]

    def conv(self, x, op, mode):
        """One conv (+ReLU); mode None (float32), ('bits', k), ('x', k), ('w', k) or ('split',)."""
        _, name, _, _, k, act = op
        w, b = self.params[name]
        if mode is None:
            pass
        elif mode[0] == "bits":
            x, w = round_bits(x, mode[1]), self.weight(name, mode[1])
        elif mode[0] == "x":
            x = round_bits(x, mode[1])
        elif mode[0] == "w":
            w = self.weight(name, mode[1])
        elif mode[0] == "split":
            whl, wh = self.weight(name, "split")
            xh, xl = split_hi_lo(x)
            if k == 3:
                xh, xl = F.pad(xh, (1, 1, 1, 1), mode="reflect"), F.pad(xl, (1, 1, 1, 1), mode="reflect")
            # xh*wh + xh*wl + xl*wh: the three bf16 products (xl*wl dropped), float32 sums
            y = F.conv2d(xh, whl, b) + F.conv2d(xl, wh)
            return torch.relu(y) if act == "relu" else y
        else:
            raise ValueError("unknown mode %r" % (mode,))
        if k == 3:
            x = F.pad(x, (1, 1, 1, 1), mode="reflect")
        y = F.conv2d(x, w, b)
        return torch.relu(y) if act == "relu" else y

    def run(self, x, scheme, start=0, record=None):
        """Ops from index `start` on; scheme: conv key -> mode. record: dict op index -> float32 conv input."""
        for i in range(start, len(self.ops)):
            op = self.ops[i]
            if op[0] == "conv":
                if record is not None:
                    record[i] = x
                x = self.conv(x, op, scheme.get(self.key(op[1])))
            elif op[0] == "pool":
                x = F.max_pool2d(x, kernel_size=2, stride=2, ceil_mode=True)
            else:
                x = F.interpolate(x, scale_factor=2, mode="nearest")
        return x

    def first_rounded(self, scheme):
        for i, op in enumerate(self.ops):
            if op[0] == "conv" and scheme.get(self.key(op[1])) is not None:
                return i
        return None

    def macs(self, h, w):
        """conv key -> multiply-accumulates for an input of h x w (ceil pooling, x2 upsampling)."""
        out = {}
        for op in self.ops:
            if op[0] == "conv":
                _, name, cin, cout, k, _ = op
                out[self.key(name)] = h * w * cin * cout * k * k
            elif op[0] == "pool":
                h, w = -(-h // 2), -(-w // 2)
            else:
                h, w = 2 * h, 2 * w
        return out


def load_full(path):
    if not os.path.exists(path):
        raise SystemExit("missing %s: run /usr/bin/python3 bench/make_full_weights.py first" % path)
    with np.load(path) as z:
        def params(prefix, ops):
            return {op[1]: (torch.from_numpy(z["%s/%s/weight" % (prefix, op[1])].copy()),
                            torch.from_numpy(z["%s/%s/bias" % (prefix, op[1])].copy()))
                    for op in ops if op[0] == "conv"}
        return Net("enc", ENCODER_OPS, params("encoder", ENCODER_OPS)), \
            Net("dec", DECODER_OPS, params("decoder", DECODER_OPS))


def load_small():
    """The testkit's small random model from its Keras files (kernels [kh, kw, in, out] -> [out, in, kh, kw])."""
    def params(fname, ops):
        got = oracle.read_keras_conv_weights(os.path.join(SMALL_DIR, fname))
        convs = [op for op in ops if op[0] == "conv"]
        assert len(got) == len(convs), (fname, len(got), len(convs))
        out = {}
        for (lname, (k, b)), op in zip(got, convs):
            w = torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1)).astype(np.float32))
            assert tuple(w.shape) == (op[3], op[2], op[4], op[4]), (fname, lname, w.shape, op)
            out[op[1]] = (w, torch.from_numpy(b.astype(np.float32)))
        return out
    return Net("enc", oracle.NORM_ENCODER, params("encoder_tf2.h5", oracle.NORM_ENCODER)), \
        Net("dec", oracle.DECODER, params("decoder_tf2.h5", oracle.DECODER))


# ---------------------------------------------------------------------------------------------------------------
# AdaIN, images, 8-bit levels
# ---------------------------------------------------------------------------------------------------------------

def load_image(path, size):
    """Port Resize(size) (PIL bilinear, testkit oracle) + ToTensor, 1x3xHxW float32."""
    a, _, _ = oracle.resize_port(Image.open(path).convert("RGB"), size)
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).div_(255.0).unsqueeze(0)


def quantise(out):
    """PixelConversion.quantize (port semantics): trunc(clamp(x*255 + 0.5, 0, 255)) in float32."""
    return (out.float() * 255.0 + 0.5).clamp_(0.0, 255.0).to(torch.uint8).to(torch.int32)


class Diff:
    """LevelDifference's sums, plus the unquantised difference in levels (max and sum)."""

    def __init__(self, mx=0, sabs=0, ssq=0, n=0, rmax=0.0, rsum=0.0):
        self.mx, self.sabs, self.ssq, self.n, self.rmax, self.rsum = mx, sabs, ssq, n, rmax, rsum

    @staticmethod
    def of(ref_q, ref_f, out):
        d = (quantise(out) - ref_q).abs().long()
        r = (out.double() - ref_f.double()).abs() * 255.0
        return Diff(int(d.max()), int(d.sum()), int((d * d).sum()), d.numel(), float(r.max()), float(r.sum()))

    def __add__(self, o):
        return Diff(max(self.mx, o.mx), self.sabs + o.sabs, self.ssq + o.ssq, self.n + o.n, max(self.rmax, o.rmax),
                    self.rsum + o.rsum)

    def mean(self):
        return self.sabs / self.n if self.n else 0.0

    def psnr(self):
        return float("inf") if self.ssq == 0 else 10 * math.log10(255.0 ** 2 * self.n / self.ssq)

    def ok(self):
        return self.mx <= BAR_MAX and self.mean() <= BAR_MEAN

    def bar_fraction(self):
        """How much of the bar is used: the larger of max/3 and mean/0.3 (> 1: missed)."""
        return max(self.mx / BAR_MAX, self.mean() / BAR_MEAN)

    def __str__(self):
        return "max=%d mean=%.4f psnr=%.2f bar=%s raw_max=%.3f raw_mean=%.4f" % (
            self.mx, self.mean(), self.psnr(), "met" if self.ok() else "MISSED", self.rmax,
            self.rsum / self.n if self.n else 0.0)


# ---------------------------------------------------------------------------------------------------------------
# the study
# ---------------------------------------------------------------------------------------------------------------

class Study:
    def __init__(self, enc, dec, contents, styles, cache_pairs):
        self.enc, self.dec = enc, dec
        self.contents, self.styles = contents, styles     # name -> tensor
        self.pairs = [(c, s) for c in contents for s in styles]
        self.enc_in = {}                                    # image name -> {op index: float32 conv input}
        self.feat = {}                                      # image name -> float32 relu4_1
        self.dec_in = {}                                    # pair -> {op index: float32 conv input}
        self.ref_f, self.ref_q = {}, {}
        with torch.no_grad():
            for name, img in list(contents.items()) + list(styles.items()):
                rec = {}
                self.feat[name] = enc.run(img, {}, record=rec)
                self.enc_in[name] = rec
            for c, s in self.pairs:
                rec = {} if (c, s) in cache_pairs else None
                out = dec.run(adain(self.feat[c], self.feat[s]), {}, record=rec)
                out = self.crop(out, c)
                if rec is not None:
                    self.dec_in[(c, s)] = rec
                self.ref_f[(c, s)], self.ref_q[(c, s)] = out, quantise(out)

    def crop(self, out, c):
        h, w = self.contents[c].shape[2:]
        return out[:, :, :h, :w]

    def encode(self, name, scheme, store41):
        first = self.enc.first_rounded(scheme)
        if first is None:
            f = self.feat[name]
        else:
            f = self.enc.run(self.enc_in[name][first], scheme, start=first)
        return bf16(f) if store41 else f

    def evaluate(self, scheme, pairs=None, store41=False, enc_for=("content", "style")):
        """Diff over the pairs (default all 16) of the scheme against float32; per-pair Diffs too."""
        pairs = self.pairs if pairs is None else pairs
        enc_scheme = {k: v for k, v in scheme.items() if k.startswith("enc/")}
        dec_scheme = {k: v for k, v in scheme.items() if k.startswith("dec/")}
        enc_touched = bool(enc_scheme) or store41
        feats = {}
        total, per = Diff(), {}
        with torch.no_grad():
            for c, s in pairs:
                for name, role in ((c, "content"), (s, "style")):
                    if name not in feats:
                        feats[name] = (self.encode(name, enc_scheme, store41) if role in enc_for
                                       else self.feat[name])
                first = self.dec.first_rounded(dec_scheme)
                if not enc_touched and first is None:
                    out = self.ref_f[(c, s)]
                elif not enc_touched and (c, s) in self.dec_in:
                    out = self.crop(self.dec.run(self.dec_in[(c, s)][first], dec_scheme, start=first), c)
                else:
                    out = self.crop(self.dec.run(adain(feats[c], feats[s]), dec_scheme), c)
                d = Diff.of(self.ref_q[(c, s)], self.ref_f[(c, s)], out)
                per[(c, s)] = d
                total = total + d
        return total, per


def all_convs(enc, dec):
    return [enc.key(n) for n in enc.convs] + [dec.key(n) for n in dec.convs]


def scheme_of(keys, mode=("bits", 8)):
    return {k: mode for k in keys}


def amdahl(share_enc, share_dec):
    """Speedup of one stylisation with these MAC shares in bf16, time taken as proportional to MACs."""
    return 1.0 / (1.0 - share_enc - share_dec + share_enc / SPEEDUP_ENCODER + share_dec / SPEEDUP_DECODER)


def pr(*fields):
    print(" ".join(str(f) for f in fields), flush=True)


def study_model(label, enc, dec, args):
    t0 = time.perf_counter()
    cdir, sdir = os.path.join(args.images, "content"), os.path.join(args.images, "style")
    contents = {f: load_image(os.path.join(cdir, f), args.size) for f in sorted(os.listdir(cdir))
                if not f.startswith(".") and os.path.isfile(os.path.join(cdir, f))}
    styles = {f: load_image(os.path.join(sdir, f), args.size) for f in sorted(os.listdir(sdir))
              if not f.startswith(".") and os.path.isfile(os.path.join(sdir, f))}
    pairs = [(c, s) for c in contents for s in styles]
    sweep = [(c, s) for c, s in pairs if any(c.startswith(p) for p in args.sweep_contents)
             and any(s.startswith(p) for p in args.sweep_styles)]
    if not sweep:
        raise SystemExit("no pair matches --sweep-contents %s --sweep-styles %s"
                         % (args.sweep_contents, args.sweep_styles))
    study = Study(enc, dec, contents, styles, set(sweep))
    pr("budget.info model=%s pairs=%d sweep_pairs=%s size=%d threads=%d torch=%s reference_s=%.1f"
       % (label, len(pairs), ",".join("%sx%s" % p for p in sweep), args.size, torch.get_num_threads(), torch.__version__,
          time.perf_counter() - t0))

    em, dm = enc.macs(args.size, args.size), dec.macs(args.size // 8, args.size // 8)
    macs = {k: 2 * v for k, v in em.items()}           # content and style encodes
    macs.update(dm)
    total_macs = sum(macs.values())
    keys = all_convs(enc, dec)
    shares = {k: macs[k] / total_macs for k in keys}
    pr("budget.macs model=%s total_gmac=%.2f encoder_share=%.4f decoder_share=%.4f"
       % (label, total_macs / 1e9, sum(v for k, v in shares.items() if k.startswith("enc/")),
          sum(v for k, v in shares.items() if k.startswith("dec/"))))

    def report(kind, name, d, extra=""):
        pr("budget.%s model=%s scheme=%s %s%s" % (kind, label, name, d, extra))

    if "schemes" in args.steps:
        # 1. whole-network schemes on all 16 pairs
        java, per = study.evaluate(scheme_of(keys), store41=True)
        report("scheme", "java_chain_all_bf16", java, " pairs_within_bar=%d worst_pair_max=%d-%d mean_range=%.2f-%.2f"
               % (sum(d.ok() for d in per.values()), min(d.mx for d in per.values()), max(d.mx for d in per.values()),
                  min(d.mean() for d in per.values()), max(d.mean() for d in per.values())))
        for c, s in pairs:
            pr("budget.pair model=%s scheme=java_chain_all_bf16 content=%s style=%s %s" % (label, c, s, per[(c, s)]))
        report("scheme", "all_convs_bf16_relu41_f32", study.evaluate(scheme_of(keys))[0])
        report("scheme", "weights_only", study.evaluate(scheme_of(keys, ("w", 8)))[0])
        report("scheme", "activations_only", study.evaluate(scheme_of(keys, ("x", 8)), store41=True)[0])

    if "breakdown" in args.steps:
        # 2. PrecisionQuality's breakdown pair (chicago x mondrian) where both exist
        bp = [(c, s) for c, s in pairs if c.startswith("chicago") and s.startswith("mondrian")]
        if bp:
            ek = [k for k in keys if k.startswith("enc/")]
            dk = [k for k in keys if k.startswith("dec/")]
            for name, sch, st, who in (("decoder_only", scheme_of(dk), False, ("content", "style")),
                                       ("encoder_only", scheme_of(ek), True, ("content", "style")),
                                       ("encoder_content_only", scheme_of(ek), True, ("content",)),
                                       ("encoder_style_only", scheme_of(ek), True, ("style",)),
                                       ("both", scheme_of(keys), True, ("content", "style"))):
                report("breakdown", name, study.evaluate(sch, bp, store41=st, enc_for=who)[0], " pair=%s,%s" % bp[0])

    if "bits" in args.steps:
        # 3. precision sweep: every conv's operands at k significant bits (relu4_1 float32), and split bf16
        for bits in args.bits:
            report("bits", "all_%dbit" % bits, study.evaluate(scheme_of(keys, ("bits", bits)))[0],
                   " bits=%d" % bits)
        report("bits", "split_bf16x3", study.evaluate(scheme_of(keys, ("split",)))[0], " bits=16ish")

    if "layers" in args.steps:
        # 4. each conv alone in bf16 (and relu4_1 alone stored in bf16, zero MACs)
        single = {}
        for k in keys:
            d = study.evaluate({k: ("bits", 8)}, sweep)[0]
            single[k] = d
            report("single", k, d, " mac_share=%.4f gmac=%.3f" % (shares[k], macs[k] / 1e9))
        report("single", "enc/relu4_1_stored_bf16", study.evaluate({}, sweep, store41=True)[0], " mac_share=0")

        # 5. greedy: least bar fraction per MAC share first. "stop": stop at the first set that misses the bar (as
        # asked); "skip": leave out a conv that breaks the bar and go on with the next (a conv that misses the bar on
        # its own is left out without a run), which gives the larger share.
        order = sorted(keys, key=lambda k: (single[k].bar_fraction() / shares[k], single[k].rsum))
        pr("budget.greedy_order model=%s %s" % (label, ",".join(order)))
        chosen, stopped = [], None
        for k in order:
            if not single[k].ok():
                report("greedy", "+" + k, single[k], " skipped=alone_misses_bar")
                stopped = list(chosen) if stopped is None else stopped
                continue
            trial = chosen + [k]
            d = study.evaluate(scheme_of(trial), sweep)[0]
            se = sum(shares[x] for x in trial if x.startswith("enc/"))
            sd = sum(shares[x] for x in trial if x.startswith("dec/"))
            report("greedy", "+" + k, d, " layers=%d mac_share=%.4f amdahl=%.3f%s"
                   % (len(trial), se + sd, amdahl(se, sd), "" if d.ok() else " skipped=breaks_bar"))
            if not d.ok():
                stopped = list(chosen) if stopped is None else stopped
                continue
            chosen = trial
        stopped = chosen if stopped is None else stopped
        for name, layers in (("stop", stopped), ("skip", chosen)):
            se = sum(shares[x] for x in layers if x.startswith("enc/"))
            sd = sum(shares[x] for x in layers if x.startswith("dec/"))
            full = study.evaluate(scheme_of(layers))[0] if layers else None     # confirmed on all pairs
            pr("budget.greedy_result model=%s rule=%s layers=%s mac_share=%.4f encoder_share=%.4f decoder_share=%.4f "
               "amdahl=%.3f all_pairs: %s" % (label, name, ",".join(layers) or "none", se + sd, se, sd, amdahl(se, sd),
                                              full if full else "n/a"))

    # 6. AdaIN's share: the content's relu4_1 from the bf16 encoder (the Java chain's, style float32) against
    # float32, before and after AdaIN, relative to the largest float32 value and as relative RMS
    if "adain" in args.steps:
        ek = [k for k in keys if k.startswith("enc/")]
        with torch.no_grad():
            for c in contents:
                fc = study.feat[c]
                fb = study.encode(c, scheme_of(ek), True)
                for s in styles:
                    fs = study.feat[s]
                    t, tb = adain(fc, fs), adain(fb, fs)
                    _, sc = calc_mean_std(fc)
                    _, ss = calc_mean_std(fs)
                    pr("budget.adain model=%s content=%s style=%s relu41_max=%.4f relu41_err_max=%.3f%% "
                       "relu41_err_mean=%.4f%% relu41_rel_rms=%.4f%% adain_max=%.4f adain_err_max=%.3f%% "
                       "adain_err_mean=%.4f%% adain_rel_rms=%.4f%% rms_gain=%.2f median_ss_over_sc=%.2f"
                       % (label, c, s, float(fc.abs().max()),
                          100 * float((fb - fc).abs().max() / fc.abs().max()),
                          100 * float((fb - fc).abs().mean() / fc.abs().max()),
                          100 * float((fb - fc).norm() / fc.norm()), float(t.abs().max()),
                          100 * float((tb - t).abs().max() / t.abs().max()),
                          100 * float((tb - t).abs().mean() / t.abs().max()),
                          100 * float((tb - t).norm() / t.norm()),
                          float(((tb - t).norm() / t.norm()) / ((fb - fc).norm() / fc.norm())),
                          float((ss / sc).median())))

    pr("budget.done model=%s seconds=%.0f" % (label, time.perf_counter() - t0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="full", choices=["full", "small", "both"])
    ap.add_argument("--images", default="/work/shared/images")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--weights", default=os.path.join(DEFAULT_OUT, NPZ_FILE))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sweep-contents", nargs="+", default=[""],
                    help="name prefixes of the contents for the per-conv sweep and greedy (default: all)")
    ap.add_argument("--sweep-styles", nargs="+", default=[""], help="likewise for the styles")
    ap.add_argument("--bits", type=int, nargs="*", default=[8, 9, 10, 11, 12])
    ap.add_argument("--steps", nargs="+", default=list(STEPS), choices=STEPS,
                    help="what to run (default: all): " + ", ".join(STEPS))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    x = torch.randn(1000)
    assert torch.equal(round_bits(x, 8), bf16(x)) and torch.equal(round_bits(x.neg(), 10), round_bits(x, 10).neg())
    # the bit trick at 8 bits equals torch's bf16 rounding (round to nearest even)
    i = x.view(torch.int32)
    d = 16
    alt = ((i + ((1 << (d - 1)) - 1) + ((i >> d) & 1)) & (-(1 << d))).view(torch.float32)
    assert torch.equal(alt, bf16(x))
    pr("budget.start time=%s" % time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    if args.model in ("full", "both"):
        study_model("full", *load_full(args.weights), args)
    if args.model in ("small", "both"):
        study_model("small", *load_small(), args)
    pr("budget.end time=%s" % time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))


if __name__ == "__main__":
    main()
