"""MONAI 1.3.2 references for the "transformer" network group (UNETR,
AttentionUnet), in the layout of shared/parity (networks section).

Run: PYTHONPATH=/path/to/monai /usr/bin/python3 make_transformer.py
Writes manifest_transformer.json and transformer_* files beside this script.
Large UNETR cases use the "medulla-hash-v1" weights rule instead of a .pt.
"""
import copy
import json
import os

import sys

import numpy as np
import torch

try:
    import einops  # noqa: F401
except ImportError:  # not installable here: a pattern-general stand-in, checked below
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "einops_shim"))
from einops.layers.torch import Rearrange  # noqa: E402
from monai.networks.nets import UNETR, AttentionUnet  # noqa: E402


def check_rearrange():
    """The perceptron patch layout against torch's own unfold (2D)."""
    x = torch.randn(2, 3, 8, 12)
    r = Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=4, p2=4)(x)
    u = torch.nn.functional.unfold(x, 4, stride=4).view(2, 3, 4, 4, -1).permute(0, 4, 2, 3, 1)
    assert torch.equal(r, u.reshape(2, -1, 48))

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))
DROPOUTS = (torch.nn.Dropout, torch.nn.Dropout2d, torch.nn.Dropout3d, torch.nn.AlphaDropout)


def hash_weights(model, keys):
    """shared/parity's medulla-hash-v1 rule."""
    sd = model.state_dict()
    with torch.no_grad():
        for j, key in enumerate(keys):
            t = sd[key]
            leaf = key.rsplit(".", 1)[-1]
            i = torch.arange(t.numel(), dtype=torch.int64)
            h = (i * 2654435761 + (j + 1) * 97531) % (2**32)
            u = h.double() / 2.0**32
            if leaf == "num_batches_tracked":
                v = torch.zeros_like(u)
            elif leaf == "running_var":
                v = 0.5 + u
            elif leaf == "running_mean":
                v = 0.25 * (u - 0.5)
            elif t.dim() >= 2:
                v = (2 * u - 1) * (3.0 / (t.numel() // t.shape[0])) ** 0.5
            elif t.dim() == 1 and leaf == "weight":
                v = 1 + 0.25 * (u - 0.5)
            else:
                v = 0.25 * (u - 0.5)
            t.copy_(v.reshape(t.shape).to(t.dtype))


def train_pass(model, x):
    model.train()
    for m in model.modules():
        if isinstance(m, DROPOUTS):
            m.p = 0.0
    model.zero_grad()
    y = model(x)
    y.sum().backward()
    norms = {n: (None if p.grad is None else float(p.grad.double().norm())) for n, p in model.named_parameters()}
    return y.detach(), norms


def make_case(cid, op, params, shape, seed, hashed=False):
    torch.manual_seed(seed)
    cls = {"UNETR": UNETR, "AttentionUnet": AttentionUnet}[op]
    model = cls(**params)
    keys = [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")}
            for k, v in model.state_dict().items()]
    if hashed:
        hash_weights(model, [k["key"] for k in keys])
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    xt = torch.from_numpy(x)
    model.eval()
    with torch.no_grad():
        out = model(xt)
    train_out, norms = train_pass(model, xt)
    m64 = copy.deepcopy(model)
    m64.load_state_dict(state)
    m64 = m64.double()
    m64.eval()
    with torch.no_grad():
        out64 = m64(xt.double())
    train64, norms64 = train_pass(m64, xt.double())
    d_out = float((out.double() - out64).abs().max())
    d_train = float((train_out.double() - train64).abs().max())
    big = max(v for v in norms.values() if v is not None)
    rel = max(abs(norms[k] - norms64[k]) / max(abs(norms64[k]), 1e-30) for k in norms
              if norms[k] is not None and norms64[k] > 1e-6 * big)
    p = lambda name: f"{cid}_{name}"
    np.save(os.path.join(HERE, p("input.npy")), x)
    np.save(os.path.join(HERE, p("output.npy")), out.numpy().astype(np.float32))
    np.save(os.path.join(HERE, p("train_output.npy")), train_out.numpy().astype(np.float32))
    json.dump(keys, open(os.path.join(HERE, p("state_keys.json")), "w"))
    json.dump(norms, open(os.path.join(HERE, p("grad_norms.json")), "w"))
    json.dump(norms64, open(os.path.join(HERE, p("grad_norms_f64.json")), "w"))
    inputs = {"input": p("input.npy"), "state_keys": p("state_keys.json")}
    if not hashed:
        torch.save(state, os.path.join(HERE, p("state.pt")))
        inputs["state_dict"] = p("state.pt")
    nparams = sum(t.numel() for t in model.parameters())
    case = {
        "id": cid, "group": "networks", "op": op, "params": params, "inputs": inputs,
        "outputs": {"output": p("output.npy"), "train_output": p("train_output.npy"),
                    "train_loss": float(train_out.sum()), "grad_norms": p("grad_norms.json"),
                    "grad_norms_f64": p("grad_norms_f64.json")},
        "rtol": 1e-3, "atol": max(1e-4, 10 * max(d_out, d_train)),
        "grad_norms_rtol": max(1e-3, 10 * rel), "grad_norms_atol": 1e-4 * big,
        "notes": f"{nparams} parameters. MONAI 1.3.2, torch.manual_seed({seed}) before construction"
                 + (", then weights_rule medulla-hash-v1" if hashed else "")
                 + "; input numpy default_rng(seed).standard_normal; eval output under no_grad; train pass with "
                 "dropout p=0, sum(output).backward(); f32 vs f64: output {:.2g}, train {:.2g}.".format(d_out, d_train),
    }
    if hashed:
        case["weights_rule"] = "medulla-hash-v1"
    print(cid, nparams, case["atol"], case["grad_norms_rtol"], flush=True)
    return case


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
    cases = [make_case(*c) for c in CASES]
    with open(os.path.join(HERE, "manifest_transformer.json"), "w") as f:
        json.dump({"monai_version": "1.3.2", "generator": "tests/data/networks/make_transformer.py",
                   "cases": cases}, f, indent=1)
