#!/usr/bin/env python3
"""PyTorch (.pth) and Torch7 (.t7) weight fixtures for adain's format readers.

Writes, under
  adain-testkit/src/main/resources/org/adain/testkit/formats/
the testkit's small random model (channels 8/12/16/24 standing in for 64/128/256/512, read from
reference/models/encoder_tf2.h5 and decoder_tf2.h5 with h5py) in the layouts the published AdaIN models
use:

  zip/vgg_normalised.pth, zip/decoder.pth        torch.save zip container (torch >= 1.6)
  legacy/vgg_normalised.pth, legacy/decoder.pth  torch.save(..., _use_new_zipfile_serialization=False): the
                                                 legacy pickle container the 2018 release files use
  float16/vgg_normalised.pth, float16/decoder.pth  zip container, HalfStorage
  float64/decoder.pth                            legacy container, DoubleStorage
  t7/vgg_normalised.t7, t7/decoder.t7            Torch7 binary serialisation (torch.save of nn.Sequential)
  t7/vgg_normalised_2d.t7                        the same VGG with the older 2-D conv weights [out, in*kh*kw]
  bad/*.pth                                      one defect each (missing / extra / prefixed keys, wrong
                                                 shape, NaN, a whole pickled nn.Module instead of a state dict)
  hostile/evil_zip.pth, hostile/evil_legacy.pth  a pickle whose REDUCE calls os.system('touch adain-pwned-marker')
  hostile/unknown_class.t7, hostile/lua_function.t7   a Torch7 stream with a class we do not know / Lua bytecode

The .pth files are written by torch.save itself (Debian's python3-torch), from nn.Sequential models built
module by module like the port's net.py, so the key layout ("0.weight" ... "51.bias" for the 53-module VGG,
"1.weight" ... "28.bias" for the 29-module decoder) and the pickle contents are exactly what the port's
users have. The VGG holds all 53 modules like the released vgg_normalised.pth; only modules 0-30 (up to
relu4_1) come from the testkit model, the unused tail conv4_2 ... conv5_4 gets small seeded random weights
with 4 channels (the readers ignore it; keeping it small keeps the fixtures small).

The .t7 files are written by the small writer below, which follows torch7's File.lua (writeObject) and
generic/Tensor.c / generic/Storage.c (write) field by field; see T7Writer. Module fields are those torch7's
nn sets (nn/SpatialConvolution.lua, nn/Threshold.lua, ...), the VGG's modules carry loadcaffe's names, and the
decoder's weights are views into ONE flat FloatStorage, as the authors' decoder.t7 is (train.lua flattens the
parameters with getParameters() and saves cudnn.convert(dec:clearState():clone():float(), nn)).

Run with Debian's interpreter:
  /usr/bin/python3 adain-testkit/oracle/make_torch_fixtures.py

Deterministic except the legacy container's storage keys, which torch derives from memory addresses.
The malicious fixtures are checked to be genuinely malicious: the script loads each with torch.load in a
throw-away directory and asserts the marker file appears there.
"""

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from collections import OrderedDict

import h5py
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = os.path.dirname(HERE)
RES = os.path.join(MODULE, "src", "main", "resources", "org", "adain", "testkit")
MODELS = os.path.join(RES, "reference", "models")
OUT = os.path.join(RES, "formats")

SEED = 20170417
TAIL = 4                     # channels of the unused VGG tail (conv4_2 ... conv5_4)
MARKER = "adain-pwned-marker"

VGG_CONV_KEYS = [0, 2, 5, 9, 12, 16, 19, 22, 25, 29, 32, 35, 38, 42, 45, 48, 51]
DECODER_CONV_KEYS = [1, 5, 8, 11, 14, 18, 21, 25, 28]


# ----------------------------------------------------------------------------------------------
# the testkit model, from its Keras HDF5 files
# ----------------------------------------------------------------------------------------------

def keras_convs(path):
    """[(name, kernel OIHW float32, bias float32)] of the Conv2D layers, in model_config order."""
    with h5py.File(path, "r") as f:
        config = json.loads(f.attrs["model_config"])
        out = []
        for layer in config["config"]["layers"]:
            if layer["class_name"] != "Conv2D":
                continue
            name = layer["config"]["name"]
            g = f["model_weights"][name][name]
            hwio = np.asarray(g["kernel:0"], dtype=np.float32)
            out.append((name, np.ascontiguousarray(hwio.transpose(3, 2, 0, 1)),
                        np.asarray(g["bias:0"], dtype=np.float32)))
        return out


