#!/usr/bin/env python3
"""Writes the broken weight files the CLI tests feed to `adain stylize`.

Each is a copy of a testkit model with one defect, so the CLI must report it in one line:

  encoder_nan.h5           block2_conv1 kernel[1,1,0,0] = NaN
  decoder_nan_bias.h5      conv2d_17 (the last conv) bias[1] = NaN
  decoder_wrong_shape.h5   conv2d_9 kernel 3x3x20x16 instead of 3x3x24x16 (does not fit the encoder's 24 channels)
  encoder_wrong_shape.h5   block3_conv1 kernel 3x3x10x16 instead of 3x3x12x16 (block2_conv2 gives 12 channels)
  encoder_missing_layer.h5 block3_conv2 removed (weights and layer_names entry)

Run with Debian's interpreter (it has h5py), from the repository root:

  /usr/bin/python3 adain-examples/src/test/python/make_bad_weights.py
"""

import os
import shutil

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(ROOT, "../../../../adain-testkit/src/main/resources/org/adain/testkit/reference/models")
OUT = os.path.join(ROOT, "../resources/org/adain/examples/cli/bad")


def copy(src, dst):
    path = os.path.join(OUT, dst)
    shutil.copyfile(os.path.join(MODELS, src), path)
    return path


def set_value(path, dataset, index, value):
    with h5py.File(path, "r+") as f:
        d = f[dataset]
        a = d[()]
        a[index] = value
        d[...] = a


def main():
    os.makedirs(OUT, exist_ok=True)

    p = copy("encoder_tf2.h5", "encoder_nan.h5")
    set_value(p, "model_weights/block2_conv1/block2_conv1/kernel:0", (1, 1, 0, 0), np.nan)

    p = copy("decoder_tf2.h5", "decoder_nan_bias.h5")
    set_value(p, "model_weights/conv2d_17/conv2d_17/bias:0", 1, np.nan)

    p = copy("decoder_tf2.h5", "decoder_wrong_shape.h5")
    with h5py.File(p, "r+") as f:
        name = "model_weights/conv2d_9/conv2d_9/kernel:0"
        old = f[name][()]
        del f[name]
        f.create_dataset(name, data=np.ascontiguousarray(old[:, :, :20, :]))

    p = copy("encoder_tf2.h5", "encoder_wrong_shape.h5")
    with h5py.File(p, "r+") as f:
        name = "model_weights/block3_conv1/block3_conv1/kernel:0"
        old = f[name][()]
        del f[name]
        f.create_dataset(name, data=np.ascontiguousarray(old[:, :, :10, :]))

    p = copy("encoder_tf2.h5", "encoder_missing_layer.h5")
    with h5py.File(p, "r+") as f:
        del f["model_weights/block3_conv2"]
        names = [n for n in f["model_weights"].attrs["layer_names"] if n not in (b"block3_conv2", "block3_conv2")]
        f["model_weights"].attrs["layer_names"] = np.array(names, dtype=f["model_weights"].attrs["layer_names"].dtype)

    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
