#!/usr/bin/env python3
"""MONAI 1.3.2 references for sliding_window_inference parameter combinations that
../shared/parity does not cover: 2D, roi_size with -1/None, per-axis overlap and
sigma_scale, windows larger than the image with every padding mode and cval, a batch of
two images with windows of both in one predictor call, overlap 0 and 0.9, and predictors
whose output is zoomed (x2 nearest upsampling, /2 average pooling: MONAI's z_scale
handling). Writes manifest_sliding_window.json + .npy here in the parity layout, so that
medulla-parity runs them (CTest parity_inference_extra).

Predictor of every case: Conv{2,3}d(1, 2, 3, padding=1) with the weights in
swi_conv{2,3}d_{weight,bias}.npy, then InstanceNorm (affine=False, eps 1e-5), then
optionally nearest upsampling by `predictor_zoom` (F.interpolate(scale_factor=...,
mode="nearest")) or average pooling by `predictor_pool` (F.avg_pool, kernel = stride).

Run: PYTHONPATH=/path/to/MONAI-1.3.2 python3 make_sliding_window.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

from monai.inferers import sliding_window_inference

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(2)
rng = np.random.default_rng(2026)
cases = []


def save(name, arr):
    np.save(os.path.join(HERE, name), np.array(arr, order="C"))  # keeps 0-d arrays 0-d
    return name


weights = {}
for nd in (2, 3):
    w = (rng.standard_normal((2, 1) + (3,) * nd) * 0.3).astype(np.float32)
    b = np.array([0.1, -0.2], dtype=np.float32)
    weights[nd] = (save(f"swi_conv{nd}d_weight.npy", w), save(f"swi_conv{nd}d_bias.npy", b),
                   torch.from_numpy(w), torch.from_numpy(b))


def predictor_for(nd, zoom=None, pool=None):
    _, _, w, b = weights[nd]
    conv = F.conv3d if nd == 3 else F.conv2d
    pool_fn = F.avg_pool3d if nd == 3 else F.avg_pool2d

    def run(x):
        y = F.instance_norm(conv(x, w, b, padding=1), eps=1e-5)
        if zoom is not None:
            y = F.interpolate(y, scale_factor=tuple(float(z) for z in zoom), mode="nearest")
        if pool is not None:
            y = pool_fn(y, pool)
        return y

    return run


def smooth(shape):
    x = rng.standard_normal(shape).astype(np.float32)
    # a little structure so that reflect/replicate/circular padding differ clearly
    grids = np.meshgrid(*[np.linspace(0, 3, s) for s in shape[2:]], indexing="ij")
    return (x * 0.3 + sum(np.sin(g * (k + 1)) for k, g in enumerate(grids))).astype(np.float32)


inputs = {
    "3d": save("swi_in3d.npy", smooth((1, 1, 20, 24, 18))),
    "3d_b2": save("swi_in3d_b2.npy", smooth((2, 1, 18, 14, 16))),
    "2d": save("swi_in2d.npy", smooth((1, 1, 30, 26))),
}


def case(cid, key, params, zoom=None, pool=None, notes=""):
    x = torch.from_numpy(np.load(os.path.join(HERE, inputs[key])))
    nd = x.ndim - 2
    kwargs = dict(params)
    if "roi_size" in kwargs:
        kwargs["roi_size"] = tuple(kwargs["roi_size"]) if isinstance(kwargs["roi_size"], list) else kwargs["roi_size"]
    with torch.no_grad():
        out = sliding_window_inference(x, predictor=predictor_for(nd, zoom, pool), **kwargs)
    entry = {
        "id": cid, "group": "inference", "op": "sliding_window_inference", "params": params,
        "inputs": {"inputs": inputs[key], "predictor_weight": weights[nd][0],
                   "predictor_bias": weights[nd][1]},
        "outputs": {"output": save(f"{cid}_output.npy", out.numpy())},
        "rtol": 1e-4, "atol": 1e-5,
        "notes": notes + f" Output shape {list(out.shape)}.",
    }
    if zoom is not None:
        entry["predictor_zoom"] = zoom
    if pool is not None:
        entry["predictor_pool"] = pool
    cases.append(entry)


case("swi_x01_2d_gauss_peraxis", "2d",
     {"roi_size": [12, -1], "sw_batch_size": 4, "overlap": [0.5, 0.0], "mode": "gaussian",
      "sigma_scale": [0.2, 0.1]}, notes="2D, roi -1 = full axis, per-axis overlap and sigma.")
case("swi_x02_none_roi", "3d",
     {"roi_size": [None, 10, 8], "sw_batch_size": 2, "overlap": 0.25, "mode": "gaussian"},
     notes="roi_size None = full axis.")
case("swi_x03_pad_constant_cval", "3d",
     {"roi_size": [26, 16, 22], "sw_batch_size": 3, "overlap": 0.5, "padding_mode": "constant",
      "cval": 2.5}, notes="roi larger than the image on axes 0 and 2: padded with 2.5.")
case("swi_x04_pad_reflect", "3d",
     {"roi_size": [26, 16, 22], "sw_batch_size": 3, "overlap": 0.5, "mode": "gaussian",
      "padding_mode": "reflect"}, notes="reflect padding.")
case("swi_x05_pad_replicate", "3d",
     {"roi_size": [25, 30, 12], "sw_batch_size": 1, "overlap": 0.25,
      "padding_mode": "replicate"}, notes="replicate padding, odd pad.")
case("swi_x06_pad_circular", "2d",
     {"roi_size": [36, 31], "sw_batch_size": 2, "overlap": 0.25, "padding_mode": "circular"},
     notes="circular padding; the window covers the whole padded image.")
case("swi_x07_batch2", "3d_b2",
     {"roi_size": [10, 8, 12], "sw_batch_size": 5, "overlap": 0.3, "mode": "gaussian",
      "sigma_scale": 0.3}, notes="batch of two images; windows of both share predictor calls.")
case("swi_x08_overlap0", "3d",
     {"roi_size": [8, 10, 7], "sw_batch_size": 4, "overlap": 0.0},
     notes="no overlap (last windows shifted back inside).")
case("swi_x09_overlap09", "2d",
     {"roi_size": [10, 9], "sw_batch_size": 16, "overlap": 0.9, "mode": "gaussian"},
     notes="overlap 0.9: scan interval 1 on both axes.")
case("swi_x10_zoom2", "3d",
     {"roi_size": [8, 8, 6], "sw_batch_size": 4, "overlap": 0.5, "mode": "gaussian"},
     zoom=[2, 2, 2], notes="predictor output zoomed x2 (nearest): output 2x the input size.")
case("swi_x11_zoom2_padded", "2d",
     {"roi_size": [34, 12], "sw_batch_size": 3, "overlap": 0.5},
     zoom=[2, 2], notes="zoomed x2 with padding on axis 0 (crop in the zoomed grid).")
case("swi_x12_pool2", "3d",
     {"roi_size": [8, 12, 6], "sw_batch_size": 2, "overlap": 0.5, "mode": "gaussian"},
     pool=2, notes="predictor output halved (average pooling): output half the input size.")

manifest = {
    "monai_version": __import__("monai").__version__, "torch_version": torch.__version__,
    "generator": "tests/data/inference/make_sliding_window.py", "cases": cases,
}
with open(os.path.join(HERE, "manifest_sliding_window.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print(f"{len(cases)} cases")