def pad():
    return nn.ReflectionPad2d((1, 1, 1, 1))


def pool():
    return nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True)


def build_vgg(enc):
    """The port's 53-module normalised VGG-19 (net.py), channels from the testkit encoder."""
    pre, convs = enc[0], enc[1:]
    assert len(convs) == 9
    ch = [c[1].shape[0] for c in convs]
    layers = [nn.Conv2d(3, 3, (1, 1))]
    spec = [(3, ch[0]), (ch[0], ch[1]), "M", (ch[1], ch[2]), (ch[2], ch[3]), "M", (ch[3], ch[4]), (ch[4], ch[5]),
            (ch[5], ch[6]), (ch[6], ch[7]), "M", (ch[7], ch[8]), (ch[8], TAIL), (TAIL, TAIL), (TAIL, TAIL), "M",
            (TAIL, TAIL), (TAIL, TAIL), (TAIL, TAIL), (TAIL, TAIL)]
    for s in spec:
        if s == "M":
            layers.append(pool())
        else:
            layers += [pad(), nn.Conv2d(s[0], s[1], (3, 3)), nn.ReLU()]
    vgg = nn.Sequential(*layers)
    assert len(vgg) == 53
    assert [i for i, m in enumerate(vgg) if isinstance(m, nn.Conv2d)] == VGG_CONV_KEYS
    rng = np.random.RandomState(SEED)
    with torch.no_grad():
        for idx, key in enumerate(VGG_CONV_KEYS):
            m = vgg[key]
            if idx < 10:
                _, k, b = enc[idx]
                assert tuple(m.weight.shape) == k.shape, (key, m.weight.shape, k.shape)
            else:
                k = (rng.standard_normal(tuple(m.weight.shape)) * 0.1).astype(np.float32)
                b = (rng.standard_normal(tuple(m.bias.shape)) * 0.1).astype(np.float32)
            m.weight.copy_(torch.from_numpy(k))
            m.bias.copy_(torch.from_numpy(b))
    return vgg


def build_decoder(dec):
    """The port's 29-module decoder (net.py), channels from the testkit decoder."""
    assert len(dec) == 9
    layers = []
    for i, (_, k, _) in enumerate(dec):
        layers += [pad(), nn.Conv2d(k.shape[1], k.shape[0], (3, 3))]
        if i < 8:
            layers.append(nn.ReLU())
        if i in (0, 4, 6):
            layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
    d = nn.Sequential(*layers)
    assert len(d) == 29
    assert [i for i, m in enumerate(d) if isinstance(m, nn.Conv2d)] == DECODER_CONV_KEYS
    with torch.no_grad():
        for key, (_, k, b) in zip(DECODER_CONV_KEYS, dec):
            d[key].weight.copy_(torch.from_numpy(k))
            d[key].bias.copy_(torch.from_numpy(b))
    return d


# ----------------------------------------------------------------------------------------------
# .pth
# ----------------------------------------------------------------------------------------------

def save(obj, rel, zip_container=True):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(obj, path, _use_new_zipfile_serialization=zip_container)
    return path


def converted(state, dtype):
    sd = OrderedDict((k, v.to(dtype)) for k, v in state.items())
    sd._metadata = state._metadata
    return sd


class Evil:
    """Pickles to GLOBAL 'posix system' + REDUCE: what a hostile checkpoint does to run code on torch.load."""

    def __reduce__(self):
        return os.system, ("touch " + MARKER,)


