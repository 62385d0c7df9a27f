#!/usr/bin/env python3
"""MONAI/torch references for the lr schedules that ../shared/parity does not
cover: MONAI's LinearLR/ExponentialLR (range-test schedules), torch's
PolynomialLR, StepLR and CosineAnnealingLR, plus Novograd on a float64
parameter. Writes manifest.json + .npy here in the parity layout, so that
medulla-parity runs them (CTest parity_optim_extra).

Run: PYTHONPATH=/path/to/MONAI-1.3.2 python3 make_schedules.py
"""
import json
import os

import numpy as np
import torch

from monai.optimizers import ExponentialLR, LinearLR, Novograd

HERE = os.path.dirname(os.path.abspath(__file__))
cases = []


def lr_sequence(make, base_lr, n):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out, dtype=np.float64)


def schedule_case(cid, op, params, make, base_lr, n, rtol=1e-9):
    np.save(os.path.join(HERE, f"{cid}_lr.npy"), lr_sequence(make, base_lr, n))
    cases.append({"id": cid, "group": "optim", "op": op, "params": params, "inputs": {},
                  "outputs": {"lr": f"{cid}_lr.npy"}, "rtol": rtol, "atol": 1e-12,
                  "base_lr": base_lr, "notes": f"{op} on SGD(lr={base_lr}), {n} steps"})


schedule_case("sched_linear_01", "LinearLR", {"end_lr": 1.0, "num_iter": 20},
              lambda o: LinearLR(o, end_lr=1.0, num_iter=20), 1e-4, 20)
schedule_case("sched_exponential_02", "ExponentialLR", {"end_lr": 10.0, "num_iter": 30},
              lambda o: ExponentialLR(o, end_lr=10.0, num_iter=30), 1e-5, 30)
schedule_case("sched_polynomial_03", "PolynomialLR", {"total_iters": 25, "power": 0.9},
              lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=25, power=0.9),
              0.01, 30, rtol=1e-7)
schedule_case("sched_step_04", "StepLR", {"step_size": 7, "gamma": 0.5},
              lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5), 0.1, 30,
              rtol=1e-7)
schedule_case("sched_cosine_05", "CosineAnnealingLR", {"T_max": 12, "eta_min": 0.001},
              lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=0.001),
              0.05, 12, rtol=1e-7)

# Novograd on float64 parameters, with zero gradients at steps 0 and 2 (|g|^2 = 0: MONAI seeds the
# second moment with the first non-zero |g|^2).
rng = np.random.default_rng(7)
p0 = rng.standard_normal((4, 3))
g0 = rng.standard_normal((6, 4, 3))
g0[0] = 0.0
g0[2] = 0.0
p = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
opt = Novograd([p], lr=0.05, betas=(0.9, 0.95), weight_decay=0.01, amsgrad=True)
steps = []
for s in range(g0.shape[0]):
    p.grad = torch.tensor(g0[s], dtype=torch.float64)
    opt.step()
    steps.append(p.detach().numpy().copy())
np.save(os.path.join(HERE, "novograd_f64_06_param0.npy"), p0)
np.save(os.path.join(HERE, "novograd_f64_06_grads0.npy"), g0)
np.save(os.path.join(HERE, "novograd_f64_06_param0_steps.npy"), np.stack(steps))
cases.append({"id": "novograd_f64_06", "group": "optim", "op": "Novograd",
              "params": {"lr": 0.05, "betas": [0.9, 0.95], "weight_decay": 0.01, "amsgrad": True},
              "inputs": {"param0": "novograd_f64_06_param0.npy", "grads0": "novograd_f64_06_grads0.npy"},
              "outputs": {"param0_steps": "novograd_f64_06_param0_steps.npy"},
              "rtol": 1e-6, "atol": 1e-7,
              "notes": "float64 parameter; the second-moment state stays float32 as in MONAI"})

with open(os.path.join(HERE, "manifest.json"), "w") as f:
    json.dump({"monai_version": "1.3.2", "torch_version": torch.__version__, "set": "medulla-optim",
               "cases": cases}, f, indent=1)
print(len(cases), "cases")
