"""MONAI 1.3.2 references for the "classification" network group (DenseNet
family, SENet family), in the layout of shared/parity (networks section).

Run: PYTHONPATH=/path/to/monai /usr/bin/python3 make_classification.py
Writes manifest_classification.json, cls_* case files and
cls_state_keys_big.json (key lists and parameter counts of the named
variants too big to store with weights) beside this script. Cases whose
widths are fixed by the architecture (SENet: planes 64..512) use the
"medulla-hash-v1" weights rule instead of a .pt.
"""
import copy
import json
import os
import sys

import numpy as np
import torch

from monai.networks import nets

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))
DROPOUTS = (torch.nn.Dropout, torch.nn.Dropout2d, torch.nn.Dropout3d, torch.nn.AlphaDropout)


def hashed_weights(model, keys):
    """Overwrite every state entry by shared/parity's medulla-hash-v1 rule."""
    state = model.state_dict()
    with torch.no_grad():
        for j, key in enumerate(keys):
            t = state[key]
            leaf = key.rsplit(".", 1)[-1]
            idx = torch.arange(t.numel(), dtype=torch.int64)
            u = ((idx * 2654435761 + (j + 1) * 97531) % (2**32)).double() / 2.0**32
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
    """Train mode, dropout p = 0, sum(output).backward(); per-parameter grad norms."""
    model.train()
    for m in model.modules():
        if isinstance(m, DROPOUTS):
            m.p = 0.0
    model.zero_grad()
    y = model(x)
    y.sum().backward()
    norms = {}
    for name, p in model.named_parameters():
        norms[name] = None if p.grad is None else float(p.grad.double().norm())
    return y.detach(), norms


def key_list(model):
    return [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")}
            for k, v in model.state_dict().items()]


def make_case(cid, op, params, shape, seed, hashed):
    torch.manual_seed(seed)
    model = getattr(nets, op)(**params)
    keys = key_list(model)
    if hashed:
        hashed_weights(model, [k["key"] for k in keys])
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))
    model.eval()
    with torch.no_grad():
        out = model(x)
    train_out, norms = train_pass(model, x)
    m64 = copy.deepcopy(model)
    m64.load_state_dict(state)
    m64 = m64.double().eval()
    with torch.no_grad():
        out64 = m64(x.double())
    train64, norms64 = train_pass(m64, x.double())
    d_out = float((out.double() - out64).abs().max())
    d_train = float((train_out.double() - train64).abs().max())
    largest = max(v for v in norms.values() if v is not None)
    rel = max(abs(norms[k] - norms64[k]) / max(abs(norms64[k]), 1e-30)
              for k in norms if norms[k] is not None and norms64[k] > 1e-6 * largest)

    def f(name):
        return f"{cid}_{name}"

    np.save(os.path.join(HERE, f("input.npy")), x.numpy())
    np.save(os.path.join(HERE, f("output.npy")), out.numpy().astype(np.float32))
    np.save(os.path.join(HERE, f("train_output.npy")), train_out.numpy().astype(np.float32))
    with open(os.path.join(HERE, f("state_keys.json")), "w") as fh:
        json.dump(keys, fh)
    with open(os.path.join(HERE, f("grad_norms.json")), "w") as fh:
        json.dump(norms, fh)
    with open(os.path.join(HERE, f("grad_norms_f64.json")), "w") as fh:
        json.dump(norms64, fh)
    inputs = {"input": f("input.npy"), "state_keys": f("state_keys.json")}
    if not hashed:
        torch.save(state, os.path.join(HERE, f("state.pt")))
        inputs["state_dict"] = f("state.pt")
    count = sum(t.numel() for t in model.parameters())
    case = {
        "id": cid, "group": "networks", "op": op, "params": params, "inputs": inputs,
        "outputs": {"output": f("output.npy"), "train_output": f("train_output.npy"),
                    "train_loss": float(train_out.sum()), "grad_norms": f("grad_norms.json"),
                    "grad_norms_f64": f("grad_norms_f64.json")},
        "rtol": 1e-3, "atol": max(1e-4, 10 * max(d_out, d_train)),
        "grad_norms_rtol": max(1e-3, 10 * rel), "grad_norms_atol": 1e-4 * largest,
        "notes": f"{count} parameters. MONAI 1.3.2, torch.manual_seed({seed}) before construction"
                 + (", then weights_rule medulla-hash-v1" if hashed else "")
                 + "; input numpy default_rng(seed).standard_normal; eval output under no_grad; "
                 "train pass with every dropout p=0, sum(output).backward(); "
                 f"f32 vs f64: output {d_out:.2g}, train output {d_train:.2g}.",
    }
    if hashed:
        case["weights_rule"] = "medulla-hash-v1"
    print(cid, count, case["atol"], case["grad_norms_rtol"], flush=True)
    return case


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


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) % 2**64
    return f"{h:016x}"


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
    cases = [make_case(*c) for c in CASES]
    with open(os.path.join(HERE, "manifest_classification.json"), "w") as fh:
        json.dump({"monai_version": "1.3.2", "generator": "tests/data/networks/make_classification.py",
                   "cases": cases}, fh, indent=1)
    big_keys()
