"""MONAI 1.3.2 references for the "misc" network group (Generator,
Regressor/Classifier/Discriminator, HighResNet, VNet, AHNet), in the layout
of shared/parity (networks section).

Run: PYTHONPATH=/path/to/monai /usr/bin/python3 make_misc.py
Writes manifest_misc.json, misc_* case files and misc_state_keys_big.json
(parameter counts and key hashes of default-sized variants) beside this
script. VNet and AHNet have fixed widths, so their cases use the
"medulla-hash-v1" weights rule instead of a .pt.
"""
import copy
import json
import os

import torch

from monai.networks import nets

from reference_cases import fnv1a64, make_case, write_manifest

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))


def build(op, params):
    return getattr(nets, op)(**params)


def misc_case(cid, op, params, shape, seed, hashed):
    return make_case(HERE, build, cid, op, copy.deepcopy(params), shape, seed, hashed)


CASES = [
    # Generator with residual units (prelu, instance norm, dropout), 2D, stride 1 block
    ("misc_generator_res_2d", "Generator",
     dict(latent_shape=[6], start_shape=[4, 3, 3], channels=[4, 3, 2], strides=[2, 1, 2],
          num_res_units=2, dropout=0.1),
     (3, 6), 4101, False),
    # Generator, 3D, one residual sub-unit, batch norm, leaky relu, 2D latent
    ("misc_generator_3d_batch", "Generator",
     dict(latent_shape=[2, 3], start_shape=[3, 2, 2, 2], channels=[4, 2], strides=[2, 2],
          num_res_units=1, norm="batch", act=["leakyrelu", {"negative_slope": 0.2}]),
     (2, 2, 3), 4102, False),
    # Generator, 1D, plain transposed convolutions, kernel 5
    ("misc_generator_1d_plain", "Generator",
     dict(latent_shape=[5], start_shape=[3, 4], channels=[4, 2], strides=[3, 2], kernel_size=5,
          num_res_units=0, norm="batch", act="relu", bias=False),
     (4, 5), 4103, False),
    # Discriminator, 3D, default residual units and dropout 0.25
    ("misc_discriminator_3d", "Discriminator",
     dict(in_shape=[1, 12, 10, 8], channels=[2, 4, 8], strides=[2, 2, 1]),
     (2, 1, 12, 10, 8), 4201, False),
    # Discriminator, 2D, plain convolutions, batch norm, no last act
    ("misc_discriminator_2d_plain", "Discriminator",
     dict(in_shape=[2, 17, 11], channels=[3, 5], strides=[2, 3], num_res_units=0, norm="batch",
          act="relu", dropout=None, last_act=None),
     (3, 2, 17, 11), 4202, False),
    # Classifier, 2D, odd sizes, softmax last act, kernel 5
    ("misc_classifier_2d", "Classifier",
     dict(in_shape=[2, 15, 13], classes=3, channels=[4, 6], strides=[2, 2], kernel_size=5,
          num_res_units=1, norm="batch", act="relu", last_act="softmax"),
     (2, 2, 15, 13), 4203, False),
    # Regressor, 2D output shape, group norm
    ("misc_regressor_2d", "Regressor",
     dict(in_shape=[1, 16, 16], out_shape=[2, 3], channels=[3, 6], strides=[2, 2],
          num_res_units=2, norm=["group", {"num_groups": 3}], dropout=0.2),
     (2, 1, 16, 16), 4204, False),
    # HighResNet 2D, batch norm, prelu, channel projection, dropout
    ("misc_highresnet_2d_project", "HighResNet",
     dict(spatial_dims=2, in_channels=2, out_channels=3, norm_type="batch", acti_type="prelu",
          dropout_prob=0.1, channel_matching="project",
          layer_params=[{"name": "conv_0", "n_features": 4, "kernel_size": 3},
                        {"name": "res_1", "n_features": 4, "kernels": [3, 3], "repeat": 1},
                        {"name": "res_2", "n_features": 6, "kernels": [3, 3], "repeat": 2},
                        {"name": "res_3", "n_features": 8, "kernels": [3, 1], "repeat": 1},
                        {"name": "conv_1", "n_features": 10, "kernel_size": 1},
                        {"name": "conv_2", "kernel_size": 3}]),
     (2, 2, 20, 18), 4301, False),
    # HighResNet 3D, instance norm with affine, bias, odd channel padding
    ("misc_highresnet_3d_instance", "HighResNet",
     dict(spatial_dims=3, in_channels=1, out_channels=2, norm_type=["instance", {"affine": True}],
          acti_type="leakyrelu", bias=True, dropout_prob=None,
          layer_params=[{"name": "conv_0", "n_features": 3, "kernel_size": 3},
                        {"name": "res_1", "n_features": 6, "kernels": [3], "repeat": 2},
                        {"name": "res_2", "n_features": 9, "kernels": [1, 3], "repeat": 1},
                        {"name": "conv_1", "n_features": 5, "kernel_size": 1},
                        {"name": "conv_2", "kernel_size": 1}]),
     (2, 1, 10, 9, 8), 4302, False),
    # HighResNet 1D, group norm
    ("misc_highresnet_1d_group", "HighResNet",
     dict(spatial_dims=1, in_channels=2, out_channels=2, norm_type=["group", {"num_groups": 2}],
          layer_params=[{"name": "conv_0", "n_features": 4, "kernel_size": 3},
                        {"name": "res_1", "n_features": 6, "kernels": [3, 3], "repeat": 1},
                        {"name": "conv_1", "n_features": 4, "kernel_size": 1},
                        {"name": "conv_2", "kernel_size": 1}]),
     (2, 2, 30), 4303, False),
    # VNet 2D, per-channel prelu, bias, custom dropouts
    ("misc_vnet_2d_prelu", "VNet",
     dict(spatial_dims=2, in_channels=2, out_channels=3, act="prelu", dropout_prob_down=0.2,
          dropout_prob_up=[None, 0.3], bias=True),
     (2, 2, 32, 16), 4401, True),
    # VNet 2D, relu with arguments, no down dropout
    ("misc_vnet_2d_relu", "VNet",
     dict(spatial_dims=2, in_channels=1, out_channels=2, act=["relu", {"inplace": True}],
          dropout_prob_down=None, dropout_dim=2),
     (1, 1, 16, 32), 4402, True),
    # AHNet 2D, transposed up-sampling, two pyramid branches
    ("misc_ahnet_2d", "AHNet",
     dict(spatial_dims=2, in_channels=2, out_channels=3, layers=[1, 1, 1, 1], psp_block_num=2),
     (1, 2, 64, 32), 4501, True),
    # AHNet 2D, nearest up-sampling, three pyramid branches
    ("misc_ahnet_2d_nearest", "AHNet",
     dict(spatial_dims=2, in_channels=1, out_channels=2, layers=[1, 2, 1, 1], psp_block_num=3,
          upsample_mode="nearest"),
     (1, 1, 64, 64), 4502, True),
    # AHNet 2D, bilinear up-sampling, no pyramid
    ("misc_ahnet_2d_bilinear", "AHNet",
     dict(spatial_dims=2, in_channels=1, out_channels=2, layers=[1, 1, 1, 1], psp_block_num=0,
          upsample_mode="bilinear"),
     (1, 1, 32, 64), 4503, True),
    # AHNet 3D, trilinear up-sampling, one pyramid branch
    ("misc_ahnet_3d_trilinear", "AHNet",
     dict(spatial_dims=3, in_channels=1, out_channels=1, layers=[1, 1, 1, 1], psp_block_num=1,
          upsample_mode="trilinear"),
     (2, 1, 32, 32, 32), 4504, True),
]

