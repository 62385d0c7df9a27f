"""MONAI 1.3.2 references for the overlap and classification metrics beyond
the shared parity set: DiceMetric with label maps, num_classes, a single
binary channel and return_with_label; MeanIoU reductions; every
ConfusionMatrixMetric measure (and aliases) pooled and per case, and a
classification batch; ROCAUCMetric with a single-valued class, weighted
averages and (N, 1) inputs. Run from this folder:
  PYTHONPATH=/tmp/monai-src /usr/bin/python3 make_overlap_metrics.py
Writes ov_*.npy and manifest_overlap.json (the parity manifest layout, group
"metrics"; inputs are stored as uint8 or float32 and passed to MONAI as
float32, as medulla-parity does). A 0-d not_nans is stored as (1,), the
shared set's convention."""
import json
import warnings

import numpy as np
import torch
from monai.metrics import ConfusionMatrixMetric, DiceMetric, MeanIoU, ROCAUCMetric

warnings.simplefilter("ignore")
rng = np.random.RandomState(11)
cases = []


def save(name, array):
    np.save(name, np.asarray(array))
    return name


def labels(batch, shape, classes, p):
    return rng.choice(classes, size=(batch, 1) + shape, p=p).astype(np.uint8)


def one_hot(lab, classes):
    return np.concatenate([lab == k for k in range(classes)], axis=1).astype(np.uint8)


def run(cid, op, params, y_pred, y, names=None, rtol=1e-5, atol=1e-6, notes=""):
    """Stores the inputs and MONAI's raw, aggregate and not_nans outputs."""
    metric = {"DiceMetric": DiceMetric, "MeanIoU": MeanIoU,
              "ConfusionMatrixMetric": ConfusionMatrixMetric, "ROCAUCMetric": ROCAUCMetric}[op](**params)
    inputs = {"y_pred": save(f"ov_{cid}_y_pred.npy", y_pred), "y": save(f"ov_{cid}_y.npy", y)}
    raw = metric(y_pred=torch.as_tensor(y_pred, dtype=torch.float32),
                 y=torch.as_tensor(y, dtype=torch.float32))
    outputs = {}
    if op != "ROCAUCMetric":
        outputs["raw"] = save(f"ov_{cid}_raw.npy", raw.numpy())
    agg = metric.aggregate()
    if op == "ConfusionMatrixMetric":
        for name, value in zip(names, agg):
            f, n = value if params.get("get_not_nans") else (value, None)
            key = name.replace(" ", "_")
            outputs[f"aggregate[{name}]"] = save(f"ov_{cid}_agg_{key}.npy", f.numpy())
            if n is not None:
                outputs[f"not_nans[{name}]"] = save(f"ov_{cid}_notnans_{key}.npy",
                                                    np.atleast_1d(n.numpy()))
    elif isinstance(agg, dict):  # return_with_label
        for label, v in agg.items():
            outputs[f"aggregate[{label}]"] = save(f"ov_{cid}_agg_{label}.npy", np.float64(v))
    elif op == "ROCAUCMetric":
        outputs["aggregate"] = save(f"ov_{cid}_aggregate.npy", np.asarray(agg, dtype=np.float64))
    else:
        f, n = agg if params.get("get_not_nans") else (agg, None)
        outputs["aggregate"] = save(f"ov_{cid}_aggregate.npy", f.numpy())
        if n is not None:
            outputs["not_nans"] = save(f"ov_{cid}_not_nans.npy", np.atleast_1d(n.numpy()))
    cases.append({"id": f"ov_{cid}", "group": "metrics", "op": op, "params": params,
                  "inputs": inputs, "outputs": outputs, "rtol": rtol, "atol": atol, "notes": notes})


# segmentations: 2 cases, 4 classes, 9x7x5; class 3 absent from case 1's truth
gt = labels(2, (9, 7, 5), 4, [0.5, 0.2, 0.2, 0.1])
gt[1][gt[1] == 3] = 0
pred = gt.copy()
flip = rng.rand(*pred.shape) < 0.25
pred[flip] = rng.choice(4, size=int(flip.sum()))
gt_oh, pred_oh = one_hot(gt, 4), one_hot(pred, 4)

