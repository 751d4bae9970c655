"""Reference numbers for src/engine/optim and src/engine/train-step tests, from PyTorch.

Run from the repository root:  /usr/bin/python3 tests/golden/engine/gen_optim.py
Writes tests/golden/engine/optim.json. The tests only read the JSON (no Python needed).
"""
import json
import math
import os

import torch

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.json")


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def adamw_case(weight_decay, lrs, betas=(0.9, 0.999), eps=1e-8):
    """AdamW on two tensors with given gradients per step (p.grad set by hand)."""
    g = torch.Generator().manual_seed(1 if weight_decay else 2)
    p0 = torch.randn(3, 2, generator=g)
    p1 = torch.randn(4, generator=g)
    params = [p0.clone().requires_grad_(True), p1.clone().requires_grad_(True)]
    opt = torch.optim.AdamW(params, lr=lrs[0], betas=betas, eps=eps, weight_decay=weight_decay)
    steps = []
    for lr in lrs:
        grads = [torch.randn(p.shape, generator=g) * 0.1 for p in params]
        for group in opt.param_groups:
            group["lr"] = lr
        for p, gr in zip(params, grads):
            p.grad = gr.clone()
        opt.step()
        steps.append({
            "lr": lr,
            "grads": [flat(x) for x in grads],
            "params": [flat(p) for p in params],
            "m": [flat(opt.state[p]["exp_avg"]) for p in params],
            "v": [flat(opt.state[p]["exp_avg_sq"]) for p in params],
        })
    return {
        "beta1": betas[0], "beta2": betas[1], "eps": eps, "weight_decay": weight_decay,
        "shapes": [list(p0.shape), list(p1.shape)],
        "init": [flat(p0), flat(p1)],
        "steps": steps,
    }


def clip_case(max_norm, scale):
    g = torch.Generator().manual_seed(3)
    grads = [torch.randn(5, generator=g) * scale, torch.randn(2, 3, generator=g) * scale]
    params = [torch.zeros(x.shape, requires_grad=True) for x in grads]
    for p, gr in zip(params, grads):
        p.grad = gr.clone()
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return {
        "max_norm": max_norm,
        "grads": [flat(x) for x in grads],
        "shapes": [list(x.shape) for x in grads],
        "norm": float(norm),
        "clipped": [flat(p.grad) for p in params],
    }


def linear_with_warmup(warmup, total):
    # transformers.optimization._get_linear_schedule_with_warmup_lr_lambda
    def f(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(total - step) / float(max(1, total - warmup)))
    return f


def train_case():
    """A linear model y = x W^T + b, MSE, AdamW + clipping + linear warmup schedule, 4 steps."""
    g = torch.Generator().manual_seed(4)
    w = (torch.randn(2, 3, generator=g) * 0.5).requires_grad_(True)
    b = torch.zeros(2).requires_grad_(True)
    init = [flat(w), flat(b)]
    batches = []
    for _ in range(4):
        x = torch.randn(8, 3, generator=g)
        y = torch.randn(8, 2, generator=g) * 3
        batches.append((x, y))
    lr, wd, max_norm, warmup, total = 0.05, 0.1, 1.0, 2, 4
    # HF Trainer: weight decay on weights only, biases exempt.
    opt = torch.optim.AdamW([{"params": [w], "weight_decay": wd}, {"params": [b], "weight_decay": 0.0}], lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, linear_with_warmup(warmup, total))
    steps = []
    for x, y in batches:
        used_lr = opt.param_groups[0]["lr"]
        loss = ((x @ w.T + b - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_([w, b], max_norm)
        opt.step()
        sched.step()
        steps.append({"loss": float(loss), "grad_norm": float(norm), "lr": used_lr, "w": flat(w), "b": flat(b)})
    return {
        "lr": lr, "weight_decay": wd, "max_grad_norm": max_norm, "warmup_steps": warmup, "total_steps": total,
        "init": init,
        "batches": [{"x": flat(x), "y": flat(y)} for x, y in batches],
        "steps": steps,
    }


def main():
    fixture = {
        "torch_version": torch.__version__,
        "adamw_decay": adamw_case(0.1, [1e-2, 1e-2, 5e-3, 2e-2, 1e-2]),
        "adamw_no_decay": adamw_case(0.0, [1e-3, 3e-3, 1e-3], betas=(0.8, 0.99), eps=1e-6),
        "clip_above": clip_case(1.0, 2.0),
        "clip_below": clip_case(100.0, 2.0),
        "train": train_case(),
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