# default-sized variants: parameter counts and key hashes only
BIG = [
    ("VNet", dict()),
    ("VNet", dict(spatial_dims=2, in_channels=4, out_channels=3, act="prelu")),
    ("AHNet", dict()),
    ("AHNet", dict(spatial_dims=2, upsample_mode="bilinear")),
    ("HighResNet", dict()),
    ("Generator", dict(latent_shape=[42, 24], start_shape=[64, 8, 8], channels=[32, 16, 1], strides=[2, 2, 2])),
    ("Discriminator", dict(in_shape=[1, 64, 64], channels=[2, 4, 8], strides=[2, 2, 2])),
]


def big_keys():
    """Per variant: parameter count, number of state entries and an FNV-1a 64
    hash of the ordered lines "key shape0 shape1 ...\n"."""
    out = []
    for op, params in BIG:
        model = getattr(nets, op)(**params)
        state = model.state_dict()
        lines = "".join(k + "".join(f" {d}" for d in v.shape) + "\n" for k, v in state.items())
        entry = {"op": op, "params": params,
                 "num_parameters": sum(t.numel() for t in model.parameters()),
                 "num_state_entries": len(state), "fnv1a64": fnv1a64(lines)}
        out.append(entry)
        print(op, entry["num_parameters"], len(state), entry["fnv1a64"], flush=True)
        del model, state
    with open(os.path.join(HERE, "misc_state_keys_big.json"), "w") as fh:
        json.dump(out, fh, indent=0)


if __name__ == "__main__":
    cases = [misc_case(*c) for c in CASES]
    write_manifest(HERE, "manifest_misc.json", "tests/data/networks/make_misc.py", cases)
    big_keys()
