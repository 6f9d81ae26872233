#!/usr/bin/env python3
"""Independent float64 oracle for adain-testkit.

Regenerates every fixture under
  adain-testkit/src/main/resources/org/adain/testkit/reference/
from the formulas of the project's SEMANTICS.md: the "port" semantics, and, for the cases named torch7_*
(parameters.semantics = "torch7"), the authors' Torch7 code (section 10 below, from the Lua source):

  images/   small 8-bit PNG inputs cut from the shared real photos
  models/   small random-weight Keras HDF5 files in the layouts real Keras writes
  weights/  the same weights as .npy (OIHW kernels and biases, '<f4'), for readers without HDF5
  cases/    expected tensors (.npy, '<f8', C order): features, transfers, quantisation, resizing,
            statistics, AdaIN, training losses, gradients and Adam steps
  cases.json  the manifest the Java side reads

Run with Debian's interpreter (it has python3-torch, python3-numpy, python3-h5py, python3-pil):

  /usr/bin/python3 adain-testkit/oracle/make_references.py [--images /work/shared/images]

Everything is seeded; re-running reproduces the same bytes. If the source photo directory is
missing, the PNGs already committed are reused (the references depend only on those PNGs).
"""

import argparse
import json
import math
import os
import shutil
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

SEED = 20170417
EPS = 1e-5
A, B, C, D = 8, 12, 16, 24            # channel counts standing in for 64, 128, 256, 512
TF2_KERAS_VERSION = "2.12.0"          # a tf.keras 2.x whose legacy .h5 writer has top_level_model_weights
K23_KERAS_VERSION = "2.3.1"
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = os.path.dirname(HERE)
OUT = os.path.join(MODULE, "src", "main", "resources", "org", "adain", "testkit", "reference")

RES = getattr(Image, "Resampling", Image)   # Pillow >= 9.1 spells the filters Image.Resampling.X

torch.set_num_threads(1)                    # fixed reduction order, also for the float32 runs


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------