def check_really_malicious(path):
    """torch.load (weights_only is off by default in torch 1.13) must run the payload: prove it in a temp dir."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-c", "import sys, torch; torch.load(sys.argv[1])", os.path.abspath(path)],
                       cwd=tmp, check=False, capture_output=True)
        if not os.path.exists(os.path.join(tmp, MARKER)):
            raise SystemExit("fixture %s did not run its payload under torch.load" % path)


# ----------------------------------------------------------------------------------------------
# .t7: a writer for torch7's binary serialisation
# ----------------------------------------------------------------------------------------------
#
# File.lua, writeObject(object):
#   int32 type tag: 0 nil, 1 number, 2 string, 3 table, 4 torch object, 5 boolean, (6/7/8 functions)
#   number  -> float64;  boolean -> int32 0/1;  string -> int32 length + bytes
#   table / torch object -> int32 reference index (1, 2, ... in the order objects are first written); an
#     object written before is written again as its tag and index only. A new table follows with int32 number
#     of pairs and writeObject(key), writeObject(value) per pair. A new torch object follows with
#     int32 length + "V <version>", int32 length + class name, then either the class's own write method
#     (tensors, storages) or, for Lua classes such as nn modules, writeObject(<table of its fields>).
# generic/Tensor.c write: int32 nDimension, int64 size[n], int64 stride[n], int64 storageOffset+1,
#   writeObject(storage or nil).   generic/Storage.c write: int64 size, then size raw elements.
# A binary DiskFile writes native little-endian int32, int64 ("long" on 64-bit Linux) and float64.

class T7Storage:
    def __init__(self, cls, data):
        self.cls = cls
        self.data = data


class T7Tensor:
    def __init__(self, cls, size, stride, offset, storage):
        self.cls, self.size, self.stride, self.offset, self.storage = cls, list(size), list(stride), offset, storage


class T7Object:
    """A Lua torch class instance written through its field table (nn modules)."""

    def __init__(self, cls, fields):
        self.cls = cls
        self.fields = fields


class T7Table:
    def __init__(self, pairs):
        self.pairs = pairs


class T7Function:
    """Lua bytecode (TYPE_RECUR_FUNCTION); only for the hostile fixture."""

    def __init__(self, code):
        self.code = code


class T7Writer:
    def __init__(self, f):
        self.f = f
        self.index = {}
        self.alive = []      # id() is only unique while the object lives: keep every written object alive
        self.count = 0

    def int(self, v):
        self.f.write(struct.pack("<i", v))

    def long(self, v):
        self.f.write(struct.pack("<q", v))

    def double(self, v):
        self.f.write(struct.pack("<d", v))

    def chars(self, s):
        b = s.encode("utf-8")
        self.int(len(b))
        self.f.write(b)

    def obj(self, o):
        if o is None:
            self.int(0)
        elif isinstance(o, bool):
            self.int(5)
            self.int(1 if o else 0)
        elif isinstance(o, (int, float)):
            self.int(1)
            self.double(float(o))
        elif isinstance(o, str):
            self.int(2)
            self.chars(o)
        else:
            tag = 3 if isinstance(o, T7Table) else 8 if isinstance(o, T7Function) else 4
            self.int(tag)
            if id(o) in self.index:
                self.int(self.index[id(o)])
                return
            self.count += 1
            self.index[id(o)] = self.count
            self.alive.append(o)
            self.int(self.count)
            if isinstance(o, T7Table):
                self.int(len(o.pairs))
                for k, v in o.pairs:
                    self.obj(k)
                    self.obj(v)
            elif isinstance(o, T7Function):
                self.chars(o.code)
                self.obj(T7Table([]))          # upvalues
            else:
                self.chars("V 1")
                self.chars(o.cls)
                if isinstance(o, T7Tensor):
                    self.int(len(o.size))
                    for s in o.size:
                        self.long(s)
                    for s in o.stride:
                        self.long(s)
                    self.long(o.offset + 1)
                    self.obj(o.storage)
                elif isinstance(o, T7Storage):
                    self.long(len(o.data))
                    self.f.write(o.data.tobytes())
                else:
                    self.obj(T7Table(list(o.fields.items())))


def empty(cls="torch.FloatTensor"):
    return T7Tensor(cls, [], [], 0, None)


def contiguous_strides(size):
    strides, acc = [], 1
    for s in reversed(size):
        strides.insert(0, acc)
        acc *= s
    return strides


def tensor(arr):
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    st = T7Storage("torch.FloatStorage", arr.reshape(-1))
    return T7Tensor("torch.FloatTensor", arr.shape, contiguous_strides(arr.shape), 0, st)


def module(cls, fields, name=None):
    f = OrderedDict(fields)
    f["output"] = empty()
    f["gradInput"] = empty()
    f["train"] = True
    f["_type"] = "torch.FloatTensor"
    if name is not None:
        f["name"] = name
    return T7Object(cls, f)


def t7_conv(shape, w, b, gw, gb, name=None):
    out, inp, kh, kw = shape
    return module("nn.SpatialConvolution", [
        ("nInputPlane", inp), ("nOutputPlane", out), ("kW", kw), ("kH", kh), ("dW", 1), ("dH", 1),
        ("padW", 0), ("padH", 0), ("weight", w), ("bias", b), ("gradWeight", gw), ("gradBias", gb),
        ("finput", empty()), ("fgradInput", empty())], name)


def t7_pad():
    return module("nn.SpatialReflectionPadding", [("pad_l", 1), ("pad_r", 1), ("pad_t", 1), ("pad_b", 1)])


def t7_relu(inplace, name=None):
    return module("nn.ReLU", [("threshold", 0), ("val", 0), ("inplace", inplace)], name)


def t7_pool(name=None):
    return module("nn.SpatialMaxPooling", [("kW", 2), ("kH", 2), ("dW", 2), ("dH", 2), ("padW", 0), ("padH", 0),
                                           ("ceil_mode", True), ("indices", empty("torch.LongTensor"))], name)


def t7_up():
    return module("nn.SpatialUpSamplingNearest", [
        ("scale_factor", 2),
        ("inputSize", T7Storage("torch.LongStorage", np.zeros(4, dtype="<i8"))),
        ("outputSize", T7Storage("torch.LongStorage", np.zeros(4, dtype="<i8")))])


def sequential(mods):
    return module("nn.Sequential", [("modules", T7Table([(float(i + 1), m) for i, m in enumerate(mods)]))])


VGG_NAMES = ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1", "conv2_1", "relu2_1", "conv2_2", "relu2_2",
             "pool2", "conv3_1", "relu3_1", "conv3_2", "relu3_2", "conv3_3", "relu3_3", "conv3_4", "relu3_4",
             "pool3", "conv4_1", "relu4_1", "conv4_2", "relu4_2", "conv4_3", "relu4_3", "conv4_4", "relu4_4",
             "pool4", "conv5_1", "relu5_1", "conv5_2", "relu5_2", "conv5_3", "relu5_3", "conv5_4", "relu5_4"]


def t7_vgg(vgg, two_d):
    """The authors' layout: loadcaffe's modules (named, ReLU in place, ceil pools) plus the inserted 1x1 conv and
    reflection paddings (unnamed); separate storages per tensor; gradients kept as zero tensors."""
    mods = []
    names = iter(VGG_NAMES)
    for i, m in enumerate(vgg):
        if isinstance(m, nn.Conv2d):
            k = m.weight.detach().numpy()
            w = tensor(k.reshape(k.shape[0], -1) if two_d and i > 0 else k)
            b = tensor(m.bias.detach().numpy())
            gw = tensor(np.zeros(w.size, dtype=np.float32))
            gb = tensor(np.zeros(b.size, dtype=np.float32))
            mods.append(t7_conv(k.shape, w, b, gw, gb, None if i == 0 else next(names)))
        elif isinstance(m, nn.ReflectionPad2d):
            mods.append(t7_pad())
        elif isinstance(m, nn.ReLU):
            mods.append(t7_relu(True, next(names)))
        elif isinstance(m, nn.MaxPool2d):
            mods.append(t7_pool(next(names)))
        else:
            raise AssertionError(m)
    return sequential(mods)


def t7_decoder(dec):
    """The authors' decoder.t7: after getParameters() every weight and bias is a view into one flat storage
    (and every gradient into another), in module order."""
    params = [p.detach().numpy() for m in dec if isinstance(m, nn.Conv2d) for p in (m.weight, m.bias)]
    flat = np.concatenate([p.reshape(-1) for p in params]).astype(np.float32)
    storage = T7Storage("torch.FloatStorage", flat)
    grads = T7Storage("torch.FloatStorage", np.zeros_like(flat))
    views, gviews, offset = [], [], 0
    for p in params:
        views.append(T7Tensor("torch.FloatTensor", p.shape, contiguous_strides(p.shape), offset, storage))
        gviews.append(T7Tensor("torch.FloatTensor", p.shape, contiguous_strides(p.shape), offset, grads))
        offset += p.size
    mods, j = [], 0
    for m in dec:
        if isinstance(m, nn.Conv2d):
            mods.append(t7_conv(params[j].shape, views[j], views[j + 1], gviews[j], gviews[j + 1]))
            j += 2
        elif isinstance(m, nn.ReflectionPad2d):
            mods.append(t7_pad())
        elif isinstance(m, nn.ReLU):
            mods.append(t7_relu(False))
        elif isinstance(m, nn.Upsample):
            mods.append(t7_up())
        else:
            raise AssertionError(m)
    return sequential(mods)


def write_t7(obj, rel):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    T7Writer(buf).obj(obj)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


# ----------------------------------------------------------------------------------------------

def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    torch.manual_seed(SEED)
    enc = keras_convs(os.path.join(MODELS, "encoder_tf2.h5"))
    dec = keras_convs(os.path.join(MODELS, "decoder_tf2.h5"))
    vgg = build_vgg(enc)
    decoder = build_decoder(dec)
    vsd, dsd = vgg.state_dict(), decoder.state_dict()

    for zip_container, folder in ((True, "zip"), (False, "legacy")):
        save(vsd, folder + "/vgg_normalised.pth", zip_container)
        save(dsd, folder + "/decoder.pth", zip_container)
    save(converted(vsd, torch.float16), "float16/vgg_normalised.pth")
    save(converted(dsd, torch.float16), "float16/decoder.pth")
    save(converted(dsd, torch.float64), "float64/decoder.pth", False)

    # one defect each, on a tiny model (4 channels throughout) to keep them small: only messages are checked
    rng = np.random.RandomState(SEED + 1)

    def tiny(shape):
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    tiny_enc = [("pre", tiny((3, 3, 1, 1)), tiny(3))] + [
        ("c%d" % i, tiny((4, 3 if i == 0 else 4, 3, 3)), tiny(4)) for i in range(9)]
    tiny_dec = [("d%d" % i, tiny((3 if i == 8 else 4, 4, 3, 3)), tiny(3 if i == 8 else 4)) for i in range(9)]
    tvsd, tdsd = build_vgg(tiny_enc).state_dict(), build_decoder(tiny_dec).state_dict()
    missing = OrderedDict(tdsd)
    del missing["28.bias"]
    save(missing, "bad/decoder_missing_key.pth")
    extra = OrderedDict(tvsd)
    extra["60.weight"] = torch.zeros(1)
    save(extra, "bad/vgg_extra_key.pth")
    foo = OrderedDict(tdsd)
    foo["foo"] = torch.zeros(1)
    save(foo, "bad/decoder_foo_key.pth")
    wrong = OrderedDict(tdsd)
    wrong["28.weight"] = torch.zeros(3, 16, 3, 3)
    save(wrong, "bad/decoder_wrong_shape.pth")
    nan = OrderedDict(tdsd)
    nan["14.weight"] = tdsd["14.weight"].clone()
    nan["14.weight"][0, 0, 1, 1] = float("nan")
    save(nan, "bad/decoder_nan.pth")
    save(build_decoder(tiny_dec), "bad/whole_model.pth")
    prefixed = OrderedDict(("module." + k, v) for k, v in tvsd.items())   # as nn.DataParallel saves it
    save(prefixed, "bad/vgg_prefixed.pth")

    for zip_container, name in ((True, "evil_zip.pth"), (False, "evil_legacy.pth")):
        path = save(OrderedDict([("1.weight", Evil())]), "hostile/" + name, zip_container)
        check_really_malicious(path)

    write_t7(t7_vgg(vgg, False), "t7/vgg_normalised.t7")
    write_t7(t7_vgg(vgg, True), "t7/vgg_normalised_2d.t7")
    write_t7(t7_decoder(decoder), "t7/decoder.t7")
    write_t7(sequential([t7_pad(), module("nn.Linear", [("weight", tensor(np.zeros((2, 2))))])]),
             "hostile/unknown_class.t7")
    write_t7(sequential([t7_pad(), module("nn.ReLU", [("hook", T7Function("\x1bLuaQ\x00bytecode"))])]),
             "hostile/lua_function.t7")

    total = 0
    for root, _, files in os.walk(OUT):
        for f in sorted(files):
            p = os.path.join(root, f)
            total += os.path.getsize(p)
            print("%8d  %s" % (os.path.getsize(p), os.path.relpath(p, OUT)))
    print("%8d  total" % total)


if __name__ == "__main__":
    main()
