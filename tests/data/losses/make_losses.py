"""Extra MONAI 1.3.2 loss references for medulla-parity (tests/data/losses).

Parameter combinations and losses the shared parity set lacks:
GeneralizedDiceFocalLoss, DeepSupervisionLoss (stacked heads, resized
targets), other_act, scalar weights, unreduced compound losses, a
non-normalised GWDL distance matrix with a batch of one, masks with a batch
of one. Same layout as ../shared/parity (manifest.json + .npy files).

Run: PYTHONPATH=/path/to/monai-1.3.2 python3 make_losses.py
"""
import json
import os

import numpy as np
import torch

import monai
from monai import losses as L

HERE = os.path.dirname(os.path.abspath(__file__))
ACTS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "exp": torch.exp}
torch.set_num_threads(2)


def save(case_id, name, array):
    fname = f"{case_id}_{name}.npy"
    np.save(os.path.join(HERE, fname), np.ascontiguousarray(array))
    return fname


def monai_loss(op, params):
    kw = dict(params)
    if kw.get("other_act") is not None:
        kw["other_act"] = ACTS[kw["other_act"]]
    if "dist_matrix" in kw:
        kw["dist_matrix"] = torch.tensor(kw["dist_matrix"], dtype=torch.float32)
    if op == "DiceCELoss" and kw.get("weight") is not None:
        kw["weight"] = torch.tensor(kw["weight"], dtype=torch.float32)
    if op == "DeepSupervisionLoss":
        inner = dict(kw.pop("loss"))
        kw["loss"] = monai_loss(inner.pop("name"), inner)
    return getattr(L, op)(**kw)


def labels(rng, shape, classes):
    return rng.integers(0, classes, size=shape).astype(np.int64)


def make_case(cases, case_id, op, params, x, y, notes, mask=None, stacked=False):
    loss_fn = monai_loss(op, params)
    inp = torch.from_numpy(x).requires_grad_()
    tgt = torch.from_numpy(y)
    arg = list(inp.unbind(1)) if stacked else inp
    if mask is not None:
        out = loss_fn(arg, tgt, mask=torch.from_numpy(mask))
    else:
        out = loss_fn(arg, tgt)
    out.sum().backward()
    inputs = {"input": save(case_id, "input", x), "target": save(case_id, "target", y)}
    if mask is not None:
        inputs["mask"] = save(case_id, "mask", mask)
    value = out.detach().numpy()
    cases.append({
        "id": case_id, "group": "losses", "op": op, "params": params, "inputs": inputs,
        "outputs": {"loss": save(case_id, "loss", np.atleast_1d(value) if value.ndim == 0 else value),
                    "grad_input": save(case_id, "grad_input", inp.grad.numpy())},
        "rtol": 1e-4, "atol": 1e-5,
        "notes": notes + " Reduced losses are stored as 1-element arrays; grad_input = "
                 "d(sum(loss))/d(input)."})


