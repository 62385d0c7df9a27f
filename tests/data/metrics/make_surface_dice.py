"""MONAI 1.3.2 references for test_distance_metrics: SurfaceDiceMetric cases
(thresholds, spacing, 2D chessboard/taxicab, empty masks) and a few extra
Hausdorff/surface-distance cases whose masks lie far apart (the slow path of
the nearest-surface search). Run from this folder:
  PYTHONPATH=/tmp/monai-src /usr/bin/python3 make_surface_dice.py
Writes <id>_{y_pred,y,raw,aggregate,not_nans}.npy and surface_dice.json (same
case layout as the parity manifest). Inputs are uint8 one-hot (B, C, spatial),
passed to MONAI as float32."""
import json
import warnings

import numpy as np
import torch
from monai.metrics import HausdorffDistanceMetric, SurfaceDiceMetric, SurfaceDistanceMetric

warnings.simplefilter("ignore")
rng = np.random.RandomState(7)


def blob(shape, centre, radius):
    grid = np.ogrid[tuple(slice(0, s) for s in shape)]
    d2 = sum((g - c) ** 2 for g, c in zip(grid, centre))
    return d2 <= radius * radius


def one_hot(labels, classes):
    return np.stack([labels == k for k in range(classes)], axis=1).astype(np.uint8)


def random_labels(batch, shape, classes):
    """Label maps with one blob per foreground class, and a prediction made by
    shifting each blob and flipping a few voxels."""
    gts, preds = [], []
    for _ in range(batch):
        gt = np.zeros(shape, np.int64)
        pred = np.zeros(shape, np.int64)
        for k in range(1, classes):
            centre = [rng.randint(s // 4, 3 * s // 4) for s in shape]
            radius = rng.randint(3, min(shape) // 3)
            gt[blob(shape, centre, radius)] = k
            moved = [c + rng.randint(-2, 3) for c in centre]
            pred[blob(shape, moved, radius + rng.randint(-1, 2))] = k
        flip = rng.rand(*shape) < 0.01
        pred[flip] = rng.randint(0, classes, size=int(flip.sum()))
        gts.append(gt)
        preds.append(pred)
    return one_hot(np.stack(preds), classes), one_hot(np.stack(gts), classes)


cases = []


inputs = {}


def inputs_named(name, y_pred, y):
    """Writes one input pair (shared by the cases that use it)."""
    inputs[name] = (y_pred, y)
    np.save(f"{name}_y_pred.npy", y_pred)
    np.save(f"{name}_y.npy", y)
    return name


def add(case_id, op, params, name, call_params=None):
    y_pred, y = inputs[name]
    cls = {"SurfaceDiceMetric": SurfaceDiceMetric, "HausdorffDistanceMetric": HausdorffDistanceMetric,
           "SurfaceDistanceMetric": SurfaceDistanceMetric}[op]
    metric = cls(**params)
    raw = metric(y_pred=torch.from_numpy(y_pred).float(), y=torch.from_numpy(y).float(), **(call_params or {}))
    agg = metric.aggregate()
    outputs = {"raw": f"{case_id}_raw.npy", "aggregate": f"{case_id}_aggregate.npy"}
    np.save(outputs["raw"], raw.numpy())
    if isinstance(agg, tuple):
        agg, not_nans = agg
        outputs["not_nans"] = f"{case_id}_not_nans.npy"
        # 0-d for "mean"; stored as (1,) like the parity set stores it
        np.save(outputs["not_nans"], not_nans.numpy().reshape(-1) if not_nans.dim() == 0 else not_nans.numpy())
    np.save(outputs["aggregate"], agg.numpy())
    case = {"id": case_id, "group": "metrics", "op": op, "params": params,
            "inputs": {"y_pred": f"{name}_y_pred.npy", "y": f"{name}_y.npy"},
            "outputs": outputs, "rtol": 1e-5, "atol": 1e-5}
    if call_params:
        case["call_params"] = call_params
    cases.append(case)


p3, y3 = random_labels(2, (20, 18, 16), 3)
inputs_named("blobs3d", p3, y3)
add("nsd_3d", "SurfaceDiceMetric", {"class_thresholds": [1.0, 2.0]}, "blobs3d")
add("nsd_3d_spacing", "SurfaceDiceMetric", {"class_thresholds": [1.5, 3.0], "reduction": "mean_batch"}, "blobs3d",
    {"spacing": [0.8, 1.2, 2.0]})
inputs_named("blobs2d", *random_labels(2, (30, 26), 2))
add("nsd_2d_taxicab", "SurfaceDiceMetric",
    {"class_thresholds": [1.0, 2.0], "include_background": True, "distance_metric": "taxicab"}, "blobs2d")
add("nsd_2d_chessboard", "SurfaceDiceMetric", {"class_thresholds": [1.0], "distance_metric": "chessboard"},
    "blobs2d", {"spacing": [[0.5, 2.0], [1.5, 1.0]]})

# empty structures: b0 class 2 gt empty / pred not; b1 class 1 pred empty / gt not; b1 class 2 both empty
pe, ye = p3.copy(), y3.copy()
ye[0, 2] = 0
pe[1, 1] = 0
pe[1, 2] = 0
ye[1, 2] = 0
inputs_named("empty3d", pe, ye)
add("nsd_empty", "SurfaceDiceMetric", {"class_thresholds": [1.0, 1.0], "reduction": "none", "get_not_nans": True},
    "empty3d")
add("nsd_empty_mean", "SurfaceDiceMetric", {"class_thresholds": [1.0, 1.0], "get_not_nans": True}, "empty3d")

# masks far apart: two small cubes in opposite corners plus a large ball only in y
shape = (24, 22, 48)
far_p = np.zeros((1, 2) + shape, np.uint8)
far_y = np.zeros((1, 2) + shape, np.uint8)
far_p[0, 1, 1:4, 2:5, 1:3] = 1
far_p[0, 1, 19:22, 17:21, 42:46] = 1
far_y[0, 1, 20:23, 4:6, 30:32] = 1
far_y[0, 1][blob(shape, (12, 11, 16), 6)] = 1
far_p[0, 0] = 1 - far_p[0, 1]
far_y[0, 0] = 1 - far_y[0, 1]
inputs_named("far", far_p, far_y)
add("hd_far", "HausdorffDistanceMetric", {}, "far", {"spacing": [0.7, 1.1, 1.9]})
add("hd95_far_taxicab", "HausdorffDistanceMetric", {"percentile": 95.0, "distance_metric": "taxicab"}, "far")
add("asd_far_chessboard", "SurfaceDistanceMetric", {"symmetric": True, "distance_metric": "chessboard"}, "far")
add("asd_far", "SurfaceDistanceMetric", {"symmetric": True}, "far", {"spacing": 1.3})

with open("surface_dice.json", "w") as f:
    json.dump({"generator": "make_surface_dice.py", "monai": __import__("monai").__version__, "cases": cases},
              f, indent=1)
print(len(cases), "cases")
for c in cases:
    print(c["id"], np.load(c["outputs"]["raw"]).ravel()[:6], np.load(c["outputs"]["aggregate"]).ravel()[:4])
