"""Fixtures for test_network_tools: MONAI's net_unet_2d weights (shared/parity) saved the ways
PyTorch users save them. Run: /usr/bin/python3 make_weights.py ../../../../shared/parity"""
import sys
import torch

parity = sys.argv[1]
state = torch.load(f"{parity}/net_unet_2d_state.pt")
# MONAI's CheckpointSaver layout: {"net": state_dict, "opt": ..., "epoch": n}
torch.save({"net": state, "epoch": torch.tensor(3)}, "unet_2d_checkpoint_dict.pt")
# DataParallel / DDP: every key starts with "module."
torch.save({"module." + k: v for k, v in state.items()}, "unet_2d_ddp_prefix.pt")
