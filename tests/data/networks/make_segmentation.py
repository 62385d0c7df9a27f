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
import json
import os

import numpy as np
import torch
from monai.networks.nets import BasicUNet, DynUNet, SegResNet, SegResNetVAE

torch.set_num_threads(2)
HERE = os.path.dirname(os.path.abspath(__file__))
DROPOUTS = (torch.nn.Dropout, torch.nn.Dropout2d, torch.nn.Dropout3d, torch.nn.AlphaDropout)
OPS = {"BasicUNet": BasicUNet, "DynUNet": DynUNet, "SegResNet": SegResNet, "SegResNetVAE": SegResNetVAE}


def run(model, x):
    y = model(x)
    return y[0] if isinstance(y, tuple) else y


def train_pass(model, x):
    model.train()
    for m in model.modules():
        if isinstance(m, DROPOUTS):
            m.p = 0.0
    model.zero_grad()
    y = run(model, x)
    y.sum().backward()
    norms = {n: (None if p.grad is None else float(p.grad.double().norm())) for n, p in model.named_parameters()}
    return y.detach(), norms


def make_case(cid, op, params, shape, seed):
    torch.manual_seed(seed)
    model = OPS[op](**params)
    keys = [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")}
            for k, v in model.state_dict().items()]
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    xt = torch.from_numpy(x)
    model.eval()
    with torch.no_grad():
        out = run(model, xt)
    train_out, norms = train_pass(model, xt)
    torch.manual_seed(seed)
    m64 = OPS[op](**params)  # DynUNet's heads list defeats deepcopy
    m64.load_state_dict(state)
    m64 = m64.double()
    m64.eval()
    with torch.no_grad():
        out64 = run(m64, xt.double())
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
    torch.save(state, os.path.join(HERE, p("state.pt")))
    inputs = {"input": p("input.npy"), "state_keys": p("state_keys.json"), "state_dict": p("state.pt")}
    nparams = sum(t.numel() for t in model.parameters())
    case = {
        "id": cid, "group": "networks", "op": op, "params": params, "inputs": inputs,
        "outputs": {"output": p("output.npy"), "train_output": p("train_output.npy"),
                    "train_loss": float(train_out.sum()), "grad_norms": p("grad_norms.json"),
                    "grad_norms_f64": p("grad_norms_f64.json")},
        "rtol": 1e-3, "atol": max(1e-4, 10 * max(d_out, d_train)),
        "grad_norms_rtol": max(1e-3, 10 * rel), "grad_norms_atol": 1e-4 * big,
        "notes": f"{nparams} parameters. MONAI 1.3.2, torch.manual_seed({seed}) before construction; input numpy "
                 "default_rng(seed).standard_normal; eval output under no_grad; train pass with dropout p=0, "
                 "sum(output).backward() (SegResNetVAE: output = the segmentation, element 0 of MONAI's tuple); "
                 "f32 vs f64: output {:.2g}, train {:.2g}.".format(d_out, d_train),
    }
    print(cid, nparams, tuple(out.shape), tuple(train_out.shape), case["atol"], case["grad_norms_rtol"], flush=True)
    return case


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
    cases = [make_case(*c) for c in CASES]
    with open(os.path.join(HERE, "manifest_segmentation.json"), "w") as f:
        json.dump({"monai_version": "1.3.2", "generator": "tests/data/networks/make_segmentation.py",
                   "cases": cases}, f, indent=1)
