#!/usr/bin/env python3
"""MONAI 1.3.2 references for MeanEnsemble and VoteEnsemble (monai.transforms), random and
hand-built: three models with weights per model and per model and channel, a list of items
and one stacked tensor, and votes with ties (one-hot: a 1/0 tie rounds half to even, to 0;
label maps: a tie goes to the smallest label, as torch.argmax). Writes
manifest_ensembles.json + .npy here in the parity layout (group "inference", ops
MeanEnsemble/VoteEnsemble), run by medulla-parity (CTest parity_inference_ensembles).

Inputs: "img" = one tensor stacked on dim 0 (E, ...), or "img0", "img1", ... = the list of
the E models' items. Params: MONAI's constructor kwargs (weights as nested lists).
Output "img" in MONAI's output dtype (that of the first item).

Run: PYTHONPATH=/path/to/MONAI-1.3.2 python3 make_ensembles.py
"""
import json
import os

import numpy as np
import torch

from monai.transforms import MeanEnsemble, VoteEnsemble

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(11)
cases = []


def save(name, arr):
    np.save(os.path.join(HERE, name), np.array(arr, order="C"))  # keeps 0-d arrays 0-d
    return name


def case(cid, op, params, items, stacked=False, notes=""):
    if stacked:
        data = torch.from_numpy(np.stack(items))
        ins = {"img": save(f"{cid}_img.npy", data.numpy())}
    else:
        data = [torch.from_numpy(i) for i in items]
        ins = {f"img{k}": save(f"{cid}_img{k}.npy", i) for k, i in enumerate(items)}
    t = MeanEnsemble(**params) if op == "MeanEnsemble" else VoteEnsemble(**params)
    out = t(data)
    out = out.numpy() if isinstance(out, torch.Tensor) else np.asarray(out)
    cases.append({"id": cid, "group": "inference", "op": op, "params": params, "inputs": ins,
                  "outputs": {"img": save(f"{cid}_out.npy", out)}, "rtol": 1e-6, "atol": 1e-6,
                  "notes": notes + f" Output {list(out.shape)} {out.dtype}."})


def probs(shape):
    return rng.random(shape).astype(np.float32)


# Mean: three models of a 2-class 3D prediction.
three = [probs((2, 6, 5, 4)) for _ in range(3)]
case("ens_mean_01_plain", "MeanEnsemble", {}, three, notes="three models, no weights.")
case("ens_mean_02_per_model", "MeanEnsemble", {"weights": [1.0, 2.0, 3.0]}, three,
     notes="weights per model, normalised by their mean.")
case("ens_mean_03_per_channel", "MeanEnsemble",
     {"weights": [[1.0, 4.0], [2.0, 3.0], [0.5, 1.0]]}, three,
     notes="weights per model and channel.")
case("ens_mean_04_stacked", "MeanEnsemble", {"weights": [0.2, 0.3, 0.5, 1.0]},
     [probs((3, 7, 6)) for _ in range(4)], stacked=True,
     notes="four 2D models given as one stacked tensor (E, C, H, W).")
case("ens_mean_05_hand", "MeanEnsemble", {"weights": [1.0, 1.0, 2.0]},
     [np.array([[[0.0, 1.0]]], np.float32), np.array([[[1.0, 1.0]]], np.float32),
      np.array([[[0.5, 0.0]]], np.float32)],
     notes="hand-built: w/mean(w) = (0.75, 0.75, 1.5); out = ((0*0.75 + 1*0.75 + 0.5*1.5), "
           "(1*0.75 + 1*0.75 + 0*1.5)) / 3 = (0.5, 0.5).")
case("ens_mean_06_spatial_weights", "MeanEnsemble",
     {"weights": [[[1.0, 2.0, 3.0]], [[3.0, 2.0, 1.0]]]}, [probs((1, 3, 4)) for _ in range(2)],
     notes="3-D weights (E, C, H) broadcast over the last axis.")

# Vote on one-hot predictions.
def onehot(labels, n):
    return np.eye(n, dtype=np.float32)[labels].transpose(3, 0, 1, 2)

lab = [rng.integers(0, 3, (5, 4, 3)) for _ in range(3)]
case("ens_vote_01_onehot3", "VoteEnsemble", {}, [onehot(l, 3) for l in lab],
     notes="three one-hot models: round(mean) per channel (majority).")
case("ens_vote_02_onehot_tie", "VoteEnsemble", {},
     [np.array([[[1.0, 1.0, 0.0]], [[0.0, 0.0, 1.0]]], np.float32),
      np.array([[[1.0, 0.0, 0.0]], [[0.0, 1.0, 1.0]]], np.float32)],
     notes="hand-built two-model tie: mean 0.5 rounds half to even, to 0.")
case("ens_vote_03_onehot4_stacked", "VoteEnsemble", {},
     [onehot(rng.integers(0, 2, (4, 4, 4)), 2) for _ in range(4)], stacked=True,
     notes="four one-hot models stacked; 2-2 ties round to 0.")
# Vote on label maps.
case("ens_vote_04_labels", "VoteEnsemble", {"num_classes": 4},
     [rng.integers(0, 4, (1, 6, 5, 4)).astype(np.float32) for _ in range(5)],
     notes="five label maps (1, H, W, D): most frequent label, ties to the smallest.")
case("ens_vote_05_labels_tie", "VoteEnsemble", {"num_classes": 3},
     [np.array([[[2, 1, 0, 2]]], np.float32), np.array([[[1, 2, 2, 0]]], np.float32),
      np.array([[[0, 1, 2, 1]]], np.float32)],
     notes="hand-built: votes {2,1,0} (3-way tie -> 0), {1,2,1} -> 1, {0,2,2} -> 2, {2,0,1} -> 0.")
case("ens_vote_06_labels_int", "VoteEnsemble", {"num_classes": 3},
     [rng.integers(0, 3, (1, 5, 6)) for _ in range(4)], stacked=True,
     notes="int64 label maps stacked (2D); output int64.")
case("ens_vote_07_labels_noch", "VoteEnsemble", {"num_classes": 5},
     [np.array(v, np.float32) for v in (3, 1, 3, 4)], stacked=True,
     notes="class labels without a channel (E,): a scalar result.")
case("ens_vote_08_onehot_with_num_classes", "VoteEnsemble", {"num_classes": 3},
     [onehot(l, 3) for l in lab],
     notes="one-hot items with num_classes: MONAI warns and returns argmax of the mean votes.")

manifest = {
    "monai_version": __import__("monai").__version__, "torch_version": torch.__version__,
    "generator": "tests/data/inference/make_ensembles.py", "cases": cases,
}
with open(os.path.join(HERE, "manifest_ensembles.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print(f"{len(cases)} cases")