def f32(a):
    """Round to float32 and back: the .h5 files hold float32, so the oracle uses exactly those."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def tens(a, dt):
    return torch.from_numpy(np.ascontiguousarray(np.asarray(a, dtype=np.float64))).to(dt)


def ceil_div(a, b):
    return -(-a // b)


def round_up_2sig(x):
    """Round a positive number up to two significant digits (for readable tolerances)."""
    if x <= 0:
        return 0.0
    e = math.floor(math.log10(x)) - 1
    m = math.ceil(x / 10.0 ** e - 1e-9)
    return float("%.12g" % (m * 10.0 ** e))


def save_npy(rel, arr):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    a = np.ascontiguousarray(np.asarray(arr, dtype="<f8"))
    np.save(path, a, allow_pickle=False)
    return a


# ----------------------------------------------------------------------------------------------
# 1. images
# ----------------------------------------------------------------------------------------------

def box_with_aspect(w, h, tw, th, top=None):
    """Largest box of aspect tw:th inside w x h, centred (or starting at row `top`)."""
    if w * th > h * tw:            # source too wide: keep the full height
        cw = h * tw / th
        left = (w - cw) / 2.0
        return (left, 0.0, left + cw, float(h))
    ch = w * th / tw
    t = (h - ch) / 2.0 if top is None else float(top)
    return (0.0, t, float(w), t + ch)


IMAGE_SPECS = [
    # id, source (relative to the shared image dir), width, height, crop top (None = centred)
    ("content_48x64", "content/blonde_girl.jpg", 64, 48, 32),
    ("content_40x40", "content/golden_gate.jpg", 40, 40, None),
    ("content_45x70", "content/chicago.jpg", 70, 45, None),
    ("content_75x100", "content/cornell.jpg", 100, 75, None),
    ("style_0", "style/woman_in_peasant_dress_cropped.jpg", 48, 48, None),
    ("style_1", "style/mondrian_cropped.jpg", 48, 48, None),
    ("style_2", "style/woman_with_hat_matisse.jpg", 48, 48, None),
    ("style_3", "style/brushstrokes.jpg", 48, 48, None),
]
MASK_SPEC = ("mask_48x64", "mask/mask.png", 64, 48, 32)     # same box as content_48x64
TRAIN_SPECS = [
    # the fixed training batch of the losses / gradients / adam cases: 2 (content, style) pairs, 64x64
    ("train_content_0", "content/cornell.jpg", 64, 64, None),
    ("train_content_1", "content/chicago.jpg", 64, 64, None),
    ("train_style_0", "style/mondrian_cropped.jpg", 64, 64, None),
    ("train_style_1", "style/woman_with_hat_matisse.jpg", 64, 64, None),
]


def make_images(src_dir):
    img_dir = os.path.join(OUT, "images")
    os.makedirs(img_dir, exist_ok=True)
    info = {}
    have_src = src_dir is not None and os.path.isdir(src_dir)
    for ident, rel, w, h, top in IMAGE_SPECS + [MASK_SPEC] + TRAIN_SPECS:
        dst = os.path.join(img_dir, ident + ".png")
        if have_src:
            im = Image.open(os.path.join(src_dir, rel))
            box = box_with_aspect(im.size[0], im.size[1], w, h, top)
            if ident.startswith("mask"):
                im = im.convert("L").resize((w, h), RES.NEAREST, box=box)
                a = np.asarray(im)
                a = np.where(a >= 128, 255, 0).astype(np.uint8)   # already binary; keep it exact
                im = Image.fromarray(a, mode="L")
            else:
                im = im.convert("RGB").resize((w, h), RES.LANCZOS, box=box)
            im.save(dst, format="PNG")
        elif not os.path.exists(dst):
            sys.exit("missing %s and no source image directory %s" % (dst, src_dir))
        pix = np.asarray(Image.open(dst), dtype=np.int64)
        pix = pix.reshape(h, w, -1)
        info[ident] = {
            "file": "images/%s.png" % ident,
            "height": h,
            "width": w,
            "mode": "L" if ident.startswith("mask") else "RGB",
            "source": os.path.basename(rel),
            "channel_sums": [int(x) for x in pix.sum(axis=(0, 1))],   # of the uint8 values, R, G, B
        }
    return info


def load_rgb(ident):
    """PIL RGB uint8 / 255 as float64, 1 x 3 x H x W."""
    im = Image.open(os.path.join(OUT, "images", ident + ".png")).convert("RGB")
    a = np.asarray(im, dtype=np.float64) / 255.0
    return a.transpose(2, 0, 1)[None].copy()


def load_mask(ident):
    im = Image.open(os.path.join(OUT, "images", ident + ".png"))
    assert im.mode == "L"
    a = np.asarray(im, dtype=np.float64) / 255.0
    assert set(np.unique(a)) <= {0.0, 1.0}
    return a


# ----------------------------------------------------------------------------------------------
# 2. weights (torch layout [out, in, kh, kw]); Keras files get [kh, kw, in, out]
# ----------------------------------------------------------------------------------------------

# ("conv", name, in, out, k, activation) | ("pool", name) | ("up", name)
NORM_ENCODER = [
    ("conv", "preprocess_conv", 3, 3, 1, "linear"),
    ("conv", "block1_conv1", 3, A, 3, "relu"),
    ("conv", "block1_conv2", A, A, 3, "relu"),
    ("pool", "block1_pool"),
    ("conv", "block2_conv1", A, B, 3, "relu"),
    ("conv", "block2_conv2", B, B, 3, "relu"),
    ("pool", "block2_pool"),
    ("conv", "block3_conv1", B, C, 3, "relu"),
    ("conv", "block3_conv2", C, C, 3, "relu"),
    ("conv", "block3_conv3", C, C, 3, "relu"),
    ("conv", "block3_conv4", C, C, 3, "relu"),
    ("pool", "block3_pool"),
    ("conv", "block4_conv1", C, D, 3, "relu"),
]
NORM_ENCODER_EXTRA = [("conv", "block4_conv2", D, D, 3, "relu")]   # only in encoder_keras23.h5

TAPS = {"block1_conv1": "relu1_1", "block2_conv1": "relu2_1",
        "block3_conv1": "relu3_1", "block4_conv1": "relu4_1"}

DECODER = [   # canonical op names; each file renames them
    ("conv", "d4_1", D, C, 3, "relu"),
    ("up", "up3"),
    ("conv", "d3_4", C, C, 3, "relu"),
    ("conv", "d3_3", C, C, 3, "relu"),
    ("conv", "d3_2", C, C, 3, "relu"),
    ("conv", "d3_1", C, B, 3, "relu"),
    ("up", "up2"),
    ("conv", "d2_2", B, B, 3, "relu"),
    ("conv", "d2_1", B, A, 3, "relu"),
    ("up", "up1"),
    ("conv", "d1_2", A, A, 3, "relu"),
    ("conv", "d1_1", A, 3, 3, "linear"),
]

VGG19_NOTOP = [
    ("conv", "block1_conv1", 3, A, 3, "relu"),
    ("conv", "block1_conv2", A, A, 3, "relu"),
    ("pool", "block1_pool"),
    ("conv", "block2_conv1", A, B, 3, "relu"),
    ("conv", "block2_conv2", B, B, 3, "relu"),
    ("pool", "block2_pool"),
    ("conv", "block3_conv1", B, C, 3, "relu"),
    ("conv", "block3_conv2", C, C, 3, "relu"),
    ("conv", "block3_conv3", C, C, 3, "relu"),
    ("conv", "block3_conv4", C, C, 3, "relu"),
    ("pool", "block3_pool"),
    ("conv", "block4_conv1", C, D, 3, "relu"),
    ("conv", "block4_conv2", D, D, 3, "relu"),
    ("conv", "block4_conv3", D, D, 3, "relu"),
    ("conv", "block4_conv4", D, D, 3, "relu"),
    ("pool", "block4_pool"),
    ("conv", "block5_conv1", D, D, 3, "relu"),
    ("conv", "block5_conv2", D, D, 3, "relu"),
    ("conv", "block5_conv3", D, D, 3, "relu"),
    ("conv", "block5_conv4", D, D, 3, "relu"),
    ("pool", "block5_pool"),
]


def make_weights(rng):
    def he(cin, cout, k, scale=1.0):
        w = rng.normal(0.0, math.sqrt(2.0 / (cin * k * k)), size=(cout, cin, k, k)) * scale
        b = rng.normal(0.0, 0.05, size=(cout,))
        return f32(w), f32(b)

    enc = {}
    for op in NORM_ENCODER + NORM_ENCODER_EXTRA:
        if op[0] != "conv":
            continue
        _, name, cin, cout, k, _ = op
        if name == "preprocess_conv":
            w = np.eye(3) * 0.8 + rng.normal(0.0, 0.1, size=(3, 3))
            b = rng.normal(0.0, 0.1, size=(3,))
            enc[name] = (f32(w.reshape(3, 3, 1, 1)), f32(b))
        else:
            enc[name] = he(cin, cout, k)
    dec = {}
    for op in DECODER:
        if op[0] == "conv":
            w, b = he(op[2], op[3], op[4])
            if op[1] == "d1_1":
                # widen the last (linear) layer so outputs leave [0, 1] on both sides, as a trained
                # decoder's do: the quantisation case then exercises the clamp
                w, b = f32(2.0 * w), f32(b - 0.15)
            dec[op[1]] = (w, b)
    vgg = {}
    for op in VGG19_NOTOP:
        if op[0] == "conv":
            # the Caffe-preprocessed input is O(100): shrink the first layer so activations stay O(1)
            vgg[op[1]] = he(op[2], op[3], op[4], scale=(1.0 / 64.0 if op[1] == "block1_conv1" else 1.0))
    return enc, dec, vgg


# ----------------------------------------------------------------------------------------------
# 3. the networks and AdaIN, written from the formulas (dtype-generic: float64 oracle, float32 probe)
# ----------------------------------------------------------------------------------------------

def reflect_pad1(x):
    return F.pad(x, (1, 1, 1, 1), mode="reflect")    # x[-1] = x[1], edge not repeated


def encode_normalised(img, enc, dt):
    x = img
    feats = {}
    for op in NORM_ENCODER:
        if op[0] == "conv":
            _, name, _, _, k, act = op
            w, b = enc[name]
            if k == 3:
                x = reflect_pad1(x)
            x = F.conv2d(x, tens(w, dt), tens(b, dt))
            if act == "relu":
                x = torch.relu(x)
            if name in TAPS:
                feats[TAPS[name]] = x
        else:
            x = F.max_pool2d(x, kernel_size=2, stride=2, ceil_mode=True)
    return feats


def encode_keras_apps(img, vgg, dt):
    """Keras-applications VGG19: caffe preprocessing in code, zero 'same' padding, floor pooling."""
    mean = tens(np.array(CAFFE_MEAN_BGR).reshape(1, 3, 1, 1), dt)
    x = img[:, [2, 1, 0]] * 255.0 - mean
    feats = {}
    for op in VGG19_NOTOP:
        if op[0] == "conv":
            name = op[1]
            w, b = vgg[name]
            x = torch.relu(F.conv2d(x, tens(w, dt), tens(b, dt), padding=1))
            if name in TAPS:
                feats[TAPS[name]] = x
                if name == "block4_conv1":
                    return feats
        else:
            x = F.max_pool2d(x, kernel_size=2, stride=2, ceil_mode=False)
    raise AssertionError("unreachable")


def decode(t, dec, dt):
    x = t
    for op in DECODER:
        if op[0] == "conv":
            _, name, _, _, _, act = op
            w, b = dec[name]
            x = F.conv2d(reflect_pad1(x), tens(w, dt), tens(b, dt))
            if act == "relu":
                x = torch.relu(x)
        else:
            x = x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)   # out[y][x] = in[y/2][x/2]
    return x


def mean_std(v):
    """v: N x C x L. Port statistics: spatial mean; sqrt(unbiased variance + eps)."""
    n = v.shape[-1]
    mu = v.sum(dim=-1, keepdim=True) / n
    var = ((v - mu) ** 2).sum(dim=-1, keepdim=True) / (n - 1)
    return mu, torch.sqrt(var + EPS)


def adain(fc, fs):
    N, Cc = fc.shape[:2]
    vc = fc.reshape(N, Cc, -1)
    vs = fs.reshape(N, Cc, -1)
    mc, sc = mean_std(vc)
    ms, ss = mean_std(vs)
    return ((vc - mc) / sc * ss + ms).reshape(fc.shape)


def adain_masked(fc, fs_fg, fs_bg, mask):
    """Spatial control with port statistics: per region content stats, whole-map style stats."""
    N, Cc, h, w = fc.shape
    Hm, Wm = mask.shape
    rows = [(i * Hm) // h for i in range(h)]          # floor(i * in / out), nearest
    cols = [(j * Wm) // w for j in range(w)]
    m = mask[np.ix_(rows, cols)].reshape(-1)
    vc = fc.reshape(N, Cc, -1)
    out = torch.zeros_like(vc)
    for value, fs in ((1.0, fs_fg), (0.0, fs_bg)):
        idx = torch.from_numpy(np.nonzero(m == value)[0])
        sub = vc[:, :, idx]
        mc, sc = mean_std(sub)
        ms, ss = mean_std(fs.reshape(N, Cc, -1))
        out[:, :, idx] = (sub - mc) / sc * ss + ms
    return out.reshape(fc.shape), m.reshape(h, w)


def coral(source, target):
    """CORAL on pixels: recolour `source` (the style image) to the colour statistics of `target`."""
    def stats(img):
        X = img[0].reshape(3, -1)
        P = X.shape[1]
        m = X.sum(dim=1, keepdim=True) / P
        d = torch.sqrt(((X - m) ** 2).sum(dim=1, keepdim=True) / (P - 1))
        return m, d, (X - m) / d

    def sqrtm(Mat):
        U, S, Vh = torch.linalg.svd(Mat)
        return U @ torch.diag(torch.sqrt(S)) @ Vh

    ms_, ds_, Sn = stats(source)
    mt, dtg, Tn = stats(target)
    eye = torch.eye(3, dtype=source.dtype)
    cov_s = Sn @ Sn.T + eye
    cov_t = Tn @ Tn.T + eye
    X = sqrtm(cov_t) @ torch.linalg.inv(sqrtm(cov_s)) @ Sn
    X = X * dtg + mt
    return X.reshape(source.shape)


def pad_to_multiple_of_8(x):
    H, W = x.shape[2:]
    ph, pw = ceil_div(H, 8) * 8 - H, ceil_div(W, 8) * 8 - W
    if ph == 0 and pw == 0:
        return x
    return F.pad(x, (0, pw, 0, ph), mode="reflect")


def run_transfer(net, dt, content, styles, weights=None, alpha=1.0, flavour="normalised",
                 mask=None, preserve_color=False):
    enc, dec, vgg = net
    c = tens(content, dt)
    ss = [tens(s, dt) for s in styles]
    H, W = c.shape[2:]
    extra = {}
    if preserve_color:
        ss = [coral(s, c) for s in ss]
        extra["coral_style"] = ss[0]
    if flavour == "normalised":
        encode = lambda img: encode_normalised(img, enc, dt)
    else:
        encode = lambda img: encode_keras_apps(img, vgg, dt)
        c = pad_to_multiple_of_8(c)
        ss = [pad_to_multiple_of_8(s) for s in ss]
    fc = encode(c)["relu4_1"]
    fss = [encode(s)["relu4_1"] for s in ss]
    if mask is not None:
        t, _ = adain_masked(fc, fss[0], fss[1], mask)
    else:
        if weights is None:
            weights = [1.0] * len(fss)
        tot = float(sum(weights))
        wn = [w / tot for w in weights]
        t = None
        for wk, fs in zip(wn, fss):
            term = wk * adain(fc, fs)
            t = term if t is None else t + term
    t = alpha * t + (1.0 - alpha) * fc
    out = decode(t, dec, dt)
    res = {"target": t, "decoded_size": list(out.shape), "output": out[:, :, :H, :W]}
    res.update(extra)
    return res


def quantise_port(x):
    """torchvision save_image: trunc(clamp(x*255 + 0.5, 0, 255)), evaluated in float32."""
    y = torch.as_tensor(np.asarray(x), dtype=torch.float64).to(torch.float32)
    y = y.mul(255.0).add(0.5).clamp(0.0, 255.0)
    return y.to(torch.uint8).to(torch.float64).numpy()


def resize_port(img, size, crop=None):
    """torchvision Resize(size) on a PIL image (+ optional CenterCrop), as uint8 3 x H x W."""
    w, h = img.size
    if w <= h:
        ow, oh = size, int(size * h / w)
    else:
        oh, ow = size, int(size * w / h)
    out = img.resize((ow, oh), RES.BILINEAR)
    box = None
    if crop is not None:
        top = int(round((oh - crop) / 2.0))      # Python round: half to even
        left = int(round((ow - crop) / 2.0))
        box = [top, left]
        out = out.crop((left, top, left + crop, top + crop))
    a = np.asarray(out, dtype=np.float64).transpose(2, 0, 1).copy()
    return a, (oh, ow), box


# ----------------------------------------------------------------------------------------------
# 4. Keras HDF5 writers
# ----------------------------------------------------------------------------------------------

def k_conv_config(ver, name, filters, k, activation):
    cfg = {"name": name, "trainable": True, "dtype": "float32", "filters": filters,
           "kernel_size": [k, k], "strides": [1, 1], "padding": "valid",
           "data_format": "channels_last", "dilation_rate": [1, 1]}
    if ver == "tf2":
        cfg["groups"] = 1
    cfg["activation"] = activation
    cfg["use_bias"] = True
    if ver == "tf2":
        cfg["kernel_initializer"] = {"class_name": "GlorotUniform", "config": {"seed": None}}
    else:
        cfg["kernel_initializer"] = {"class_name": "VarianceScaling",
                                     "config": {"scale": 1.0, "mode": "fan_avg",
                                                "distribution": "uniform", "seed": None}}
    cfg["bias_initializer"] = {"class_name": "Zeros", "config": {}}
    for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "bias_constraint"):
        cfg[key] = None
    return cfg


def k_input_config(ver, name, channels):
    cfg = {"batch_input_shape": [None, None, None, channels], "dtype": "float32", "sparse": False}
    if ver == "tf2":
        cfg["ragged"] = False
    cfg["name"] = name
    return cfg


def k_pad_config(ver, name):
    return {"name": name, "trainable": True, "dtype": "float32",
            "padding": [[1, 1], [1, 1]] if ver == "tf2" else [1, 1]}


def k_pool_config(name):
    return {"name": name, "trainable": True, "dtype": "float32", "pool_size": [2, 2],
            "padding": "same", "strides": [2, 2], "data_format": "channels_last"}


def k_up_config(name):
    return {"name": name, "trainable": True, "dtype": "float32", "size": [2, 2],
            "data_format": "channels_last", "interpolation": "nearest"}


def keras_layers(ver, input_name, in_channels, ops, weights, names, pad_names):
    """Build (layer config list, [(layer name, [(short, keras array)])]) for a chain of ops.

    names: canonical op name -> Keras layer name; pad_names: iterator of names for the
    ReflectionPadding2D inserted before every 3x3 conv."""
    layers = [{"class_name": "InputLayer", "config": k_input_config(ver, input_name, in_channels),
               "name": input_name, "inbound_nodes": []}]
    wlist = [(input_name, [])]
    prev = input_name

    def add(class_name, cfg, lname, ws):
        nonlocal prev
        layers.append({"class_name": class_name, "config": cfg, "name": lname,
                       "inbound_nodes": [[[prev, 0, 0, {}]]]})
        wlist.append((lname, ws))
        prev = lname

    for op in ops:
        if op[0] == "conv":
            _, cname, cin, cout, k, act = op
            lname = names.get(cname, cname)
            if k == 3:
                pname = next(pad_names)
                add("ReflectionPadding2D", k_pad_config(ver, pname), pname, [])
            w, b = weights[cname]
            kern = w.transpose(2, 3, 1, 0).astype(np.float32)           # [kh, kw, in, out]
            add("Conv2D", k_conv_config(ver, lname, cout, k, act), lname,
                [("kernel", kern), ("bias", b.astype(np.float32))])
        elif op[0] == "pool":
            lname = names.get(op[1], op[1])
            add("MaxPooling2D", k_pool_config(lname), lname, [])
        else:
            lname = names.get(op[1], op[1])
            add("UpSampling2D", k_up_config(lname), lname, [])
    return layers, wlist, prev


def write_keras_model(path, ver, model_name, layers, wlist, input_name, output_name):
    cfg = {"class_name": "Functional" if ver == "tf2" else "Model",
           "config": {"name": model_name, "layers": layers,
                      "input_layers": [[input_name, 0, 0]],
                      "output_layers": [[output_name, 0, 0]]}}
    cfg_json = json.dumps(cfg)
    with h5py.File(path, "w") as f:
        if ver == "tf2":
            # tf.keras 2.x legacy h5 writer under h5py 3: exactly the Python values it passes,
            # str -> variable-length UTF-8, bytes and lists of bytes -> variable-length ASCII.
            f.attrs["keras_version"] = TF2_KERAS_VERSION
            f.attrs["backend"] = "tensorflow"
            f.attrs["model_config"] = cfg_json.encode("utf8")
            g = f.create_group("model_weights")
            g.attrs["layer_names"] = [n.encode("utf8") for n, _ in wlist]
            g.attrs["backend"] = "tensorflow".encode("utf8")
            g.attrs["keras_version"] = TF2_KERAS_VERSION.encode("utf8")
            for lname, ws in sorted(wlist, key=lambda e: e[0]):       # Keras sorts the groups
                lg = g.create_group(lname)
                wnames = [("%s/%s:0" % (lname, short)).encode("utf8") for short, _ in ws]
                lg.attrs["weight_names"] = wnames                      # [] -> empty float64
                for wn, (_, val) in zip(wnames, ws):
                    ds = lg.create_dataset(wn.decode("utf8"), val.shape, dtype=val.dtype)
                    ds[()] = val
            tl = g.create_group("top_level_model_weights")
            tl.attrs["weight_names"] = []
        else:
            # standalone Keras 2.3.1 under h5py 2.x: every string is a fixed-length byte string.
            f.attrs["keras_version"] = np.bytes_(K23_KERAS_VERSION.encode("utf8"))
            f.attrs["backend"] = np.bytes_(b"tensorflow")
            f.attrs["model_config"] = np.bytes_(cfg_json.encode("utf-8"))
            g = f.create_group("model_weights")
            g.attrs["layer_names"] = np.array([n.encode("utf8") for n, _ in wlist])
            g.attrs["backend"] = np.bytes_(b"tensorflow")
            g.attrs["keras_version"] = np.bytes_(K23_KERAS_VERSION.encode("utf8"))
            for lname, ws in wlist:                                    # model order
                lg = g.create_group(lname)
                wnames = [("%s/%s:0" % (lname, short)).encode("utf8") for short, _ in ws]
                lg.attrs["weight_names"] = np.array(wnames) if wnames else np.asarray([])
                for wn, (_, val) in zip(wnames, ws):
                    lg.create_dataset(wn.decode("utf8"), data=val)


def write_vgg19_notop(path, vgg, layout):
    names = ["input_1"] + [op[1] for op in VGG19_NOTOP]
    with h5py.File(path, "w") as f:
        if layout == "release":
            # like vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (Keras 1 save_weights, h5py 2):
            # only 'layer_names' at the root, fixed-length strings, TF1 variable names, no nesting.
            f.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
            for n in names:
                g = f.create_group(n)
                if n in vgg:
                    w, b = vgg[n]
                    wn = ["%s_W_1:0" % n, "%s_b_1:0" % n]
                    g.attrs["weight_names"] = np.array([s.encode("utf8") for s in wn])
                    g.create_dataset(wn[0], data=w.transpose(2, 3, 1, 0).astype(np.float32))
                    g.create_dataset(wn[1], data=b.astype(np.float32))
                else:
                    g.attrs["weight_names"] = np.asarray([])
        else:
            # tf.keras 2.x model.save_weights('x.h5') of keras.applications.VGG19(include_top=False)
            f.attrs["layer_names"] = [n.encode("utf8") for n in names]
            f.attrs["backend"] = "tensorflow".encode("utf8")
            f.attrs["keras_version"] = TF2_KERAS_VERSION.encode("utf8")
            for n in sorted(names):
                g = f.create_group(n)
                if n in vgg:
                    w, b = vgg[n]
                    wn = [("%s/kernel:0" % n).encode("utf8"), ("%s/bias:0" % n).encode("utf8")]
                    g.attrs["weight_names"] = wn
                    for name, val in zip(wn, (w.transpose(2, 3, 1, 0), b)):
                        val = val.astype(np.float32)
                        ds = g.create_dataset(name.decode("utf8"), val.shape, dtype=val.dtype)
                        ds[()] = val
                else:
                    g.attrs["weight_names"] = []
            f.create_group("top_level_model_weights").attrs["weight_names"] = []


def make_models(enc, dec, vgg):
    mdir = os.path.join(OUT, "models")
    os.makedirs(mdir, exist_ok=True)

    def pads(start, prefix="reflection_padding2d"):
        i = start
        while True:
            yield prefix if i == 0 else "%s_%d" % (prefix, i)
            i += 1

    # encoders
    layers, wl, out = keras_layers("tf2", "input_1", 3, NORM_ENCODER, enc, {}, pads(0))
    write_keras_model(os.path.join(mdir, "encoder_tf2.h5"), "tf2", "model", layers, wl, "input_1", out)
    layers, wl, out = keras_layers("k23", "input_1", 3, NORM_ENCODER + NORM_ENCODER_EXTRA, enc, {},
                                   pads(1))
    write_keras_model(os.path.join(mdir, "encoder_keras23.h5"), "k23", "model_1", layers, wl,
                      "input_1", out)

    # decoders: two unrelated naming schemes; neither sorts in model order
    conv_ops = [op[1] for op in DECODER if op[0] == "conv"]
    up_ops = [op[1] for op in DECODER if op[0] == "up"]
    tf2_names = {c: "conv2d_%d" % (9 + i) for i, c in enumerate(conv_ops)}       # conv2d_9..17
    tf2_names.update({u: ("up_sampling2d" if i == 0 else "up_sampling2d_%d" % i)
                      for i, u in enumerate(up_ops)})
    layers, wl, out = keras_layers("tf2", "input_2", D, DECODER, dec, tf2_names, pads(9))
    write_keras_model(os.path.join(mdir, "decoder_tf2.h5"), "tf2", "model_1", layers, wl, "input_2", out)

    k23_names = {c: "dec_%s" % c.replace("d", "conv", 1) for c in conv_ops}     # dec_conv4_1 ...
    k23_names.update({u: "dec_%s" % u for u in up_ops})
    pad_iter = iter(["dec_pad%s" % c[1:] for c in conv_ops])
    layers, wl, out = keras_layers("k23", "dec_input", D, DECODER, dec, k23_names, pad_iter)
    write_keras_model(os.path.join(mdir, "decoder_keras23.h5"), "k23", "decoder", layers, wl,
                      "dec_input", out)

    write_vgg19_notop(os.path.join(mdir, "vgg19_notop.h5"), vgg, "release")
    write_vgg19_notop(os.path.join(mdir, "vgg19_notop_keras2.h5"), vgg, "keras2")


# ----------------------------------------------------------------------------------------------
# 5. read-back verification and a type summary of every attribute
# ----------------------------------------------------------------------------------------------

def attr_type(obj, key):
    aid = obj.attrs.get_id(key)
    t = aid.get_type()
    shape = aid.shape
    if isinstance(t, h5py.h5t.TypeStringID):
        kind = "vlen" if t.is_variable_str() else "fixed[%d]" % t.get_size()
        cset = "utf8" if t.get_cset() == h5py.h5t.CSET_UTF8 else "ascii"
        return "string %s %s shape=%s" % (kind, cset, shape)
    return "%s shape=%s" % (aid.dtype, shape)


def decode_str(v):
    return v.decode("utf8") if isinstance(v, bytes) else str(v)


def read_keras_conv_weights(path):
    """Read conv weights back the way a reader must: model_config order, weight_names order."""
    out = []
    with h5py.File(path, "r") as f:
        if "model_config" in f.attrs:
            cfg = json.loads(decode_str(f.attrs["model_config"]))
            order = [l["name"] for l in cfg["config"]["layers"]]
            root = f["model_weights"]
            listed = [decode_str(n) for n in root.attrs["layer_names"]]
            assert listed == order, (listed, order)
        else:
            root = f
            order = [decode_str(n) for n in root.attrs["layer_names"]]
        for n in order:
            wn = [decode_str(s) for s in root[n].attrs["weight_names"]]
            if wn:
                out.append((n, [np.asarray(root[n][s]) for s in wn]))
    return out


def verify_models(enc, dec, vgg):
    mdir = os.path.join(OUT, "models")
    expect = {
        "encoder_tf2.h5": [enc[op[1]] for op in NORM_ENCODER if op[0] == "conv"],
        "encoder_keras23.h5": [enc[op[1]] for op in NORM_ENCODER + NORM_ENCODER_EXTRA if op[0] == "conv"],
        "decoder_tf2.h5": [dec[op[1]] for op in DECODER if op[0] == "conv"],
        "decoder_keras23.h5": [dec[op[1]] for op in DECODER if op[0] == "conv"],
        "vgg19_notop.h5": [vgg[op[1]] for op in VGG19_NOTOP if op[0] == "conv"],
        "vgg19_notop_keras2.h5": [vgg[op[1]] for op in VGG19_NOTOP if op[0] == "conv"],
    }
    for fname, want in expect.items():
        got = read_keras_conv_weights(os.path.join(mdir, fname))
        assert len(got) == len(want), (fname, len(got), len(want))
        for (lname, (k, b)), (w, bb) in zip(got, want):
            assert k.dtype == np.float32 and b.dtype == np.float32
            assert np.array_equal(k.astype(np.float64), w.transpose(2, 3, 1, 0)), (fname, lname)
            assert np.array_equal(b.astype(np.float64), bb), (fname, lname)
        print("  read back %-24s %2d conv layers OK" % (fname, len(got)))
    for fname in sorted(expect):
        with h5py.File(os.path.join(mdir, fname), "r") as f:
            print("  %s" % fname)
            for key in sorted(f.attrs):
                print("    /@%-14s %s" % (key, attr_type(f, key)))
            if "model_weights" in f:
                g = f["model_weights"]
                for key in sorted(g.attrs):
                    print("    /model_weights/@%-14s %s" % (key, attr_type(g, key)))
                lay = g
            else:
                lay = f
            names = list(lay.keys())
            conv = next(n for n in names if len(lay[n].attrs["weight_names"]) > 0)
            empty = next(n for n in names if len(lay[n].attrs["weight_names"]) == 0)
            print("    %s/@weight_names %s" % (conv, attr_type(lay[conv], "weight_names")))
            print("    %s/@weight_names %s" % (empty, attr_type(lay[empty], "weight_names")))
            dsets = []
            lay[conv].visititems(lambda n, o: dsets.append(n) if isinstance(o, h5py.Dataset) else None)
            print("    %s datasets: %s" % (conv, dsets))


# ----------------------------------------------------------------------------------------------
# 6. cases
# ----------------------------------------------------------------------------------------------

def expected_entry(case, key, a64, a32, exact=False):
    rel = "cases/%s/%s.npy" % (case, key)
    a = save_npy(rel, a64)
    err = float(np.max(np.abs(a - a32))) if a32 is not None else 0.0
    tol = 0.0 if exact else round_up_2sig(max(1e-5, 10.0 * err))
    return {"name": key, "file": rel, "shape": list(a.shape),
            "max_abs": float(np.max(np.abs(a))), "float32_error": err, "tolerance": tol}


def finish_case(entry, expected):
    entry["expected"] = expected
    entry["float32_error"] = max((e["float32_error"] for e in expected), default=0.0)   # none: an error case
    entry["tolerance"] = max((e["tolerance"] for e in expected), default=0.0)
    return entry


def np64(t):
    return t.detach().to(torch.float64).numpy() if torch.is_tensor(t) else np.asarray(t)


def make_cases(net, images, rng):
    enc, dec, vgg = net
    f64, f32_ = torch.float64, torch.float32
    cases = []
    img = {k: load_rgb(k) for k in images if not k.startswith("mask")}
    mask = load_mask("mask_48x64")
    ENC_TF2, ENC_K23 = "models/encoder_tf2.h5", "models/encoder_keras23.h5"
    DEC_TF2, DEC_K23 = "models/decoder_tf2.h5", "models/decoder_keras23.h5"
    VGG = "models/vgg19_notop.h5"

    # -- encoder features
    for ident, encfile in (("content_48x64", ENC_TF2), ("content_75x100", ENC_K23)):
        name = "features_" + ident.split("_")[1]
        r64 = encode_normalised(tens(img[ident], f64), enc, f64)
        r32 = encode_normalised(tens(img[ident], f32_), enc, f32_)
        exp = [expected_entry(name, k, np64(r64[k]), np64(r32[k]))
               for k in ("relu1_1", "relu2_1", "relu3_1", "relu4_1")]
        cases.append(finish_case({
            "name": name, "kind": "features",
            "description": "relu1_1..relu4_1 of the normalised encoder (ceil pooling, reflection pad)",
            "inputs": {"content": images[ident]["file"]},
            "parameters": {"encoder": encfile, "encoder_flavour": "normalised"},
        }, exp))

    # -- decoder only
    h, w = 6, 8
    feat = f32(rng.normal(0.3, 1.0, size=(1, D, h, w)))
    save_npy("cases/decoder_only/input.npy", feat)
    o64 = decode(tens(feat, f64), dec, f64)
    o32 = decode(tens(feat, f32_), dec, f32_)
    cases.append(finish_case({
        "name": "decoder_only", "kind": "decode",
        "description": "decoder applied to a fixed random 1x%dx%dx%d tensor (uncropped output)" % (D, h, w),
        "inputs": {"features": "cases/decoder_only/input.npy"},
        "parameters": {"decoder": DEC_TF2},
    }, [expected_entry("decoder_only", "output", np64(o64), np64(o32))]))

    def transfer_case(name, description, content, styles, weights=None, alpha=1.0,
                      encfile=ENC_TF2, decfile=DEC_TF2, flavour="normalised",
                      use_mask=False, preserve_color=False):
        args = dict(weights=weights, alpha=alpha, flavour=flavour,
                    mask=mask if use_mask else None, preserve_color=preserve_color)
        s_imgs = [img[s] for s in styles]
        r64 = run_transfer(net, f64, img[content], s_imgs, **args)
        r32 = run_transfer(net, f32_, img[content], s_imgs, **args)
        exp = []
        if preserve_color:
            exp.append(expected_entry(name, "coral_style", np64(r64["coral_style"]), np64(r32["coral_style"])))
        exp.append(expected_entry(name, "target", np64(r64["target"]), np64(r32["target"])))
        exp.append(expected_entry(name, "output", np64(r64["output"]), np64(r32["output"])))
        wts = weights if weights is not None else [1.0] * len(styles)
        params = {
            "alpha": alpha,
            "style_weights": [float(x) for x in wts],
            "normalised_style_weights": [float(x) / float(sum(wts)) for x in wts],
            "preserve_color": preserve_color,
            "mask": images["mask_48x64"]["file"] if use_mask else None,
            "encoder": encfile if flavour == "normalised" else VGG,
            "encoder_flavour": flavour,
            "decoder": decfile,
            "decoded_size": r64["decoded_size"][2:],
        }
        inputs = {"content": images[content]["file"], "styles": [images[s]["file"] for s in styles]}
        if use_mask:
            inputs["mask"] = images["mask_48x64"]["file"]
        cases.append(finish_case({"name": name, "kind": "transfer", "description": description,
                                  "inputs": inputs, "parameters": params}, exp))
        return r64

    r_alpha1 = transfer_case("alpha_1", "content_48x64 + style_0, alpha 1", "content_48x64", ["style_0"], alpha=1.0)
    transfer_case("alpha_0.6", "content_48x64 + style_0, alpha 0.6 (feature-level blend)",
                  "content_48x64", ["style_0"], alpha=0.6, encfile=ENC_K23, decfile=DEC_K23)
    transfer_case("alpha_0", "content_48x64 + style_0, alpha 0: decodes f(c)",
                  "content_48x64", ["style_0"], alpha=0.0)
    transfer_case("square_40", "square content 40x40 + style_1", "content_40x40", ["style_1"],
                  encfile=ENC_K23, decfile=DEC_TF2)
    transfer_case("nonmult8_45x70", "content 45x70 (decoded 48x72, cropped back) + style_2",
                  "content_45x70", ["style_2"], encfile=ENC_TF2, decfile=DEC_K23)
    transfer_case("interp_4", "content_48x64 + style_0..3, weights 1,2,3,4 normalised to 0.1..0.4",
                  "content_48x64", ["style_0", "style_1", "style_2", "style_3"], weights=[1, 2, 3, 4])
    transfer_case("preserve_color", "content_48x64 + CORAL(style_3 -> content) (not clamped)",
                  "content_48x64", ["style_3"], preserve_color=True, encfile=ENC_K23, decfile=DEC_K23)
    transfer_case("mask_2region", "content_48x64, mask==1 -> style_0, mask==0 -> style_1 (port statistics)",
                  "content_48x64", ["style_0", "style_1"], use_mask=True)
    transfer_case("keras_apps_45x70",
                  "Keras-applications VGG19 flavour (caffe preprocessing in code, zero pad, floor pool); "
                  "content and style reflection-padded bottom/right to multiples of 8, output cropped",
                  "content_45x70", ["style_0"], flavour="keras_apps", decfile=DEC_TF2)

    # -- quantisation of alpha_1's expected output (exact)
    out1 = np64(r_alpha1["output"])[0]
    q = quantise_port(out1)
    e = expected_entry("quantised", "uint8", q, None, exact=True)
    r32 = run_transfer(net, f32_, img["content_48x64"], [img["style_0"]], alpha=1.0)
    q32 = quantise_port(np64(r32["output"])[0])
    qfloor = np.floor(np.clip(out1, 0, 1) * 255.0)
    cases.append(finish_case({
        "name": "quantised", "kind": "quantise",
        "description": "port rule uint8 = trunc(clamp(float32(x)*255 + 0.5, 0, 255)) (float32 arithmetic) "
                       "applied to alpha_1's expected output; exact",
        "inputs": {"tensor": "cases/alpha_1/output.npy"},
        "parameters": {"rule": "port", "from_case": "alpha_1",
                       "float32_pipeline_level_diff": float(np.max(np.abs(q32 - q))),
                       "float32_pipeline_pixels_differing": int(np.sum(q32 != q)),
                       "lua_floor_rule_pixels_differing": int(np.sum(qfloor != q))},
    }, [e]))

    # -- PIL resize (the port's test-time transform)
    src = Image.open(os.path.join(OUT, "images", "content_75x100.png")).convert("RGB")
    for name, size, crop in (("resize_32", 32, None), ("resize_80", 80, None),
                             ("resize_crop_32", 32, 32), ("resize_crop_27", 27, 27)):
        a, (oh, ow), box = resize_port(src, size, crop)
        e = expected_entry(name, "uint8", a, None, exact=True)
        e["tolerance"] = 1.0
        cases.append(finish_case({
            "name": name, "kind": "resize",
            "description": "torchvision Resize(%d) (shorter side -> %d, longer int(size*long/short), PIL "
                           "bilinear, antialiased when shrinking)%s" % (
                               size, size, "" if crop is None else
                               " then CenterCrop(%d) (offsets round-half-even)" % crop),
            "inputs": {"image": images["content_75x100"]["file"]},
            "parameters": {"size": size, "crop": crop, "resized_height": oh, "resized_width": ow,
                           "crop_top_left": box,
                           "tolerance_note": "PIL's fixed-point arithmetic: an exact re-implementation "
                                             "gives 0; float implementations may differ by 1 level"},
        }, [e]))
    return cases


# ----------------------------------------------------------------------------------------------
# 7. weights as .npy (OIHW kernels, biases; '<f4': exactly the float32 values of the .h5 files)
# ----------------------------------------------------------------------------------------------

ENCODER_ROLES = ["conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3", "conv3_4",
                 "conv4_1"]
TAP_ORDER = ["relu1_1", "relu2_1", "relu3_1", "relu4_1"]


def weight_sets(enc, dec, vgg):
    """id -> (kind, model ids holding the same weights, note, [(role, name, h5 names, (w, b), activation)])."""
    norm_convs = [op for op in NORM_ENCODER if op[0] == "conv"]
    vgg_convs = [op for op in VGG19_NOTOP if op[0] == "conv"][:len(ENCODER_ROLES)]
    dec_convs = [op for op in DECODER if op[0] == "conv"]
    assert len(norm_convs) == 1 + len(ENCODER_ROLES) and vgg_convs[-1][1] == "block4_conv1"
    norm = []
    for i, op in enumerate(norm_convs):
        role = "preprocess" if i == 0 else ENCODER_ROLES[i - 1]
        norm.append((role, op[1], {"encoder_tf2": op[1], "encoder_keras23": op[1]}, enc[op[1]], op[5]))
    apps = [(ENCODER_ROLES[i], op[1], {"vgg19_notop": op[1], "vgg19_notop_keras2": op[1]}, vgg[op[1]], op[5])
            for i, op in enumerate(vgg_convs)]
    decl = []
    for i, op in enumerate(dec_convs):
        k23 = "dec_%s" % op[1].replace("d", "conv", 1)
        decl.append(("conv%d" % i, k23, {"decoder_tf2": "conv2d_%d" % (9 + i), "decoder_keras23": k23},
                     dec[op[1]], op[5]))
    return {
        "normalised": ("NORMALISED_VGG19", ["encoder_tf2", "encoder_keras23"],
                       "the normalised encoder up to relu4_1: the 1x1 preprocessing conv, then conv1_1..conv4_1 "
                       "(encoder_keras23.h5 also holds block4_conv2, which is not part of it)", norm),
        "keras_apps": ("KERAS_APPLICATIONS_VGG19", ["vgg19_notop", "vgg19_notop_keras2"],
                       "the first 9 convs of the Keras-applications VGG19 notop (block1_conv1..block4_conv1, "
                       "up to relu4_1); the .h5 files also hold block4_conv2..block5_conv4", apps),
        "decoder": ("DECODER", ["decoder_tf2", "decoder_keras23"],
                    "the decoder, convs 0..8 in model order (ReLU after 0..7, linear 8; nearest x2 upsampling "
                    "after 0, 4, 6)", decl),
    }


def save_f4(rel, arr):
    a = np.asarray(arr, dtype=np.float64)
    b = a.astype("<f4")
    assert np.array_equal(b.astype(np.float64), a), rel          # exactly float32 values
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(b), allow_pickle=False)


def make_weight_arrays(enc, dec, vgg):
    section = {}
    for ident, (kind, models, note, layers) in weight_sets(enc, dec, vgg).items():
        entries = []
        for role, name, h5names, (w, b), act in layers:
            kr = "weights/%s/%s_kernel.npy" % (ident, role)
            br = "weights/%s/%s_bias.npy" % (ident, role)
            save_f4(kr, w)
            save_f4(br, b)
            entries.append({"role": role, "name": name, "shape": list(w.shape), "kernel": kr, "bias": br,
                            "activation": act, "h5_layer_names": h5names})
        section[ident] = {"kind": kind, "models": models, "dtype": "<f4", "layout": "kernel OIHW [out, in, kh, kw], "
                          "bias [out]", "description": note, "layers": entries}
    # read every .h5 back (model_config / layer_names order, weight_names order) and compare exactly
    for ident, sec in section.items():
        for mid in sec["models"]:
            got = read_keras_conv_weights(os.path.join(OUT, "models", mid + ".h5"))
            for e, (lname, (k, b)) in zip(sec["layers"], got):
                assert lname == e["h5_layer_names"][mid], (mid, lname, e["h5_layer_names"][mid])
                kn = np.load(os.path.join(OUT, e["kernel"]))
                bn = np.load(os.path.join(OUT, e["bias"]))
                assert kn.dtype == np.dtype("<f4") and bn.dtype == np.dtype("<f4")
                assert np.array_equal(kn, k.transpose(3, 2, 0, 1)) and np.array_equal(bn, b), (mid, lname)
        print("  weights/%-11s %2d convs, equal to %s" % (ident, len(sec["layers"]), " and ".join(sec["models"])))
    return section


# ----------------------------------------------------------------------------------------------
# 8. statistics and AdaIN on raw feature tensors
# ----------------------------------------------------------------------------------------------

def stats_of(x, dt):
    v = tens(x, dt)
    N, Cc = v.shape[:2]
    m, s = mean_std(v.reshape(N, Cc, -1))
    return m.reshape(N, Cc, 1, 1), s.reshape(N, Cc, 1, 1)


def make_feature_cases(rng):
    f64, f32_ = torch.float64, torch.float32
    cases = []
    err_note = ("a single position has no unbiased variance (0/0): the port gives NaN; the contract "
                "(StyleModel.std, AdaIN) is an InvalidRequestException naming the shape")

    def stats_case(name, description, x, expect_error=False, extra=None):
        rel = "cases/%s/input.npy" % name
        save_npy(rel, x)
        entry = {"name": name, "kind": "statistics", "description": description}
        params = {"statistic": "mean over HxW; std = sqrt(unbiased variance over HxW + eps)", "eps": EPS,
                  "input_shape": list(x.shape)}
        params.update(extra or {})
        exp = []
        if expect_error:
            m, s = stats_of(x, f64)
            assert torch.isnan(s).all() and not torch.isnan(m).any()
            entry["expect_error"] = True
            params.update({"error": "InvalidRequestException", "operations": ["std"], "port_result": "NaN",
                           "error_reason": err_note})
        else:
            m64, s64 = stats_of(x, f64)
            m32, s32 = stats_of(x, f32_)
            exp = [expected_entry(name, "mean", np64(m64), np64(m32)),
                   expected_entry(name, "std", np64(s64), np64(s32))]
        entry.update({"inputs": {"features": rel}, "parameters": params})
        cases.append(finish_case(entry, exp))

    def adain_case(name, description, xc, xs, expect_error=False):
        rc, rs = "cases/%s/content.npy" % name, "cases/%s/style.npy" % name
        save_npy(rc, xc)
        save_npy(rs, xs)
        entry = {"name": name, "kind": "adain", "description": description}
        params = {"formula": "(c - mean(c)) / std(c) * std(s) + mean(s), per sample and channel, "
                             "std = sqrt(unbiased variance + eps)", "eps": EPS,
                  "content_shape": list(xc.shape), "style_shape": list(xs.shape)}
        exp = []
        if expect_error:
            o = adain(tens(xc, f64), tens(xs, f64))
            assert torch.isnan(o).all()
            entry["expect_error"] = True
            params.update({"error": "InvalidRequestException", "operations": ["adain", "std"],
                           "port_result": "NaN", "error_reason": err_note})
        else:
            r = {}
            for dt in (f64, f32_):
                mc, sc = stats_of(xc, dt)
                ms, ss = stats_of(xs, dt)
                r[dt] = {"output": adain(tens(xc, dt), tens(xs, dt)), "content_mean": mc, "content_std": sc,
                         "style_mean": ms, "style_std": ss}
            exp = [expected_entry(name, k, np64(r[f64][k]), np64(r[f32_][k]))
                   for k in ("output", "content_mean", "content_std", "style_mean", "style_std")]
        entry.update({"inputs": {"content_features": rc, "style_features": rs}, "parameters": params})
        cases.append(finish_case(entry, exp))

    # (a) batch 3, 5 channels of different location/scale (one post-ReLU), 7x6
    loc = np.array([0.0, 0.5, 2.0, -1.0, 0.3]).reshape(1, 5, 1, 1)
    scale = np.array([1.0, 0.2, 3.0, 0.05, 1.0]).reshape(1, 5, 1, 1)
    x = loc + scale * rng.normal(size=(3, 5, 7, 6))
    x[:, 4] = np.maximum(x[:, 4], 0.0)
    stats_case("stats_3x5x7x6", "mean and std of a random 3x5x7x6 tensor (channel 4 post-ReLU, with zeros)", f32(x))

    # (b) constant channels: std = sqrt(0 + eps) = sqrt(1e-5), not 0
    x = rng.normal(0.2, 1.0, size=(2, 4, 6, 5))
    x[0, 1] = 0.0                         # a dead ReLU channel
    x[1, 2] = 0.3                         # a constant that float32 cannot hold exactly (0.30000001192...)
    x = f32(x)
    stats_case("stats_constant_channel",
               "2x4x6x5 with constant channels (sample 0 channel 1 = 0, sample 1 channel 2 = float32(0.3)): "
               "their std is sqrt(1e-5) = %.10f" % math.sqrt(EPS), x,
               extra={"constant_channels": [[0, 1], [1, 2]], "constant_std": math.sqrt(EPS)})

    # (c) a 1x1 spatial map: error
    stats_case("stats_1x1", "a 2x3x1x1 map: std must be rejected (port: NaN)",
               f32(rng.normal(0.5, 1.0, size=(2, 3, 1, 1))), expect_error=True)

    # (d) AdaIN, content and style of different sizes (L = 35 vs 36: the unbiased factors do not cancel)
    xc = rng.normal(0.3, 1.0, size=(1, 6, 5, 7)) * np.linspace(0.5, 2.0, 6).reshape(1, 6, 1, 1)
    xs = rng.normal(-0.2, 1.5, size=(1, 6, 9, 4)) + np.linspace(-1.0, 1.0, 6).reshape(1, 6, 1, 1)
    xc[0, 3] = np.maximum(xc[0, 3], 0.0)
    adain_case("adain_6ch", "AdaIN of content 1x6x5x7 with style 1x6x9x4 (different H x W)", f32(xc), f32(xs))

    # (e) AdaIN with batch 2: statistics per sample (sample 1 on another scale than sample 0)
    xc = rng.normal(0.3, 1.0, size=(2, 6, 5, 7))
    xc[1] = 3.0 * xc[1] + 1.0
    xs = rng.normal(0.0, 1.0, size=(2, 6, 9, 4))
    xs[0] = 0.25 * xs[0] - 0.5
    adain_case("adain_batch2", "AdaIN with batch 2 (content 2x6x5x7, style 2x6x9x4): statistics per sample "
               "and channel, sample k of the content with sample k of the style", f32(xc), f32(xs))

    # (f) AdaIN with a 1x1 style map: error
    adain_case("adain_style_1x1", "AdaIN of content 1x4x3x3 with a 1x4x1x1 style map: must be rejected "
               "(port: NaN everywhere)", f32(rng.normal(size=(1, 4, 3, 3))), f32(rng.normal(size=(1, 4, 1, 1))),
               expect_error=True)
    return cases


# ----------------------------------------------------------------------------------------------
# 9. training: losses, gradients, Adam (port semantics, SEMANTICS 9.1)
# ----------------------------------------------------------------------------------------------

TRAIN_CONTENTS = ["train_content_0", "train_content_1"]
TRAIN_STYLES = ["train_style_0", "train_style_1"]
CONTENT_WEIGHT, STYLE_WEIGHT = 1.0, 10.0
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8
ADAM_LR, ADAM_LR_DECAY = 1e-4, 5e-5          # the port's defaults (train.py)


def decoder_params(dec, dt, requires_grad):
    ps = []
    for op in DECODER:
        if op[0] == "conv":
            w, b = dec[op[1]]
            # clone: for float64, tens() shares memory with the numpy weights, which Adam must not change
            ps.append(tens(w, dt).clone().requires_grad_(requires_grad))
            ps.append(tens(b, dt).clone().requires_grad_(requires_grad))
    return ps                                                # [w0, b0, w1, b1, ..., w8, b8]


def decode_with(t, ps):
    x, i = t, 0
    for op in DECODER:
        if op[0] == "conv":
            x = F.conv2d(reflect_pad1(x), ps[2 * i], ps[2 * i + 1])
            if op[5] == "relu":
                x = torch.relu(x)
            i += 1
        else:
            x = x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    return x


def training_terms(enc, ps, contents, styles, dt):
    """The port's training forward. The target t and the style statistics depend only on the frozen
    encoder and the images (no gradient); the gradient reaches the decoder through the encoder on g."""
    fs = {k: v.detach() for k, v in encode_normalised(styles, enc, dt).items()}
    t = adain(encode_normalised(contents, enc, dt)["relu4_1"], fs["relu4_1"]).detach()
    g = decode_with(t, ps)
    fg = encode_normalised(g, enc, dt)
    d = fg["relu4_1"] - t
    content = (d * d).sum() / d.numel()
    style = []
    for k in TAP_ORDER:
        N, Cc = fg[k].shape[:2]
        mg, sg = mean_std(fg[k].reshape(N, Cc, -1))
        ms, ss = mean_std(fs[k].reshape(N, Cc, -1))
        style.append(((mg - ms) ** 2).sum() / (N * Cc) + ((sg - ss) ** 2).sum() / (N * Cc))
    total = CONTENT_WEIGHT * content + STYLE_WEIGHT * (style[0] + style[1] + style[2] + style[3])
    return {"content": content, "style": style, "total": total, "target": t, "decoded": g}


def adam_run(enc, dec, contents, styles, dt, lr, decay, steps):
    """torch.optim.Adam semantics written out (eps added after the bias correction); lr_i = lr / (1 + decay*i)."""
    ps = decoder_params(dec, dt, True)
    m = [torch.zeros_like(p) for p in ps]
    v = [torch.zeros_like(p) for p in ps]
    b1, b2 = ADAM_BETAS
    losses, lrs = [], []
    for i in range(steps):
        lr_i = lr / (1.0 + decay * i)
        total = training_terms(enc, ps, contents, styles, dt)["total"]
        grads = torch.autograd.grad(total, ps)
        losses.append(total.detach())
        lrs.append(lr_i)
        step = i + 1
        with torch.no_grad():
            for p, g, mk, vk in zip(ps, grads, m, v):
                mk.mul_(b1).add_(g, alpha=1.0 - b1)
                vk.mul_(b2).addcmul_(g, g, value=1.0 - b2)
                denom = vk.sqrt() / math.sqrt(1.0 - b2 ** step) + ADAM_EPS
                p.addcdiv_(mk, denom, value=-(lr_i / (1.0 - b1 ** step)))
    after = training_terms(enc, ps, contents, styles, dt)["total"].detach()
    return {"losses": torch.stack(losses), "loss_after": after, "params": [p.detach() for p in ps], "lrs": lrs}


def batch(idents, dt):
    return tens(np.concatenate([load_rgb(k) for k in idents], axis=0), dt)


def crosscheck_training(enc, dec, lr, decay):
    """Independent checks of the formulas against torch.nn / torch.optim / finite differences (float64)."""
    f64 = torch.float64
    c, s = batch(TRAIN_CONTENTS, f64), batch(TRAIN_STYLES, f64)
    # torch.nn modules and Tensor.var for the loss
    net = torch.nn.Sequential()
    convs = []
    for op in DECODER:
        if op[0] == "conv":
            conv = torch.nn.Conv2d(op[2], op[3], 3).double()
            w, b = dec[op[1]]
            with torch.no_grad():
                conv.weight.copy_(tens(w, f64))
                conv.bias.copy_(tens(b, f64))
            convs.append(conv)
            net.append(torch.nn.ReflectionPad2d(1))
            net.append(conv)
            if op[5] == "relu":
                net.append(torch.nn.ReLU())
        else:
            net.append(torch.nn.Upsample(scale_factor=2, mode="nearest"))

    def calc_mean_std(x):
        N, Cc = x.shape[:2]
        var = x.reshape(N, Cc, -1).var(dim=2) + EPS
        return x.reshape(N, Cc, -1).mean(dim=2), var.sqrt()

    mse = torch.nn.MSELoss()

    def nn_loss():
        fs = encode_normalised(s, enc, f64)
        t = adain(encode_normalised(c, enc, f64)["relu4_1"], fs["relu4_1"])
        fg = encode_normalised(net(t), enc, f64)
        lc = mse(fg["relu4_1"], t)
        ls = 0
        for k in TAP_ORDER:
            (mg, sg), (ms, ss) = calc_mean_std(fg[k]), calc_mean_std(fs[k])
            ls = ls + mse(mg, ms) + mse(sg, ss)
        return lc + STYLE_WEIGHT * ls

    mine = training_terms(enc, decoder_params(dec, f64, False), c, s, f64)["total"]
    ref = nn_loss()
    assert abs(float(mine) - float(ref)) <= 1e-12 * abs(float(ref)), (float(mine), float(ref))
    # torch.optim.Adam with the schedule set per iteration, as train.py does
    opt = torch.optim.Adam(net.parameters(), lr=lr, betas=ADAM_BETAS, eps=ADAM_EPS)
    for i in range(2):
        for grp in opt.param_groups:
            grp["lr"] = lr / (1.0 + decay * i)
        opt.zero_grad()
        nn_loss().backward()
        opt.step()
    ours = adam_run(enc, dec, c, s, f64, lr, decay, 2)["params"]
    worst = 0.0
    for k, conv in enumerate(convs):
        worst = max(worst, float((conv.weight.detach() - ours[2 * k]).abs().max()),
                    float((conv.bias.detach() - ours[2 * k + 1]).abs().max()))
    assert worst <= 1e-13, worst
    # central finite differences on a few entries of the first and last conv
    ps = decoder_params(dec, f64, True)
    g = torch.autograd.grad(training_terms(enc, ps, c, s, f64)["total"], ps)
    fd_worst = 0.0
    gen = np.random.default_rng(7)
    for pi in (0, 1, 16, 17):
        for _ in range(4):
            idx = tuple(int(gen.integers(0, n)) for n in ps[pi].shape)
            h = 1e-5
            vals = []
            for sgn in (1.0, -1.0):
                q = [p.detach().clone() for p in ps]
                q[pi][idx] += sgn * h
                vals.append(float(training_terms(enc, q, c, s, f64)["total"]))
            fd = (vals[0] - vals[1]) / (2 * h)
            an = float(g[pi][idx])
            fd_worst = max(fd_worst, abs(fd - an) / max(1e-3, abs(an)))
    assert fd_worst < 1e-5, fd_worst
    print("  training cross-checks: loss vs nn.MSELoss/Tensor.var %.1e rel, Adam vs torch.optim.Adam %.1e, "
          "autograd vs finite differences %.1e rel" % (abs(float(mine) - float(ref)) / abs(float(ref)), worst,
                                                        fd_worst))


def make_training_cases(enc, dec, images, lr, decay, steps=2):
    f64, f32_ = torch.float64, torch.float32
    cases = []
    c64, s64 = batch(TRAIN_CONTENTS, f64), batch(TRAIN_STYLES, f64)
    c32, s32 = batch(TRAIN_CONTENTS, f32_), batch(TRAIN_STYLES, f32_)
    inputs = {"contents": [images[k]["file"] for k in TRAIN_CONTENTS],
              "styles": [images[k]["file"] for k in TRAIN_STYLES]}
    common = {"content_weight": CONTENT_WEIGHT, "style_weight": STYLE_WEIGHT,
              "encoder": "models/encoder_tf2.h5", "encoder_flavour": "normalised", "encoder_weights": "normalised",
              "decoder": "models/decoder_tf2.h5", "decoder_weights": "decoder",
              "content_layer": "relu4_1", "style_layers": TAP_ORDER, "eps": EPS}

    # -- losses
    r64 = training_terms(enc, decoder_params(dec, f64, False), c64, s64, f64)
    r32 = training_terms(enc, decoder_params(dec, f32_, False), c32, s32, f32_)
    exp = [expected_entry("losses", "content", np64(r64["content"]), np64(r32["content"])),
           expected_entry("losses", "style_layers", np64(torch.stack(r64["style"])), np64(torch.stack(r32["style"]))),
           expected_entry("losses", "total", np64(r64["total"]), np64(r32["total"])),
           expected_entry("losses", "target", np64(r64["target"]), np64(r32["target"])),
           expected_entry("losses", "decoded", np64(r64["decoded"]), np64(r32["decoded"]))]
    cases.append(finish_case({
        "name": "losses", "kind": "losses",
        "description": "training loss terms (LossTerms) of a batch of 2 (content, style) 64x64 pairs: content = "
                       "mean((relu4_1(g) - t)^2), style_layers[i] = mean_NC((mu_g - mu_s)^2) + mean_NC((sd_g - sd_s)^2) "
                       "for relu1_1..relu4_1 (port mean/std both sides), total = 1*content + 10*sum(style_layers); "
                       "t = AdaIN(relu4_1(c), relu4_1(s)) (alpha 1), g = decoder(t)",
        "inputs": inputs, "parameters": dict(common)}, exp))

    # -- gradients of the total loss w.r.t. the first and the last decoder conv
    grads = {}
    for dt, c, s in ((f64, c64, s64), (f32_, c32, s32)):
        ps = decoder_params(dec, dt, True)
        total = training_terms(enc, ps, c, s, dt)["total"]
        grads[dt] = (total.detach(), torch.autograd.grad(total, ps))
    exp = [expected_entry("gradients", "loss", np64(grads[f64][0]), np64(grads[f32_][0]))]
    for conv in (0, 8):
        for j, part in enumerate(("kernel", "bias")):
            exp.append(expected_entry("gradients", "grad_conv%d_%s" % (conv, part), np64(grads[f64][1][2 * conv + j]),
                                      np64(grads[f32_][1][2 * conv + j])))
    p = dict(common)
    p.update({"decoder_convs": [0, 8], "wrt": "decoder conv kernels (OIHW) and biases; encoder frozen; t and the "
                                              "style statistics detached; gradient through the encoder on g"})
    cases.append(finish_case({
        "name": "gradients", "kind": "gradients",
        "description": "d total / d (first and last decoder conv kernel and bias) on the losses batch "
                       "(content weight 1, style weight 10), float64 autograd",
        "inputs": inputs, "parameters": p}, exp))

    # -- Adam, 2 steps: the port's schedule (all decoder weights), and a large decay that makes it observable
    def adam_case(name, lr, decay, convs, description):
        a64 = adam_run(enc, dec, c64, s64, f64, lr, decay, steps)
        a32 = adam_run(enc, dec, c32, s32, f32_, lr, decay, steps)
        exp = [expected_entry(name, "losses", np64(a64["losses"]), np64(a32["losses"])),
               expected_entry(name, "loss_after", np64(a64["loss_after"]), np64(a32["loss_after"]))]
        init = decoder_params(dec, f64, False)
        changes = []
        for k in convs:
            for j, part in enumerate(("kernel", "bias")):
                e = expected_entry(name, "conv%d_%s" % (k, part), np64(a64["params"][2 * k + j]),
                                   np64(a32["params"][2 * k + j]))
                exp.append(e)
                changes.append((np.abs(np64(a64["params"][2 * k + j]) - np64(init[2 * k + j])), e["tolerance"]))
        alld = np.concatenate([d.ravel() for d, _ in changes])
        p = dict(common)
        p.update({"lr": lr, "lr_decay": decay, "lr_per_step": a64["lrs"], "beta1": ADAM_BETAS[0],
                  "beta2": ADAM_BETAS[1], "adam_eps": ADAM_EPS, "steps": steps, "initial_decoder_weights": "decoder",
                  "decoder_convs": list(convs),
                  "update": "torch.optim.Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; "
                            "w -= lr_i / (1 - b1^k) * m / (sqrt(v) / sqrt(1 - b2^k) + eps), k = i + 1; "
                            "lr_i = lr / (1 + lr_decay * i) before iteration i = 0, 1",
                  "max_weight_change": float(alld.max()), "median_weight_change": float(np.median(alld)),
                  "weights_unchanged": int(np.sum(alld == 0.0)),
                  "weights_changed_beyond_tolerance": sum(int(np.sum(d > tol)) for d, tol in changes),
                  "weights_total": int(alld.size)})
        cases.append(finish_case({"name": name, "kind": "adam", "description": description,
                                  "inputs": inputs, "parameters": p}, exp))

    adam_case("adam", ADAM_LR, ADAM_LR_DECAY, list(range(9)),
              "2 Adam steps on the decoder (losses batch, content weight 1, style weight 10) from the 'decoder' "
              "weights, lr 1e-4, decay 5e-5 (the port's): the loss at each iteration (before its update), the loss "
              "after both, and every decoder conv kernel/bias after 2 steps")
    adam_case("adam_lr_decay", 1e-3, 0.5, [0, 8],
              "as adam with lr 1e-3 and lr_decay 0.5 (lr_1 = lr / 1.5), so that the schedule is observable: "
              "losses, and the first and last decoder conv after 2 steps")
    return cases



# ----------------------------------------------------------------------------------------------
# 10. Torch7 semantics (the authors' Lua code, SEMANTICS 2.2, 5.1, 5.4, 9.2), written from the Lua
#     source, not from the Java code:
#       lib/AdaptiveInstanceNormalization.lua:50-67   style: std(3, true) = sqrt(biased var), no eps;
#                                                     content: SpatialBatchNormalization(eps 1e-5) in
#                                                     training mode = (x - mu) / sqrt(biased var + 1e-5)
#       lib/utils.lua:81-91                           sizePreprocess: centre crop of the min square first
#                                                     (torch/image init.lua:545 floor offsets), then
#                                                     image.scale(x, '^size') (init.lua:692 truncation)
#       torch/image generic/image.c:68-137, 213-275   bilinear: rows then columns, float32 ('float' tensors)
#       torch/image init.lua:145, 224                 load: byte * float32(1/255) (img:mul(1/MAXVAL))
#       torch/image init.lua:161-169                  save: saturate to [0, 1], * 255 in double, cast to uchar
#       lib/StyleINLossModule.lua:15-25, 49-50, 83-92  style loss: (sum_nc (mu_g - mu_s)^2 + sum_nc (sd_g -
#                                                     sd_s)^2) / N; sd_g = sqrt(mean((x - mu)^2) + 1e-6)
#                                                     (nn.Sqrt(1e-6), CUDA: torch/cunn Sqrt.cu:17),
#                                                     sd_s = std(3, true)
#       lib/ContentLossModule.lua:12                  content loss: MSECriterion, size-averaged
#       torch/optim adam.lua:54-68                    clr = lr / (1 + t * decay); eps added to sqrt(v)
#                                                     before the bias correction
# ----------------------------------------------------------------------------------------------

T7_EPS = 1e-5            # SpatialBatchNormalization eps (content side)
T7_SQRT_EPS = 1e-6       # nn.Sqrt(1e-6) of StyleINLossModule (CUDA kernel)
T7_STYLE_WEIGHT = 1e-2   # train.lua:42
INV255_F32 = np.float32(1.0 / 255.0)


def t7_mean_std(v, eps):
    """v: N x C x L. Lua statistics: spatial mean; sqrt(biased variance + eps)."""
    n = v.shape[-1]
    mu = v.sum(dim=-1, keepdim=True) / n
    var = ((v - mu) ** 2).sum(dim=-1, keepdim=True) / n
    return mu, torch.sqrt(var + eps) if eps else torch.sqrt(var)


def t7_adain(fc, fs):
    N, Cc = fc.shape[:2]
    vc = fc.reshape(N, Cc, -1)
    vs = fs.reshape(N, Cc, -1)
    mc, sc = t7_mean_std(vc, T7_EPS)        # batch-norm normalisation of the content
    ms, ss = t7_mean_std(vs, 0.0)           # style std(3, true): no eps
    return ((vc - mc) / sc * ss + ms).reshape(fc.shape)


def t7_load_rgb(ident):
    """image.load(path, 3, 'float'): float32(byte) * float32(1/255), as float64."""
    im = Image.open(os.path.join(OUT, "images", ident + ".png")).convert("RGB")
    a = np.asarray(im, dtype=np.float32) * INV255_F32
    return a.astype(np.float64).transpose(2, 0, 1)[None].copy()


def t7_scale_line(src, dst_len, ft):
    """image_(Main_scaleLinear_rowcol) on one line, every operation in the float type ft (np.float32 as the
    C code on float tensors does, or np.float64 for the float64 comparison)."""
    src_len = len(src)
    out = np.empty(dst_len, dtype=ft)
    one = ft(1)
    if dst_len > src_len:
        scale = ft(src_len - 1) / ft(dst_len - 1)
        for di in range(dst_len - 1):
            if src_len == 1:
                out[di] = src[0]
                continue
            sf = ft(di) * scale
            si = int(sf)
            sf = sf - ft(si)
            out[di] = (one - sf) * src[si] + sf * src[si + 1]
        out[dst_len - 1] = src[src_len - 1]
    elif dst_len < src_len:
        scale = ft(src_len) / ft(dst_len)
        si0, sf0 = 0, ft(0)
        for di in range(dst_len):
            sf1 = ft(di + 1) * scale
            si1 = int(sf1)
            sf1 = sf1 - ft(si1)
            acc = (one - sf0) * src[si0]
            n = one - sf0
            for si in range(si0 + 1, si1):
                acc = acc + src[si]
                n = n + one
            if si1 < src_len:
                acc = acc + sf1 * src[si1]
                n = n + sf1
            out[di] = acc / n
            si0, sf0 = si1, sf1
    else:
        out[:] = src
    return out


def t7_scale(img, oh, ow, ft):
    """image.scale(img, ow, oh, 'bilinear') of a 3 x H x W array: rows first into H x ow, then columns."""
    c, h, w = img.shape
    x = img.astype(ft)
    out = np.empty((c, oh, ow), dtype=ft)
    for k in range(c):
        tmp = np.stack([t7_scale_line(x[k, j], ow, ft) for j in range(h)])           # h x ow
        for i in range(ow):
            out[k, :, i] = t7_scale_line(tmp[:, i], oh, ft)
    return out


def t7_size_preprocess(img, crop, size, ft):
    """lib/utils.lua sizePreprocess on 3 x H x W: crop the centre min square, then scale '^size'."""
    _, h, w = img.shape
    box = None
    if crop:
        m = min(h, w)
        x1, y1 = (w - m) // 2, (h - m) // 2                   # math.floor((iwidth-width)/2)
        img = img[:, y1:y1 + m, x1:x1 + m]
        box = [y1, x1]
        h = w = m
    if size != 0:
        mn = min(h, w)
        oh, ow = int(h * size / mn), int(w * size / mn)         # iheight*omin/imin, truncated by the tensor size
        img = t7_scale(img, oh, ow, ft)
    return img.astype(np.float64), box


def t7_quantise(x):
    """image.save: saturate to [0, 1], * 255 (double), cast to unsigned char (truncation)."""
    y = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0) * 255.0
    return np.floor(y)


def t7_training_terms(enc, ps, contents, styles, dt):
    """train.lua's forward: t = AdaIN_lua(relu4_1(c), relu4_1(s)); g = dec(t); the losses of
    ArtisticStyleLossCriterion on g (content: ContentLossModule, style: StyleINLossModule)."""
    fs = {k: v.detach() for k, v in encode_normalised(styles, enc, dt).items()}
    t = t7_adain(encode_normalised(contents, enc, dt)["relu4_1"], fs["relu4_1"]).detach()
    g = decode_with(t, ps)
    fg = encode_normalised(g, enc, dt)
    d = fg["relu4_1"] - t
    content = (d * d).sum() / d.numel()
    style = []
    for k in TAP_ORDER:
        N, Cc = fg[k].shape[:2]
        mg, sg = t7_mean_std(fg[k].reshape(N, Cc, -1), T7_SQRT_EPS)
        ms, ss = t7_mean_std(fs[k].reshape(N, Cc, -1), 0.0)
        style.append((((mg - ms) ** 2).sum() + ((sg - ss) ** 2).sum()) / N)
    total = CONTENT_WEIGHT * content + T7_STYLE_WEIGHT * (style[0] + style[1] + style[2] + style[3])
    return {"content": content, "style": style, "total": total, "target": t, "decoded": g, "fg": fg, "fs": fs}


def t7_style_module_backward(x, ms, ss):
    """StyleINLossModule:updateGradInput written out (lines 97-118), strength 1, for one layer:
    mean_net backward of 2(mu - mu_s), std_net backward of 2(sd - sd_s) on the centred input, minus its mean
    over positions, / N. Used to check that autograd of the forward formula is what the Lua module computes."""
    N, Cc = x.shape[:2]
    v = x.reshape(N, Cc, -1)
    L = v.shape[-1]
    mu = v.mean(dim=-1, keepdim=True)
    cen = v - mu
    sd = torch.sqrt((cen ** 2).mean(dim=-1, keepdim=True) + T7_SQRT_EPS)
    g_mean = 2 * (mu - ms) / L * torch.ones_like(v)                 # nn.Mean(3) backward
    g_sd = 2 * (sd - ss)                                             # MSECriterion, sizeAverage false
    g_cen = g_sd * 0.5 / sd * (2 * cen) / L                          # Sqrt (0.5/out), Mean (1/L), Square (2x)
    g_cen = g_cen - g_cen.mean(dim=-1, keepdim=True)                # line 115
    return ((g_mean + g_cen) / N).reshape(x.shape)


def t7_adam_run(enc, dec, contents, styles, dt, lr, decay, eps, steps):
    """optim.adam (torch/optim adam.lua): clr = lr / (1 + t*decay) with t steps taken; m, v as PyTorch;
    x -= clr * sqrt(1 - b2^t') / (1 - b1^t') * m / (sqrt(v) + eps), t' = t + 1."""
    ps = decoder_params(dec, dt, True)
    m = [torch.zeros_like(p) for p in ps]
    v = [torch.zeros_like(p) for p in ps]
    b1, b2 = ADAM_BETAS
    losses, lrs = [], []
    for i in range(steps):
        clr = lr / (1.0 + i * decay)
        total = t7_training_terms(enc, ps, contents, styles, dt)["total"]
        grads = torch.autograd.grad(total, ps)
        losses.append(total.detach())
        lrs.append(clr)
        t = i + 1
        with torch.no_grad():
            for p, g, mk, vk in zip(ps, grads, m, v):
                mk.mul_(b1).add_(g, alpha=1.0 - b1)
                vk.mul_(b2).addcmul_(g, g, value=1.0 - b2)
                denom = vk.sqrt() + eps
                step_size = clr * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
                p.addcdiv_(mk, denom, value=-step_size)
    after = t7_training_terms(enc, ps, contents, styles, dt)["total"].detach()
    return {"losses": torch.stack(losses), "loss_after": after, "params": [p.detach() for p in ps], "lrs": lrs}


