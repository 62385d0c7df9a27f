"""MONAI 1.3.2 references for the "classification" network group (DenseNet
family, SENet family), in the layout of shared/parity (networks section).

Run: PYTHONPATH=/path/to/monai /usr/bin/python3 make_classification.py
Writes manifest_classification.json, cls_* case files and
cls_state_keys_big.json (key lists and parameter counts of the named
variants too big to store with weights) beside this script. Cases whose
widths are fixed by the architecture (SENet: planes 64..512) use the
"medulla-hash-v1" weights rule instead of a .pt.
"""
import json
import os
import sys

import torch

from monai.networks import nets

from reference_cases import DROPOUTS, fnv1a64, make_case, write_manifest

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))


def build(op, params):
    return getattr(nets, op)(**params)


CASES = [
    # DenseNet, 2D, instance norm (no affine parameters), dropout after each dense layer
    ("cls_densenet_2d_instance_dropout", "DenseNet",
     dict(spatial_dims=2, in_channels=2, out_channels=3, init_features=6, growth_rate=4,
          block_config=[2, 3, 2], bn_size=2, norm="instance", dropout_prob=0.3),
     (2, 2, 64, 48), 3101, False),
    # DenseNet, 1D, group norm with affine, leaky relu, odd sizes
    ("cls_densenet_1d_group_leaky", "DenseNet",
     dict(spatial_dims=1, in_channels=1, out_channels=2, init_features=8, growth_rate=4,
          block_config=[3, 2], bn_size=3, act=["leakyrelu", {"negative_slope": 0.1}],
          norm=["group", {"num_groups": 2}], dropout_prob=0.1),
     (3, 1, 75), 3102, False),
    # DenseNet, 3D, batch norm, tiny, with elu
    ("cls_densenet_3d_batch_elu", "DenseNet",
     dict(spatial_dims=3, in_channels=1, out_channels=2, init_features=4, growth_rate=2,
          block_config=[1, 2], bn_size=2, act="elu"),
     (2, 1, 20, 16, 24), 3103, False),
    # generic SENet with the SE-ResNeXt bottleneck (groups 32), 3D, one block per layer
    ("cls_senet_resnext_3d", "SENet",
     dict(spatial_dims=3, in_channels=1, block="se_resnetxt_bottleneck", layers=[1, 1, 1, 1],
          groups=32, reduction=16, dropout_prob=None, inplanes=32, downsample_kernel_size=1,
          input_3x3=False, num_classes=3),
     (1, 1, 48, 40, 32), 3201, True),
    # SENet154-style: SEBottleneck, input_3x3, downsample kernel 3, dropout 0.2 (dim 2), 2D
    ("cls_senet154_style_2d", "SENet",
     dict(spatial_dims=2, in_channels=2, block="se_bottleneck", layers=[1, 2, 1, 1], groups=4,
          reduction=8, dropout_prob=0.2, dropout_dim=2, inplanes=16, downsample_kernel_size=3,
          input_3x3=True, num_classes=2),
     (2, 2, 64, 64), 3202, True),
    # SE-ResNet bottleneck (stride in conv1), 1D, groups 2
    ("cls_senet_resnet_1d", "SENet",
     dict(spatial_dims=1, in_channels=3, block="se_resnet_bottleneck", layers=[2, 1, 1, 1],
          groups=2, reduction=32, dropout_prob=0.5, inplanes=64, downsample_kernel_size=1,
          input_3x3=False, num_classes=4),
     (2, 3, 200), 3203, True),
]

# named variants: key lists and parameter counts only (too big to store)
BIG = [
    ("SEResNet101", dict(spatial_dims=2, in_channels=1, num_classes=3)),
    ("SEResNet152", dict(spatial_dims=2, in_channels=3, num_classes=2)),
    ("SEResNeXt50", dict(spatial_dims=3, in_channels=1, num_classes=2)),
    ("SEResNeXt101", dict(spatial_dims=2, in_channels=1, num_classes=5)),
    ("SENet154", dict(spatial_dims=2, in_channels=1, num_classes=2)),
    ("SEResNet50", dict(spatial_dims=1, in_channels=2, num_classes=2)),
    ("DenseNet169", dict(spatial_dims=2, in_channels=1, out_channels=2)),
    ("DenseNet201", dict(spatial_dims=1, in_channels=1, out_channels=3)),
    ("DenseNet264", dict(spatial_dims=2, in_channels=3, out_channels=2)),
]


FULL_KEYS = ("SEResNeXt50",)


def big_keys():
    """Per variant: parameter count, state entries per top-level module, and
    an FNV-1a 64 hash of the ordered lines "key shape0 shape1 ...\n"; the
    full key list only for FULL_KEYS (the file stays small)."""
    out = []
    for op, params in BIG:
        model = getattr(nets, op)(**params)
        state = model.state_dict()
        lines = "".join(k + "".join(f" {d}" for d in v.shape) + "\n" for k, v in state.items())
        prefixes = {}
        for k in state:
            top = ".".join(k.split(".")[:2])
            prefixes[top] = prefixes.get(top, 0) + 1
        entry = {"op": op, "params": params,
                 "num_parameters": sum(t.numel() for t in model.parameters()),
                 "num_state_entries": len(state), "entries_per_module": prefixes,
                 "fnv1a64": fnv1a64(lines),
                 "has_dropout": any(isinstance(m, DROPOUTS) for m in model.modules())}
        if op in FULL_KEYS:
            entry["keys"] = [[k, list(v.shape)] for k, v in state.items()]
        out.append(entry)
        print(op, entry["num_parameters"], len(state), entry["fnv1a64"], flush=True)
        del model, state
    with open(os.path.join(HERE, "cls_state_keys_big.json"), "w") as fh:
        json.dump(out, fh, indent=0)


if __name__ == "__main__":
    if "--big-only" in sys.argv:
        big_keys()
        sys.exit(0)
    cases = [make_case(HERE, build, *c) for c in CASES]
    write_manifest(HERE, "manifest_classification.json",
                   "tests/data/networks/make_classification.py", cases)
    big_keys()
