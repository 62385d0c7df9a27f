"""Shared case builder for the MONAI network reference generators
(make_classification.py, make_misc.py, make_segmentation.py,
make_transformer.py): seed, eval output, a train pass with every dropout at
p = 0, per-parameter gradient norms in float32 and float64, the npy/pt/json
files and the manifest entry, in the layout of shared/parity (networks
section).
"""
import copy
import json
import os

import numpy as np
import torch

DROPOUTS = (torch.nn.Dropout, torch.nn.Dropout2d, torch.nn.Dropout3d, torch.nn.AlphaDropout)

DEFAULT_TRAIN_NOTE = "train pass with every dropout p=0, sum(output).backward()"


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


def plain_forward(model, x):
    return model(x)


def train_pass(model, x, forward=plain_forward):
    """Train mode, dropout p = 0, sum(output).backward(); per-parameter grad norms."""
    model.train()
    for m in model.modules():
        if isinstance(m, DROPOUTS):
            m.p = 0.0
    model.zero_grad()
    y = forward(model, x)
    y.sum().backward()
    norms = {}
    for name, p in model.named_parameters():
        norms[name] = None if p.grad is None else float(p.grad.double().norm())
    return y.detach(), norms


def key_list(model):
    return [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")}
            for k, v in model.state_dict().items()]


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) % 2**64
    return f"{h:016x}"


def make_case(out_dir, build, cid, op, params, shape, seed, hashed=False, forward=plain_forward,
              rebuild_f64=False, train_note=DEFAULT_TRAIN_NOTE, train_label="train output",
              print_shapes=False):
    """Builds `build(op, params)` after torch.manual_seed(seed), writes the
    case files `<cid>_*` into out_dir and returns the manifest entry.

    hashed: weights by medulla-hash-v1 instead of a stored state.pt.
    forward(model, x): the output compared (e.g. element 0 of a tuple).
    rebuild_f64: build the float64 copy anew (same seed) instead of deepcopy.
    train_note, train_label: wording of the case's notes.
    print_shapes: also print the eval and train output shapes."""
    torch.manual_seed(seed)
    model = build(op, params)
    keys = key_list(model)
    if hashed:
        hashed_weights(model, [k["key"] for k in keys])
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))
    model.eval()
    with torch.no_grad():
        out = forward(model, x)
    train_out, norms = train_pass(model, x, forward)
    if rebuild_f64:
        torch.manual_seed(seed)
        m64 = build(op, params)
    else:
        m64 = copy.deepcopy(model)
    m64.load_state_dict(state)
    m64 = m64.double().eval()
    with torch.no_grad():
        out64 = forward(m64, x.double())
    train64, norms64 = train_pass(m64, x.double(), forward)
    d_out = float((out.double() - out64).abs().max())
    d_train = float((train_out.double() - train64).abs().max())
    largest = max((v for v in norms.values() if v is not None), default=0.0)
    rel = max((abs(norms[k] - norms64[k]) / max(abs(norms64[k]), 1e-30)
               for k in norms if norms[k] is not None and norms64[k] > 1e-6 * largest), default=0.0)

    def f(name):
        return f"{cid}_{name}"

    np.save(os.path.join(out_dir, f("input.npy")), x.numpy())
    np.save(os.path.join(out_dir, f("output.npy")), out.numpy().astype(np.float32))
    np.save(os.path.join(out_dir, f("train_output.npy")), train_out.numpy().astype(np.float32))
    for name, value in (("state_keys.json", keys), ("grad_norms.json", norms),
                        ("grad_norms_f64.json", norms64)):
        with open(os.path.join(out_dir, f(name)), "w") as fh:
            json.dump(value, fh)
    inputs = {"input": f("input.npy"), "state_keys": f("state_keys.json")}
    if not hashed:
        torch.save(state, os.path.join(out_dir, f("state.pt")))
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
                 + f"{train_note}; f32 vs f64: output {d_out:.2g}, {train_label} {d_train:.2g}.",
    }
    if hashed:
        case["weights_rule"] = "medulla-hash-v1"
    if print_shapes:
        print(cid, count, tuple(out.shape), tuple(train_out.shape), case["atol"],
              case["grad_norms_rtol"], flush=True)
    else:
        print(cid, count, case["atol"], case["grad_norms_rtol"], flush=True)
    return case


def write_manifest(out_dir, name, generator, cases):
    with open(os.path.join(out_dir, name), "w") as fh:
        json.dump({"monai_version": "1.3.2", "generator": generator, "cases": cases}, fh, indent=1)
