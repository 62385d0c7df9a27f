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
    params = copy.deepcopy(params)
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
    largest = max((v for v in norms.values() if v is not None), default=0.0)
    rel = max((abs(norms[k] - norms64[k]) / max(abs(norms64[k]), 1e-30)
               for k in norms if norms[k] is not None and norms64[k] > 1e-6 * largest), default=0.0)

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


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) % 2**64
    return f"{h:016x}"


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
    cases = [make_case(*c) for c in CASES]
    with open(os.path.join(HERE, "manifest_misc.json"), "w") as fh:
        json.dump({"monai_version": "1.3.2", "generator": "tests/data/networks/make_misc.py",
                   "cases": cases}, fh, indent=1)
    big_keys()
