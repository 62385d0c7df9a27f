"""MONAI 1.3.2 references for the "transformer" network group (UNETR,
AttentionUnet), in the layout of shared/parity (networks section).

Run: PYTHONPATH=/path/to/monai /usr/bin/python3 make_transformer.py
Writes manifest_transformer.json and transformer_* files beside this script.
Large UNETR cases use the "medulla-hash-v1" weights rule instead of a .pt.
"""
import os
import sys

import torch

try:
    import einops  # noqa: F401
except ImportError:  # not installable here: a pattern-general stand-in, checked below
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "einops_shim"))
from einops.layers.torch import Rearrange  # noqa: E402
from monai.networks.nets import UNETR, AttentionUnet  # noqa: E402

from reference_cases import make_case, write_manifest  # noqa: E402


def check_rearrange():
    """The perceptron patch layout against torch's own unfold (2D)."""
    x = torch.randn(2, 3, 8, 12)
    r = Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=4, p2=4)(x)
    u = torch.nn.functional.unfold(x, 4, stride=4).view(2, 3, 4, 4, -1).permute(0, 4, 2, 3, 1)
    assert torch.equal(r, u.reshape(2, -1, 48))

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))


def build(op, params):
    return {"UNETR": UNETR, "AttentionUnet": AttentionUnet}[op](**params)


def tr_case(cid, op, params, shape, seed, hashed=False):
    return make_case(HERE, build, cid, op, params, shape, seed, hashed,
                     train_note="train pass with dropout p=0, sum(output).backward()",
                     train_label="train")


U = dict(hidden_size=48, mlp_dim=96, num_heads=4, feature_size=8)
CASES = [
    ("tr_unetr_3d_conv_instance", "UNETR",
     dict(in_channels=1, out_channels=2, img_size=[32, 32, 16], norm_name="instance", **U), (1, 1, 32, 32, 16), 2101, True),
    ("tr_unetr_3d_perceptron_batch", "UNETR",
     dict(in_channels=2, out_channels=3, img_size=[32, 16, 32], pos_embed="perceptron", norm_name="batch",
          res_block=False, **U),
     (2, 2, 32, 16, 32), 2102, True),
    ("tr_unetr_3d_group_dropout", "UNETR",
     dict(in_channels=1, out_channels=2, img_size=[16, 32, 32], proj_type="perceptron", conv_block=False,
          norm_name=["group", {"num_groups": 4}], dropout_rate=0.1, qkv_bias=True, save_attn=True, **U),
     (1, 1, 16, 32, 32), 2103, True),
    ("tr_unetr_2d_conv_batch", "UNETR",
     dict(in_channels=2, out_channels=3, img_size=32, norm_name="batch", conv_block=False, spatial_dims=2, **U),
     (2, 2, 32, 32), 2104, True),
    ("tr_unetr_2d_perceptron_instance", "UNETR",
     dict(in_channels=1, out_channels=2, img_size=[32, 48], pos_embed="perceptron", conv_block=True, res_block=False,
          qkv_bias=True, spatial_dims=2, hidden_size=48, mlp_dim=96, num_heads=4, feature_size=4),
     (1, 1, 32, 48), 2105, True),
    ("tr_unetr_2d_conv_noconv_nores", "UNETR",
     dict(in_channels=3, out_channels=1, img_size=[48, 32], conv_block=False, res_block=False,
          norm_name=["instance", {"affine": True}], spatial_dims=2, dropout_rate=0.2, **U),
     (2, 3, 48, 32), 2106, True),
    ("tr_attunet_2d", "AttentionUnet",
     dict(spatial_dims=2, in_channels=1, out_channels=2, channels=[4, 8, 16], strides=[2, 2]), (2, 1, 32, 32), 2201, False),
    ("tr_attunet_3d", "AttentionUnet",
     dict(spatial_dims=3, in_channels=1, out_channels=3, channels=[2, 4, 8, 8], strides=[2, 2, 2]),
     (2, 1, 16, 16, 16), 2202, False),
    ("tr_attunet_2d_two_levels", "AttentionUnet",
     dict(spatial_dims=2, in_channels=2, out_channels=2, channels=[4, 8], strides=[1], kernel_size=5,
          up_kernel_size=1, dropout=0.1), (2, 2, 12, 20), 2203, False),
    ("tr_attunet_3d_aniso", "AttentionUnet",
     dict(spatial_dims=3, in_channels=2, out_channels=2, channels=[2, 4, 8, 8], strides=[2, 1, 2],
          kernel_size=[3, 3, 1], up_kernel_size=[3, 3, 1], dropout=0.2), (2, 2, 16, 12, 8), 2204, False),
    ("tr_attunet_2d_stride3", "AttentionUnet",
     dict(spatial_dims=2, in_channels=3, out_channels=4, channels=[3, 6, 12], strides=[3, 2], up_kernel_size=5),
     (2, 3, 24, 18), 2205, False),
]

if __name__ == "__main__":
    check_rearrange()
    cases = [tr_case(*c) for c in CASES]
    write_manifest(HERE, "manifest_transformer.json", "tests/data/networks/make_transformer.py", cases)
