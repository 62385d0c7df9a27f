#!/usr/bin/env python3
"""Writes the exact inputs of shared/bench/monai/bench_inference.py for bench_inference:
the 1x1x256x256x128 volume of create_test_image_3d(..., random_state=RandomState(seed)) as
OUT/inference_volume.npy and the state dict of the UNet built after set_determinism(seed)
(the same construction order as the MONAI script, so the same weights) as
OUT/inference_unet.pt. Then `bench_inference --input OUT/inference_volume.npy --weights
OUT/inference_unet.pt` computes MONAI's output (checksum -759963.33 for seed 0).

Run: PYTHONPATH=/path/to/MONAI-1.3.2 /usr/bin/python3 make_inference_inputs.py [--out /tmp]
"""
import argparse
import os

import numpy as np
import torch

from monai.data import create_test_image_3d
from monai.networks.layers import Norm
from monai.networks.nets import UNet
from monai.utils import set_determinism

ap = argparse.ArgumentParser()
ap.add_argument("--out", default="/tmp")
ap.add_argument("--shape", type=int, nargs=3, default=[256, 256, 128])
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()

set_determinism(seed=args.seed)
H, W, D = args.shape
img, _ = create_test_image_3d(
    H, W, D, num_objs=12, rad_max=30, rad_min=10, noise_max=0.1, num_seg_classes=1, channel_dim=0,
    random_state=np.random.RandomState(args.seed),
)
np.save(os.path.join(args.out, "inference_volume.npy"), img[None].astype(np.float32))
net = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256),
           strides=(2, 2, 2, 2), num_res_units=2, norm=Norm.BATCH)
torch.save(dict(net.state_dict()), os.path.join(args.out, "inference_unet.pt"))
print("wrote", os.path.join(args.out, "inference_volume.npy"), os.path.join(args.out, "inference_unet.pt"))