def make_torch7_cases(net, images, rng):
    enc, dec, vgg = net
    f64, f32_ = torch.float64, torch.float32
    cases = []
    common = {"semantics": "torch7"}

    def params(extra):
        p = dict(common)
        p.update(extra)
        return p

    # -- statistics (style side: sqrt(biased var), no eps)
    def stats_case(name, description, x, extra=None):
        rel = "cases/%s/input.npy" % name
        save_npy(rel, x)
        r = {}
        for dt in (f64, f32_):
            v = tens(x, dt)
            N, Cc = v.shape[:2]
            mu, sd = t7_mean_std(v.reshape(N, Cc, -1), 0.0)
            r[dt] = (mu.reshape(N, Cc, 1, 1), sd.reshape(N, Cc, 1, 1))
        exp = [expected_entry(name, "mean", np64(r[f64][0]), np64(r[f32_][0])),
               expected_entry(name, "std", np64(r[f64][1]), np64(r[f32_][1]))]
        p = params({"statistic": "mean over HxW; std = sqrt(biased variance over HxW), no eps (Torch7 "
                                 "std(3, true), the style side of AdaIN and of the style loss)",
                    "input_shape": list(x.shape)})
        p.update(extra or {})
        cases.append(finish_case({"name": name, "kind": "statistics", "description": description,
                                  "inputs": {"features": rel}, "parameters": p}, exp))

    x = rng.normal(0.2, 1.0, size=(2, 4, 6, 5))
    x[0, 1] = 0.0
    x[1, 2] = 0.3
    x[1, 3] = np.maximum(x[1, 3], 0.0)
    stats_case("torch7_stats", "Torch7 mean and std of a 2x4x6x5 map with constant channels (std exactly 0)",
               f32(x), {"constant_channels": [[0, 1], [1, 2]], "constant_std": 0.0})
    stats_case("torch7_stats_1x1", "Torch7 statistics of a 2x3x1x1 map: std 0, mean the value (the port "
               "rejects it)", f32(rng.normal(0.5, 1.0, size=(2, 3, 1, 1))))

    # -- AdaIN
    def adain_case(name, description, xc, xs):
        rc, rs = "cases/%s/content.npy" % name, "cases/%s/style.npy" % name
        save_npy(rc, xc)
        save_npy(rs, xs)
        r = {}
        for dt in (f64, f32_):
            vc, vs = tens(xc, dt), tens(xs, dt)
            N, Cc = vc.shape[:2]
            mc, _ = t7_mean_std(vc.reshape(N, Cc, -1), T7_EPS)
            ms, ss = t7_mean_std(vs.reshape(N, Cc, -1), 0.0)
            r[dt] = {"output": t7_adain(vc, vs), "content_mean": mc.reshape(N, Cc, 1, 1),
                     "style_mean": ms.reshape(N, Cc, 1, 1), "style_std": ss.reshape(N, Cc, 1, 1)}
        assert torch.isfinite(r[f64]["output"]).all()
        exp = [expected_entry(name, k, np64(r[f64][k]), np64(r[f32_][k]))
               for k in ("output", "content_mean", "style_mean", "style_std")]
        p = params({"formula": "(c - mean(c)) / sqrt(biased var(c) + eps) * sqrt(biased var(s)) + mean(s), per "
                               "sample and channel", "eps": T7_EPS,
                    "content_shape": list(xc.shape), "style_shape": list(xs.shape)})
        cases.append(finish_case({"name": name, "kind": "adain", "description": description,
                                  "inputs": {"content_features": rc, "style_features": rs}, "parameters": p}, exp))

    xc = rng.normal(0.3, 1.0, size=(1, 6, 5, 7)) * np.linspace(0.5, 2.0, 6).reshape(1, 6, 1, 1)
    xs = rng.normal(-0.2, 1.5, size=(1, 6, 9, 4)) + np.linspace(-1.0, 1.0, 6).reshape(1, 6, 1, 1)
    xc[0, 3] = np.maximum(xc[0, 3], 0.0)
    adain_case("torch7_adain_6ch", "Torch7 AdaIN of content 1x6x5x7 with style 1x6x9x4 (different H x W)",
               f32(xc), f32(xs))
    xc = rng.normal(0.3, 1.0, size=(2, 5, 4, 6))
    xs = rng.normal(0.0, 1.0, size=(2, 5, 6, 3))
    xc[0, 1] = 0.0              # a dead content channel: normalised to 0 exactly, output = style mean
    xc[1, 4] = 0.7
    xs[0, 2] = 0.25             # a constant style channel: std exactly 0, output = style mean
    xs[1, 0] = 0.0
    adain_case("torch7_adain_constant", "Torch7 AdaIN with constant content channels (normalised by sqrt(1e-5): "
               "output the style mean) and constant style channels (std 0: output the style mean), batch 2",
               f32(xc), f32(xs))
    adain_case("torch7_adain_style_1x1", "Torch7 AdaIN of content 1x4x3x3 with a 1x4x1x1 style map: style std "
               "0, output the style mean everywhere (the port gives NaN)",
               f32(rng.normal(size=(1, 4, 3, 3))), f32(rng.normal(size=(1, 4, 1, 1))))
    adain_case("torch7_adain_content_1x1", "Torch7 AdaIN of a 1x4x1x1 content with a 1x4x3x3 style: the content "
               "normalises to 0, output the style mean", f32(rng.normal(size=(1, 4, 1, 1))),
               f32(rng.normal(size=(1, 4, 3, 3))))

    # -- full transfers (inputs as image.load gives them: byte * float32(1/255))
    img = {k: t7_load_rgb(k) for k in images if not k.startswith("mask")}

    def transfer_case(name, description, content, styles, weights=None, alpha=1.0):
        res = {}
        for dt in (f64, f32_):
            c = tens(img[content], dt)
            H, W = c.shape[2:]
            fc = encode_normalised(c, enc, dt)["relu4_1"]
            fss = [encode_normalised(tens(img[s], dt), enc, dt)["relu4_1"] for s in styles]
            wts = weights if weights is not None else [1.0] * len(fss)
            tot = float(sum(wts))
            t = None
            for wk, fs in zip(wts, fss):          # test.lua:107-110: targetFeature:add(w_i, adain(c, s_i))
                term = (wk / tot) * t7_adain(fc, fs)
                t = term if t is None else t + term
            t = alpha * t + (1.0 - alpha) * fc    # test.lua:116
            out = decode(t, dec, dt)
            res[dt] = {"target": t, "output": out[:, :, :H, :W], "decoded_size": list(out.shape)}
        exp = [expected_entry(name, "target", np64(res[f64]["target"]), np64(res[f32_]["target"])),
               expected_entry(name, "output", np64(res[f64]["output"]), np64(res[f32_]["output"]))]
        wts = weights if weights is not None else [1.0] * len(styles)
        p = params({"alpha": alpha, "style_weights": [float(x) for x in wts],
                    "normalised_style_weights": [float(x) / float(sum(wts)) for x in wts],
                    "preserve_color": False, "mask": None, "encoder": "models/encoder_tf2.h5",
                    "encoder_flavour": "normalised", "decoder": "models/decoder_tf2.h5",
                    "decoded_size": res[f64]["decoded_size"][2:],
                    "input_values": "image.load(path, 3, 'float'): byte * float32(1/255)"})
        cases.append(finish_case({"name": name, "kind": "transfer", "description": description,
                                  "inputs": {"content": images[content]["file"],
                                             "styles": [images[s]["file"] for s in styles]},
                                  "parameters": p}, exp))
        return res

    r1 = transfer_case("torch7_alpha_1", "Torch7: content_48x64 + style_0, alpha 1", "content_48x64", ["style_0"])
    transfer_case("torch7_alpha_0.6", "Torch7: content_48x64 + style_0, alpha 0.6 (feature-level blend)",
                  "content_48x64", ["style_0"], alpha=0.6)
    transfer_case("torch7_interp_4", "Torch7: content_48x64 + style_0..3, weights 1,2,3,4 (normalised to 0.1..0.4): "
                  "the weighted sum of Torch7 AdaIN outputs", "content_48x64",
                  ["style_0", "style_1", "style_2", "style_3"], weights=[1, 2, 3, 4])

    # -- spatial control (test.lua:84-103): content statistics over each region's positions, Lua statistics
    mask = load_mask("mask_48x64")

    def t7_masked(fc, fs_fg, fs_bg):
        N, Cc, h, w = fc.shape
        Hm, Wm = mask.shape
        # image.scale(mask, w, h, 'simple'): min(trunc(i * (float)Wm / (float)w), Wm - 1), in float32
        rows = [min(int(np.float32(i) * (np.float32(Hm) / np.float32(h))), Hm - 1) for i in range(h)]
        cols = [min(int(np.float32(j) * (np.float32(Wm) / np.float32(w))), Wm - 1) for j in range(w)]
        m = mask[np.ix_(rows, cols)].reshape(-1)
        vc = fc.reshape(N, Cc, -1)
        out = torch.zeros_like(vc)
        for value, fs in ((1.0, fs_fg), (0.0, fs_bg)):
            idx = torch.from_numpy(np.nonzero(m == value)[0])
            sub = vc[:, :, idx]
            mc, sc = t7_mean_std(sub, T7_EPS)
            ms, ss = t7_mean_std(fs.reshape(N, Cc, -1), 0.0)
            out[:, :, idx] = (sub - mc) / sc * ss + ms
        return out.reshape(fc.shape)

    res = {}
    for dt in (f64, f32_):
        c = tens(img["content_48x64"], dt)
        fc = encode_normalised(c, enc, dt)["relu4_1"]
        f0 = encode_normalised(tens(img["style_0"], dt), enc, dt)["relu4_1"]
        f1 = encode_normalised(tens(img["style_1"], dt), enc, dt)["relu4_1"]
        t = t7_masked(fc, f0, f1)
        out = decode(t, dec, dt)
        res[dt] = {"target": t, "output": out[:, :, :48, :64], "decoded_size": list(out.shape)}
    p = params({"alpha": 1.0, "style_weights": [1.0, 1.0], "normalised_style_weights": [0.5, 0.5],
                "preserve_color": False, "mask": images["mask_48x64"]["file"], "encoder": "models/encoder_tf2.h5",
                "encoder_flavour": "normalised", "decoder": "models/decoder_tf2.h5",
                "decoded_size": res[f64]["decoded_size"][2:],
                "input_values": "image.load(path, 3, 'float'): byte * float32(1/255)"})
    cases.append(finish_case({
        "name": "torch7_mask_2region", "kind": "transfer",
        "description": "Torch7 spatial control: content_48x64, mask==1 -> style_0, mask==0 -> style_1; content "
                       "statistics over each region's positions (biased + 1e-5), style std sqrt(biased var)",
        "inputs": {"content": images["content_48x64"]["file"],
                   "styles": [images["style_0"]["file"], images["style_1"]["file"]],
                   "mask": images["mask_48x64"]["file"]},
        "parameters": p},
        [expected_entry("torch7_mask_2region", k, np64(res[f64][k]), np64(res[f32_][k])) for k in ("target", "output")]))

    # -- quantisation (image.save: floor) of torch7_alpha_1's expected output
    out64 = np64(r1[f64]["output"])[0]
    q = t7_quantise(out64)
    q32 = t7_quantise(np64(r1[f32_]["output"])[0])
    cases.append(finish_case({
        "name": "torch7_quantised", "kind": "quantise",
        "description": "Torch7 image.save rule uint8 = trunc(clamp(x, 0, 1) * 255) (floor) applied to "
                       "torch7_alpha_1's expected output; exact",
        "inputs": {"tensor": "cases/torch7_alpha_1/output.npy"},
        "parameters": params({"rule": "torch7", "from_case": "torch7_alpha_1",
                              "float32_pipeline_level_diff": float(np.max(np.abs(q32 - q))),
                              "float32_pipeline_pixels_differing": int(np.sum(q32 != q)),
                              "port_rule_pixels_differing": int(np.sum(quantise_port(out64) != q))}),
    }, [expected_entry("torch7_quantised", "uint8", q, None, exact=True)]))

    # -- sizePreprocess: centre crop first, then torch/image bilinear (float32)
    src = t7_load_rgb("content_75x100")[0]
    for name, size, crop in (("torch7_resize_32", 32, False), ("torch7_resize_80", 80, False),
                             ("torch7_resize_crop_32", 32, True), ("torch7_resize_crop_27", 27, True),
                             ("torch7_resize_crop_0", 0, True)):
        a32, box = t7_size_preprocess(src, crop, size, np.float32)
        a64, _ = t7_size_preprocess(src, crop, size, np.float64)
        e = expected_entry(name, "values", a32, a64)
        e["tolerance"] = round_up_2sig(max(1e-6, 10.0 * e["float32_error"]))
        cases.append(finish_case({
            "name": name, "kind": "resize",
            "description": "Torch7 sizePreprocess(x, crop=%s, %d): %simage.scale(x, '^%d') with torch/image "
                           "bilinear in float32 (rows, then columns)" % (
                               "true" if crop else "false", size,
                               "centre crop of the min square (floor offsets), then " if crop else "", size),
            "inputs": {"image": images["content_75x100"]["file"]},
            "parameters": params({"size": size, "crop": crop, "resized_height": a32.shape[1],
                                  "resized_width": a32.shape[2], "crop_top_left": box,
                                  "values": "floats, not 8-bit levels: image.load gives byte * float32(1/255)",
                                  "tolerance_note": "expected = the C code's float32 arithmetic (an exact "
                                                    "re-implementation gives 0); float32_error = |float32 - "
                                                    "float64 arithmetic|, tolerance 10x that"}),
        }, [e]))

    # -- training: losses, gradients, Adam with the Lua criterion
    c64, s64 = batch(TRAIN_CONTENTS, f64), batch(TRAIN_STYLES, f64)
    c32, s32 = batch(TRAIN_CONTENTS, f32_), batch(TRAIN_STYLES, f32_)
    inputs = {"contents": [images[k]["file"] for k in TRAIN_CONTENTS],
              "styles": [images[k]["file"] for k in TRAIN_STYLES]}
    tcommon = params({"content_weight": CONTENT_WEIGHT, "style_weight": T7_STYLE_WEIGHT,
                      "encoder": "models/encoder_tf2.h5", "encoder_flavour": "normalised",
                      "encoder_weights": "normalised", "decoder": "models/decoder_tf2.h5",
                      "decoder_weights": "decoder", "content_layer": "relu4_1", "style_layers": TAP_ORDER,
                      "eps": T7_EPS, "style_loss_sqrt_eps": T7_SQRT_EPS})

    # independent check: autograd of the forward formula = StyleINLossModule's hand-written backward
    ps = decoder_params(dec, f64, True)
    r = t7_training_terms(enc, ps, c64, s64, f64)
    worst = 0.0
    for k in TAP_ORDER:
        x = r["fg"][k].detach().requires_grad_(True)
        N, Cc = x.shape[:2]
        mg, sg = t7_mean_std(x.reshape(N, Cc, -1), T7_SQRT_EPS)
        ms, ss = t7_mean_std(r["fs"][k].reshape(N, Cc, -1), 0.0)
        loss = (((mg - ms) ** 2).sum() + ((sg - ss) ** 2).sum()) / N
        (auto,) = torch.autograd.grad(loss, x)
        lua = t7_style_module_backward(x.detach(), ms, ss)
        worst = max(worst, float((auto - lua).abs().max() / lua.abs().max()))
    assert worst < 1e-12, worst
    print("  torch7 training cross-check: autograd vs StyleINLossModule backward %.1e rel" % worst)

    r64 = t7_training_terms(enc, decoder_params(dec, f64, False), c64, s64, f64)
    r32 = t7_training_terms(enc, decoder_params(dec, f32_, False), c32, s32, f32_)
    port = training_terms(enc, decoder_params(dec, f64, False), c64, s64, f64)
    exp = [expected_entry("torch7_losses", "content", np64(r64["content"]), np64(r32["content"])),
           expected_entry("torch7_losses", "style_layers", np64(torch.stack(r64["style"])),
                          np64(torch.stack(r32["style"]))),
           expected_entry("torch7_losses", "total", np64(r64["total"]), np64(r32["total"])),
           expected_entry("torch7_losses", "target", np64(r64["target"]), np64(r32["target"])),
           expected_entry("torch7_losses", "decoded", np64(r64["decoded"]), np64(r32["decoded"]))]
    p = dict(tcommon)
    p["port_style_layers"] = [float(v) for v in np64(torch.stack(port["style"]))]
    cases.append(finish_case({
        "name": "torch7_losses", "kind": "losses",
        "description": "Torch7 training loss terms of the losses batch: content = mean((relu4_1(g) - t)^2), "
                       "style_layers[i] = (sum_NC (mu_g - mu_s)^2 + sum_NC (sd_g - sd_s)^2) / N with "
                       "sd_g = sqrt(biased var + 1e-6), sd_s = sqrt(biased var); total = 1*content + "
                       "0.01*sum(style_layers); t = Torch7 AdaIN",
        "inputs": inputs, "parameters": p}, exp))

    grads = {}
    for dt, c, s in ((f64, c64, s64), (f32_, c32, s32)):
        ps = decoder_params(dec, dt, True)
        total = t7_training_terms(enc, ps, c, s, dt)["total"]
        grads[dt] = (total.detach(), torch.autograd.grad(total, ps))
    exp = [expected_entry("torch7_gradients", "loss", np64(grads[f64][0]), np64(grads[f32_][0]))]
    for conv in (0, 8):
        for j, part in enumerate(("kernel", "bias")):
            exp.append(expected_entry("torch7_gradients", "grad_conv%d_%s" % (conv, part),
                                      np64(grads[f64][1][2 * conv + j]), np64(grads[f32_][1][2 * conv + j])))
    p = dict(tcommon)
    p.update({"decoder_convs": [0, 8], "wrt": "decoder conv kernels (OIHW) and biases; encoder frozen; t and the "
                                              "style statistics detached; gradient through the encoder on g"})
    cases.append(finish_case({
        "name": "torch7_gradients", "kind": "gradients",
        "description": "Torch7: d total / d (first and last decoder conv) on the losses batch (content weight 1, "
                       "style weight 0.01), float64 autograd (equal to StyleINLossModule's backward)",
        "inputs": inputs, "parameters": p}, exp))

    # Adam: lr 1e-3 with decay 0.5 and eps 1e-4, so that both the schedule and torch7's eps placement show
    lr, decay, eps, steps = 1e-3, 0.5, 1e-4, 2
    a64 = t7_adam_run(enc, dec, c64, s64, f64, lr, decay, eps, steps)
    a32 = t7_adam_run(enc, dec, c32, s32, f32_, lr, decay, eps, steps)
    exp = [expected_entry("torch7_adam", "losses", np64(a64["losses"]), np64(a32["losses"])),
           expected_entry("torch7_adam", "loss_after", np64(a64["loss_after"]), np64(a32["loss_after"]))]
    for k in (0, 8):
        for j, part in enumerate(("kernel", "bias")):
            exp.append(expected_entry("torch7_adam", "conv%d_%s" % (k, part), np64(a64["params"][2 * k + j]),
                                      np64(a32["params"][2 * k + j])))
    # what PyTorch's eps placement would give with the same gradients (to show the case tells them apart)
    ps = decoder_params(dec, f64, True)
    m = [torch.zeros_like(q) for q in ps]
    v = [torch.zeros_like(q) for q in ps]
    for i in range(steps):
        g = torch.autograd.grad(t7_training_terms(enc, ps, c64, s64, f64)["total"], ps)
        with torch.no_grad():
            for q, gq, mk, vk in zip(ps, g, m, v):
                mk.mul_(ADAM_BETAS[0]).add_(gq, alpha=1 - ADAM_BETAS[0])
                vk.mul_(ADAM_BETAS[1]).addcmul_(gq, gq, value=1 - ADAM_BETAS[1])
                den = vk.sqrt() / math.sqrt(1 - ADAM_BETAS[1] ** (i + 1)) + eps
                q.addcdiv_(mk, den, value=-(lr / (1 + decay * i)) / (1 - ADAM_BETAS[0] ** (i + 1)))
    pt_diff = max(float((ps[2 * k + j].detach() - a64["params"][2 * k + j]).abs().max())
                  for k in (0, 8) for j in (0, 1))
    p = dict(tcommon)
    p.update({"lr": lr, "lr_decay": decay, "lr_per_step": a64["lrs"], "beta1": ADAM_BETAS[0],
              "beta2": ADAM_BETAS[1], "adam_eps": eps, "steps": steps, "initial_decoder_weights": "decoder",
              "decoder_convs": [0, 8],
              "update": "torch7 optim.adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; "
                        "w -= clr * sqrt(1 - b2^k) / (1 - b1^k) * m / (sqrt(v) + eps), k = i + 1; "
                        "clr = lr / (1 + i * lr_decay)",
              "pytorch_eps_placement_max_weight_difference": pt_diff})
    cases.append(finish_case({"name": "torch7_adam", "kind": "adam",
                              "description": "Torch7: 2 optim.adam steps on the decoder (losses batch, content "
                                             "weight 1, style weight 0.01), lr 1e-3, decay 0.5, eps 1e-4: losses, "
                                             "and the first and last decoder conv after 2 steps",
                              "inputs": inputs, "parameters": p}, exp))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--images", default="/work/shared/images",
                    help="directory with the shared source photos (content/, style/, mask/)")
    args = ap.parse_args()

    for sub in ("cases", "models", "weights"):
        shutil.rmtree(os.path.join(OUT, sub), ignore_errors=True)
    os.makedirs(OUT, exist_ok=True)

    images = make_images(args.images)
    rng = np.random.default_rng(SEED)
    enc, dec, vgg = make_weights(rng)
    net = (enc, dec, vgg)
    print("writing models")
    make_models(enc, dec, vgg)
    verify_models(enc, dec, vgg)
    print("writing weights as .npy")
    weights_section = make_weight_arrays(enc, dec, vgg)

    print("activation ranges (float64):")
    c = tens(load_rgb("content_48x64"), torch.float64)
    for k, v in encode_normalised(c, enc, torch.float64).items():
        print("  normalised %-8s %-18s min %9.4f max %9.4f mean %8.4f" % (k, list(v.shape), v.min(), v.max(), v.mean()))
    for k, v in encode_keras_apps(pad_to_multiple_of_8(c), vgg, torch.float64).items():
        print("  keras_apps %-8s %-18s min %9.4f max %9.4f mean %8.4f" % (k, list(v.shape), v.min(), v.max(), v.mean()))

    cases = make_cases(net, images, rng)
    # new cases draw from their own generator, so the draws of the older cases stay as they were
    rng2 = np.random.default_rng(SEED + 1)
    cases += make_feature_cases(rng2)
    crosscheck_training(enc, dec, ADAM_LR, ADAM_LR_DECAY)
    cases += make_training_cases(enc, dec, images, ADAM_LR, ADAM_LR_DECAY)
    # Torch7 semantics: their own generator, so the port cases' draws stay as they were
    cases += make_torch7_cases(net, images, np.random.default_rng(SEED + 7))
    manifest = {
        "format_version": 1,
        "semantics": "port; cases with parameters.semantics = torch7 follow the Torch7 code",
        "generator": "adain-testkit/oracle/make_references.py",
        "seed": SEED,
        "eps": EPS,
        "conventions": {
            "paths": "relative to the directory holding this file (classpath org/adain/testkit/reference/)",
            "arrays": "npy, little-endian float64 '<f8', C order",
            "images": "PNG 8-bit; pixel tensor = RGB uint8 / 255 as float64, layout 1 x 3 x H x W",
            "features": "N x C x H x W",
            "outputs": "decoder output NOT clamped; cropped top-left to the content's H x W "
                       "(decoded_size gives the uncropped size)",
            "tolerance": "per expected array: max(1e-5, 10 x max|float32 torch - float64|), rounded up "
                         "to 2 significant digits; 0 = exact; case tolerance = max over its arrays",
            "weights": "weights/<id>/<role>_kernel.npy (OIHW) and _bias.npy, little-endian float32 '<f4': "
                       "exactly the float32 values of the .h5 files",
            "scalars": "a scalar expected value (a loss) is stored with shape [1]",
            "expect_error": "a case with expect_error true has no expected arrays: the operation must throw "
                            "(parameters.error names the exception)",
        },
        "topology": {"a": A, "b": B, "c": C, "d": D},
        "images": images,
        "models": {
            "encoder_tf2": {"file": "models/encoder_tf2.h5", "role": "normalised encoder",
                            "layout": "tf.keras %s model.save(h5), h5py 3 strings" % TF2_KERAS_VERSION,
                            "same_weights_as": "encoder_keras23"},
            "encoder_keras23": {"file": "models/encoder_keras23.h5", "role": "normalised encoder",
                                "layout": "Keras 2.3.1 model.save, fixed-length strings; continues with "
                                          "a padding + block4_conv2 after block4_conv1 (to be ignored)",
                                "same_weights_as": "encoder_tf2"},
            "decoder_tf2": {"file": "models/decoder_tf2.h5", "role": "decoder",
                            "layout": "tf.keras %s model.save(h5)" % TF2_KERAS_VERSION,
                            "same_weights_as": "decoder_keras23"},
            "decoder_keras23": {"file": "models/decoder_keras23.h5", "role": "decoder",
                                "layout": "Keras 2.3.1 model.save; layer names sort in reverse model order",
                                "same_weights_as": "decoder_tf2"},
            "vgg19_notop": {"file": "models/vgg19_notop.h5", "role": "keras-applications VGG19 notop",
                            "layout": "like the released vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5: "
                                      "root attr layer_names only, weight names <layer>_W_1:0 / <layer>_b_1:0 "
                                      "directly in the layer group",
                            "same_weights_as": "vgg19_notop_keras2"},
            "vgg19_notop_keras2": {"file": "models/vgg19_notop_keras2.h5",
                                   "role": "keras-applications VGG19 notop",
                                   "layout": "tf.keras %s model.save_weights(h5): <layer>/<layer>/kernel:0"
                                             % TF2_KERAS_VERSION,
                                   "same_weights_as": "vgg19_notop"},
        },
        "weights": weights_section,
        "cases": cases,
    }
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8", newline="\n") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")

    print("\n%-18s %-10s %-22s %12s %12s %10s" % ("case", "kind", "expected", "max|ref|", "f32 error", "tolerance"))
    for cse in cases:
        for e in cse["expected"]:
            print("%-18s %-10s %-22s %12.5g %12.3g %10.3g" % (cse["name"], cse["kind"], e["name"],
                                                            e["max_abs"], e["float32_error"], e["tolerance"]))
    total = 0
    for root, _, files in os.walk(OUT):
        total += sum(os.path.getsize(os.path.join(root, fn)) for fn in files)
    print("\ntotal size of %s: %.2f MB" % (OUT, total / 1e6))


if __name__ == "__main__":
    main()
