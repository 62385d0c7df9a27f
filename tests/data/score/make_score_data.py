#!/usr/bin/env python3
"""Two predicted/reference label-map pairs (NIfTI, spacing 1.0 x 0.8 x 2.0 mm,
labels 0..2) for `medulla score`, and MONAI 1.3.2's per-case values for them
(expected.json) that the CTest cli_score_* checks.

Run: PYTHONPATH=/path/to/MONAI-1.3.2 python3 make_score_data.py
"""
import json
import os

import nibabel as nib
import numpy as np
import torch

from monai.metrics import DiceMetric, HausdorffDistanceMetric, SurfaceDistanceMetric
from monai.networks.utils import one_hot

HERE = os.path.dirname(os.path.abspath(__file__))
SPACING = (1.0, 0.8, 2.0)
SHAPE = (20, 24, 12)


def ball(center, radius):
    g = np.stack(np.meshgrid(*[np.arange(n) for n in SHAPE], indexing="ij"), -1).astype(float)
    d = (((g - np.array(center)) * np.array(SPACING)) ** 2).sum(-1)
    return d <= radius * radius


def labels(c1, r1, c2, r2):
    m = np.zeros(SHAPE, np.uint8)
    m[ball(c1, r1)] = 1
    m[ball(c2, r2)] = 2
    return m


cases = {
    "case_a.nii.gz": (labels((7, 8, 5), 4.0, (14, 16, 6), 3.5), labels((8, 8, 5), 4.5, (14, 15, 7), 3.0)),
    "case_b.nii.gz": (labels((10, 12, 6), 5.0, (4, 20, 3), 2.0), labels((10, 11, 6), 5.0, (5, 19, 3), 2.5)),
}
affine = np.diag(list(SPACING) + [1.0])
affine[:3, 3] = (-10.0, 4.0, 30.0)
os.makedirs(os.path.join(HERE, "pred"), exist_ok=True)
os.makedirs(os.path.join(HERE, "label"), exist_ok=True)
expected = {}
for name, (pred, label) in cases.items():
    nib.save(nib.Nifti1Image(pred, affine), os.path.join(HERE, "pred", name))
    nib.save(nib.Nifti1Image(label, affine), os.path.join(HERE, "label", name))
    p = one_hot(torch.from_numpy(pred.astype(np.int64))[None, None], 3)
    y = one_hot(torch.from_numpy(label.astype(np.int64))[None, None], 3)
    row = {}
    for key, metric in (("Dice", DiceMetric(include_background=False)),
                        ("HD95", HausdorffDistanceMetric(include_background=False, percentile=95)),
                        ("ASD", SurfaceDistanceMetric(include_background=False, symmetric=True))):
        kwargs = {} if key == "Dice" else {"spacing": list(SPACING)}
        v = metric(y_pred=p, y=y, **kwargs)[0].tolist()
        for k, x in enumerate(v):
            row[f"{key}[{k + 1}]"] = x
    expected[name] = row
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
for name, row in expected.items():
    print(name, " ".join(f"{k}={v:.4f}" for k, v in row.items()))