def main():
    rng = np.random.default_rng(20240607)
    cases = []
    x3 = lambda c=3, b=2, s=(6, 7, 5): rng.standard_normal((b, c, *s)).astype(np.float32)
    binary = lambda c=3, b=2, s=(6, 7, 5): (rng.random((b, c, *s)) > 0.6).astype(np.float32)
    make_case(cases, "xloss_gdfl_01", "GeneralizedDiceFocalLoss",
              {"to_onehot_y": True, "softmax": True}, x3(), labels(rng, (2, 1, 6, 7, 5), 3),
              "label target; focal term is the sigmoid focal loss.")
    make_case(cases, "xloss_gdfl_02", "GeneralizedDiceFocalLoss",
              {"sigmoid": True, "include_background": False, "gamma": 1.5, "weight": [1.0, 2.0],
               "lambda_gdl": 0.5, "w_type": "simple", "reduction": "sum"},
              x3(), binary(), "multi-label target; weight for the 2 kept classes.")
    make_case(cases, "xloss_dicefocal_none", "DiceFocalLoss",
              {"sigmoid": True, "reduction": "none", "gamma": 0.5}, x3(), binary(),
              "unreduced: Dice (B,C,1,1,1) + focal (B,C,H,W,D) broadcast.")
    make_case(cases, "xloss_dice_tanh", "DiceLoss",
              {"other_act": "tanh", "to_onehot_y": True, "include_background": False},
              x3(), labels(rng, (2, 1, 6, 7, 5), 3), "other_act = torch.tanh in MONAI.")
    make_case(cases, "xloss_dice_scalar_weight", "DiceLoss",
              {"sigmoid": True, "weight": 0.5, "batch": True, "reduction": "none"},
              x3(), binary(), "scalar weight (all classes); batch + none -> (C,1,1,1).")
    make_case(cases, "xloss_tversky_sigmoid_act", "TverskyLoss",
              {"other_act": "sigmoid", "include_background": False, "batch": True,
               "reduction": "none", "alpha": 0.2, "beta": 0.8},
              x3(), binary(), "other_act = torch.sigmoid; batch + none -> (C-1,).")
    make_case(cases, "xloss_focal_softmax_alpha", "FocalLoss",
              {"use_softmax": True, "alpha": 0.25, "to_onehot_y": True, "reduction": "sum"},
              x3(), labels(rng, (2, 1, 6, 7, 5), 3), "softmax focal with alpha, sum of spatial means.")
    make_case(cases, "xloss_focal_scalar_weight_2d", "FocalLoss",
              {"weight": 2.0, "gamma": 0.0}, x3(s=(9, 8)), binary(s=(9, 8)),
              "2D, gamma 0 (= BCE with logits), scalar weight.")
    make_case(cases, "xloss_dicece_bg_weight", "DiceCELoss",
              {"to_onehot_y": True, "softmax": True, "include_background": False,
               "weight": [0.1, 0.6, 0.3], "reduction": "sum", "jaccard": True},
              x3(), labels(rng, (2, 1, 6, 7, 5), 3),
              "weight passed as float32 tensor; Dice gets weight[1:].")
    onehot = np.eye(3, dtype=np.float32)[labels(rng, (2, 6, 7, 5), 3)].transpose(0, 4, 1, 2, 3)
    make_case(cases, "xloss_dicece_soft_weight", "DiceCELoss",
              {"softmax": True, "weight": [0.5, 1.0, 2.0], "lambda_ce": 0.4},
              x3(), np.ascontiguousarray(onehot),
              "one-hot float target: CE with probability targets and class weights.")
    make_case(cases, "xloss_gdl_simple_batch_none", "GeneralizedDiceLoss",
              {"softmax": True, "to_onehot_y": True, "w_type": "simple", "batch": True,
               "reduction": "none"}, x3(), labels(rng, (2, 1, 6, 7, 5), 3),
              "batch + none: MONAI's (1,1,1,1).")
    make_case(cases, "xloss_gwdl_b1_gdl", "GeneralizedWassersteinDiceLoss",
              {"dist_matrix": [[0.0, 2.0, 2.0], [2.0, 0.0, 1.0], [2.0, 1.0, 0.0]],
               "weighting_mode": "GDL", "smooth_dr": 0.01},
              x3(b=1), labels(rng, (1, 1, 6, 7, 5), 3),
              "batch of one, target B1HWD, distance matrix normalised by its max 2.")
    make_case(cases, "xloss_masked_2d_batch1_mask", "MaskedDiceLoss",
              {"sigmoid": True, "squared_pred": True},
              x3(s=(10, 9)), binary(s=(10, 9)), "2D; mask (1,1,H,W) for a batch of 2.",
              mask=(rng.random((1, 1, 10, 9)) > 0.3).astype(np.float32))
    make_case(cases, "xloss_ds_exp_resized", "DeepSupervisionLoss",
              {"loss": {"name": "DiceCELoss", "to_onehot_y": True, "softmax": True},
               "weight_mode": "exp"},
              rng.standard_normal((2, 3, 3, 4, 4, 4)).astype(np.float32),
              labels(rng, (2, 1, 8, 8, 8), 3).astype(np.float32),
              "input = 3 heads stacked on axis 1, given to MONAI as a list; float label target "
              "8^3 resized to 4^3 by nearest-exact for each head.", stacked=True)
    make_case(cases, "xloss_ds_weights", "DeepSupervisionLoss",
              {"loss": {"name": "DiceLoss", "sigmoid": True}, "weights": [1.0, 0.3, 0.1]},
              rng.standard_normal((2, 3, 2, 5, 6)).astype(np.float32),
              binary(c=2, s=(5, 6)), "2D, explicit weights, 3 heads stacked.", stacked=True)
    make_case(cases, "xloss_ds_two_tversky", "DeepSupervisionLoss",
              {"loss": {"name": "TverskyLoss", "softmax": True, "to_onehot_y": True},
               "weight_mode": "two"},
              rng.standard_normal((1, 4, 3, 6, 6)).astype(np.float32),
              labels(rng, (1, 1, 12, 12), 3).astype(np.float32),
              "2D, 4 heads, weights 1, 0.5, 0.5, 0.5; target 12x12 resized to 6x6.",
              stacked=True)
    manifest = {"monai_version": monai.__version__, "torch_version": torch.__version__,
                "numpy_version": np.__version__, "generator": "make_losses.py", "cases": cases}
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
