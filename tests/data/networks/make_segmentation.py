"""MONAI 1.3.2 references for the "segmentation" network group (BasicUNet,
DynUNet, SegResNet, SegResNetVAE), in the layout of shared/parity (networks
section), for parameter combinations the shared set lacks.

Run: PYTHONPATH=/path/to/monai /usr/bin/python3 make_segmentation.py
Writes manifest_segmentation.json and seg_* files beside this script.

SegResNetVAE returns (segmentation, vae_loss) and draws torch.randn_like noise
in training; the segmentation itself does not depend on that noise, so its
eval and train outputs and the gradient norms of sum(segmentation) are
deterministic and recorded (VAE-only parameters have no gradient: null). The
VAE loss is random and not recorded. DynUNet with deep_supervision returns, in
training, the main output and the heads stacked on dim 1.
"""
import os

import torch
from monai.networks.nets import BasicUNet, DynUNet, SegResNet, SegResNetVAE

from reference_cases import make_case, write_manifest

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))
OPS = {"BasicUNet": BasicUNet, "DynUNet": DynUNet, "SegResNet": SegResNet, "SegResNetVAE": SegResNetVAE}


def run(model, x):
    y = model(x)
    return y[0] if isinstance(y, tuple) else y


def build(op, params):
    return OPS[op](**params)


def seg_case(cid, op, params, shape, seed):
    # DynUNet's heads list defeats deepcopy: the float64 copy is built anew
    return make_case(HERE, build, cid, op, params, shape, seed, forward=run, rebuild_f64=True,
                     train_note="train pass with dropout p=0, sum(output).backward() (SegResNetVAE: "
                                "output = the segmentation, element 0 of MONAI's tuple)",
                     train_label="train", print_shapes=True)


CASES = [
    ("seg_basicunet_2d_pixelshuffle", "BasicUNet",
     dict(spatial_dims=2, in_channels=2, out_channels=3, features=[4, 4, 8, 8, 16, 4], upsample="pixelshuffle"),
     (2, 2, 34, 24), 3101),
    ("seg_basicunet_2d_nontrainable_batch", "BasicUNet",
     dict(spatial_dims=2, in_channels=1, out_channels=2, features=[4, 8, 8, 16, 16, 8], upsample="nontrainable",
          norm="batch", bias=False, dropout=0.1, act="relu"), (2, 1, 32, 32), 3102),
    ("seg_basicunet_3d_nontrainable_group_odd", "BasicUNet",
     dict(spatial_dims=3, in_channels=1, out_channels=2, features=[2, 2, 4, 4, 8, 2], upsample="nontrainable",
          norm=["group", {"num_groups": 2}], act=["prelu", {"init": 0.2}]), (1, 1, 18, 16, 17), 3103),
    ("seg_dynunet_2d_aniso_ds_res", "DynUNet",
     dict(spatial_dims=2, in_channels=1, out_channels=2, kernel_size=[[3, 3], [3, 1], [3, 3], [3, 3]],
          strides=[[1, 1], [2, 1], [2, 2], [2, 2]], upsample_kernel_size=[[2, 1], [2, 2], [2, 2]],
          filters=[4, 8, 8, 16], deep_supervision=True, deep_supr_num=2, res_block=True, trans_bias=True),
     (2, 1, 32, 16), 3201),
    ("seg_dynunet_3d_aniso_batch_dropout", "DynUNet",
     dict(spatial_dims=3, in_channels=2, out_channels=3, kernel_size=[[3, 3, 1], [3, 3, 3], 3],
          strides=[1, [2, 2, 1], 2], upsample_kernel_size=[[2, 2, 1], 2], filters=[4, 8, 16, 32],
          dropout=0.1, norm_name="batch", act_name="relu", deep_supervision=True, deep_supr_num=1),
     (2, 2, 16, 16, 8), 3202),
    ("seg_dynunet_3d_res_group", "DynUNet",
     dict(spatial_dims=3, in_channels=1, out_channels=2, kernel_size=[3, 3, 3, 3], strides=[1, 2, 2, 1],
          upsample_kernel_size=[2, 2, 1], filters=[4, 4, 8, 8], res_block=True,
          norm_name=["group", {"num_groups": 2}]), (1, 1, 12, 8, 16), 3203),
    ("seg_segresnet_2d_deconv_instance", "SegResNet",
     dict(spatial_dims=2, init_filters=4, in_channels=2, out_channels=3, norm="instance", upsample_mode="deconv",
          dropout_prob=0.1, blocks_down=[1, 2, 2], blocks_up=[1, 1]), (2, 2, 32, 32), 3301),
    ("seg_segresnet_3d_pixelshuffle_prelu", "SegResNet",
     dict(spatial_dims=3, init_filters=4, in_channels=1, out_channels=2, norm="batch", act="prelu",
          upsample_mode="pixelshuffle", blocks_down=[1, 1, 1], blocks_up=[1, 1]), (2, 1, 16, 8, 16), 3302),
    ("seg_segresnet_2d_normname_noconvfinal", "SegResNet",
     dict(spatial_dims=2, init_filters=4, in_channels=1, out_channels=2, norm_name="group", num_groups=2,
          use_conv_final=False, blocks_down=[2, 1, 1], blocks_up=[2, 1]), (1, 1, 24, 16), 3303),
    ("seg_segresnetvae_3d", "SegResNetVAE",
     dict(input_image_size=[16, 16, 16], spatial_dims=3, init_filters=4, in_channels=1, out_channels=2,
          norm=["group", {"num_groups": 2}], vae_nz=8, blocks_down=[1, 2, 1], blocks_up=[1, 1]),
     (1, 1, 16, 16, 16), 3401),
    ("seg_segresnetvae_2d_estimate_std_prelu", "SegResNetVAE",
     dict(input_image_size=[32, 32], spatial_dims=2, init_filters=4, in_channels=2, out_channels=2,
          norm="batch", act="prelu", upsample_mode="deconv", vae_estimate_std=True, vae_nz=6,
          blocks_down=[1, 1, 1], blocks_up=[1, 1]), (2, 2, 32, 32), 3402),
]

if __name__ == "__main__":
    cases = [seg_case(*c) for c in CASES]
    write_manifest(HERE, "manifest_segmentation.json", "tests/data/networks/make_segmentation.py", cases)
