"""Minimal stand-in for einops (not installable here): layers.torch.Rearrange only."""