run("dice_label_y", "DiceMetric", {"include_background": False, "reduction": "none"}, pred_oh, gt,
    notes="y is a (B, 1, ...) label map")
run("dice_num_classes", "DiceMetric", {"num_classes": 4, "reduction": "mean_batch", "get_not_nans": True},
    pred, gt, notes="y_pred and y are label maps")
run("dice_binary", "DiceMetric", {"reduction": "none"}, (pred == 2).astype(np.uint8),
    (gt == 2).astype(np.uint8), notes="one channel = the binary foreground")
run("dice_with_label", "DiceMetric",
    {"include_background": False, "reduction": "mean_batch", "return_with_label": True}, pred_oh, gt_oh,
    rtol=0, atol=1e-9)
run("dice_with_names", "DiceMetric",
    {"reduction": "mean_batch", "return_with_label": ["bg", "a", "b", "c"]}, pred_oh, gt_oh,
    rtol=0, atol=1e-9)
run("dice_sum_keep_empty", "DiceMetric", {"ignore_empty": False, "reduction": "sum", "get_not_nans": True},
    pred_oh, gt_oh)
run("iou_mean_channel", "MeanIoU", {"reduction": "mean_channel", "get_not_nans": True}, pred_oh, gt_oh)
run("iou_sum_batch", "MeanIoU", {"include_background": False, "reduction": "sum_batch",
                                 "get_not_nans": True}, pred_oh, gt_oh)

measures = ["sensitivity", "specificity", "precision", "negative predictive value", "miss rate",
            "fall out", "false discovery rate", "false omission rate", "prevalence threshold",
            "threat score", "accuracy", "balanced accuracy", "f1 score",
            "matthews correlation coefficient", "fowlkes mallows index", "informedness", "markedness"]
aliases = ["Recall", "hit_rate", "TNR", "ppv", "fnr", "fpr", "fdr", "for", "pt", "csi", "acc", "ba",
           "f1", "mcc", "fm", "youden_index", "deltap"]
run("cm_pooled_sum", "ConfusionMatrixMetric",
    {"metric_name": measures, "reduction": "sum", "include_background": False, "get_not_nans": True},
    pred_oh, gt_oh, names=measures)
run("cm_per_case", "ConfusionMatrixMetric",
    {"metric_name": measures, "compute_sample": True, "reduction": "mean_batch", "get_not_nans": True},
    pred_oh, gt_oh, names=measures, rtol=1e-5, atol=1e-6)
run("cm_aliases_none", "ConfusionMatrixMetric",
    {"metric_name": aliases, "reduction": "none"}, pred_oh, gt_oh, names=aliases)
cls_gt = one_hot(rng.choice(3, size=(12, 1)), 3)
cls_pred = one_hot(rng.choice(3, size=(12, 1)), 3)
run("cm_classification", "ConfusionMatrixMetric",
    {"metric_name": ["f1 score", "mcc"], "compute_sample": True}, cls_pred, cls_gt,
    names=["f1 score", "mcc"], notes="(B, C) batch: MONAI turns compute_sample off")

scores = rng.rand(20, 3).astype(np.float32)
scores[3, 0] = scores[7, 0]  # a tie
scores[5, 1] = scores[9, 1] = scores[11, 1]
onehot = one_hot(rng.choice(3, size=(20, 1), p=[0.5, 0.3, 0.2]), 3).astype(np.float32)
for average in ["macro", "weighted", "micro", "none"]:
    run(f"roc_{average}", "ROCAUCMetric", {"average": average}, scores, onehot, rtol=1e-6, atol=1e-7)
single = onehot.copy()
single[:, 2] = 1  # class 2 has one label value only -> NaN
run("roc_single_value", "ROCAUCMetric", {"average": "none"}, scores, single, rtol=1e-6, atol=1e-7)
run("roc_single_value_macro", "ROCAUCMetric", {}, scores, single, rtol=1e-6, atol=1e-7)
run("roc_binary_column", "ROCAUCMetric", {}, scores[:, :1], onehot[:, :1], rtol=1e-6, atol=1e-7)

with open("manifest_overlap.json", "w") as f:
    json.dump({"generator": "make_overlap_metrics.py", "monai_version": "1.3.2", "cases": cases}, f,
              indent=1)
print(len(cases), "cases")
