"""Golden values for src/train/losses: an independent float64 PyTorch re-implementation of TRL's
preference losses and metrics (DPOTrainer at TRL 1.10.0.dev0, commit f2cd577, plus the TRL 0.x
options cDPO smoothing for `sigmoid`, BCO's running mean, `rpo_alpha` and the `aot_pair` name;
the experimental ORPOTrainer of the same commit).

Run with the system interpreter (torch, numpy):  /usr/bin/python3 tests/golden/losses/gen.py
It writes tests/golden/losses/losses.json next to this file. The TS tests never run Python.
"""

import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
GARBAGE = -1.0e4  # what padding holds: must never reach a loss, metric or gradient


def f32(x):
    """Round to float32 and back, so the reference sees exactly the TS inputs."""
    return torch.tensor(x, dtype=torch.float32).to(torch.float64)


def lists(t):
    return t.detach().tolist()


def mask_from_lengths(lengths, T, offsets=None):
    m = torch.zeros(len(lengths), T)
    for i, n in enumerate(lengths):
        o = 0 if offsets is None else offsets[i]
        m[i, o:o + n] = 1.0
    return m


def token_logps(gen, mask, low=-3.0, high=-0.01):
    x = torch.empty(mask.shape).uniform_(low, high, generator=gen)
    return torch.where(mask > 0, x, torch.full_like(x, GARBAGE))


def make_batches():
    g = torch.Generator().manual_seed(1234)
    B, T = 4, 6
    cm = mask_from_lengths([6, 3, 5, 1], T)
    rm = mask_from_lengths([4, 6, 2, 5], T)
    A = {
        "chosen": token_logps(g, cm), "rejected": token_logps(g, rm),
        "ref_chosen": token_logps(g, cm), "ref_rejected": token_logps(g, rm),
        "chosen_mask": cm, "rejected_mask": rm,
        "chosen_logits": torch.randn(B, T, generator=g) * 3, "rejected_logits": torch.randn(B, T, generator=g) * 3,
    }
    # Extreme: tokens near certainty (-1e-6), very unlikely tokens (-30), a one-token completion,
    # and large |beta h| so the logistic terms saturate.
    T = 8
    cm = mask_from_lengths([8, 2, 1, 5], T)
    rm = mask_from_lengths([3, 8, 6, 1], T)
    ch = token_logps(g, cm, -1.0, -1e-6)
    rj = token_logps(g, rm, -1.0, -1e-6)
    ch[0, :] = -1e-6                      # all but certain: mean log-prob -1e-6 (ORPO's log1mexp near 0)
    ch[1, :2] = torch.tensor([-30.0, -25.0])
    ch[3, :5] = torch.tensor([-1e-5, -2e-6, -3e-6, -1e-6, -4e-6])
    rj[1, :] = -28.0                      # mean log-prob -28 (log1mexp of a very negative number)
    rj[2, :6] = torch.tensor([-12.0, -0.5, -9.0, -20.0, -3.0, -7.0])
    rj[3, 0] = -1e-6
    rch = token_logps(g, cm, -4.0, -0.5)
    rrj = token_logps(g, rm, -4.0, -0.5)
    rrj[3, 0] = -30.0                     # the reference liked this rejected completion far less: h < 0
    rch[2, 0] = -1e-4
    E = {
        "chosen": torch.where(cm > 0, ch, torch.full_like(ch, GARBAGE)),
        "rejected": torch.where(rm > 0, rj, torch.full_like(rj, GARBAGE)),
        "ref_chosen": rch, "ref_rejected": rrj,
        "chosen_mask": cm, "rejected_mask": rm,
        "chosen_logits": torch.randn(4, T, generator=g) * 10, "rejected_logits": torch.randn(4, T, generator=g) * 10,
    }
    # ADPO: one response of the same length per row under two contexts of different lengths,
    # so the response sits at different offsets of the padded rows.
    T = 7
    lens = [4, 2, 5]
    cm = mask_from_lengths(lens, T, [2, 0, 1])
    rm = mask_from_lengths(lens, T, [0, 3, 2])
    D = {
        "chosen": token_logps(g, cm), "rejected": token_logps(g, rm),
        "ref_chosen": token_logps(g, cm), "ref_rejected": token_logps(g, rm),
        "chosen_mask": cm, "rejected_mask": rm,
        "chosen_logits": torch.randn(3, T, generator=g), "rejected_logits": torch.randn(3, T, generator=g),
    }
    # ORPO's NLL over prompt + completion (decoder-only TRL): a superset mask of batch A's chosen one.
    nll_mask = A["chosen_mask"].clone()
    nll_mask[1, 3:5] = 1.0
    nll_mask[3, 1:4] = 1.0
    A["chosen"] = torch.where(nll_mask > 0, torch.where(A["chosen"] == GARBAGE, torch.full_like(A["chosen"], -0.7), A["chosen"]), A["chosen"])
    A["chosen_nll_mask"] = nll_mask
    out = {}
    for name, b in {"A": A, "E": E, "D": D}.items():
        out[name] = {k: f32(lists(v)) for k, v in b.items()}
    return out


# ----------------------------------------------------------------------------- references

def seq_sum(x, m):
    return torch.where(m > 0, x, torch.zeros_like(x)).sum(-1)


def seq_count(m):
    return m.sum(-1)


def fscore(logratio, f, alpha):
    if f == "reverse_kl":
        return logratio
    if f == "forward_kl":
        return -torch.exp(-logratio)
    if f == "js_divergence":
        return F.logsigmoid(logratio)
    if f == "alpha_divergence":
        return torch.exp(torch.clamp((alpha - 1.0) * logratio, max=80.0)) / (alpha - 1.0)
    raise ValueError(f)


def smoothed(z, ls):
    return -F.logsigmoid(z) * (1 - ls) - F.logsigmoid(-z) * ls


def dpo_reference(b, cfg):
    """Loss, metrics and gradients for one config on one batch (all float64)."""
    pc = b["chosen"].clone().requires_grad_(True)
    pr = b["rejected"].clone().requires_grad_(True)
    cm, rm = b["chosen_mask"], b["rejected_mask"]
    beta = cfg["beta"]
    ls = cfg.get("label_smoothing", 0.0)
    f = cfg.get("f_divergence_type", "reverse_kl")
    alpha = cfg.get("f_alpha_divergence_coef", 0.5)
    ref_free = cfg.get("reference_free", False)

    c_logps, r_logps = seq_sum(pc, cm), seq_sum(pr, rm)
    ref_c = torch.zeros_like(c_logps) if ref_free else seq_sum(b["ref_chosen"], cm)
    ref_r = torch.zeros_like(r_logps) if ref_free else seq_sum(b["ref_rejected"], rm)
    c_lr, r_lr = c_logps - ref_c, r_logps - ref_r
    cs, rs = fscore(c_lr, f, alpha), fscore(r_lr, f, alpha)
    d = cs - rs
    n_c, n_r = seq_count(cm).clamp(min=1.0), seq_count(rm).clamp(min=1.0)
    # F.cross_entropy over the chosen completion tokens = mean of -logp over them
    nll = -(torch.where(cm > 0, pc, torch.zeros_like(pc)).sum()) / cm.sum()

    types = cfg["loss_type"]
    weights = cfg.get("loss_weights") or [1.0] * len(types)
    loss = torch.zeros(())
    running = None
    for t, w in zip(types, weights):
        if t == "sigmoid":
            per = smoothed(beta * d, ls)
        elif t == "hinge":
            per = torch.relu(1 - beta * d)
        elif t == "ipo":
            per = ((cs / n_c - rs / n_r) - 1 / (2 * beta)) ** 2
        elif t == "exo_pair":
            z = beta * d
            per = torch.sigmoid(z) * (F.logsigmoid(z) - math.log1p(-ls)) + torch.sigmoid(-z) * (F.logsigmoid(-z) - math.log(ls))
        elif t == "nca_pair":
            zc, zr = beta * cs, beta * rs
            per = -F.logsigmoid(zc) - 0.5 * F.logsigmoid(-zc) - 0.5 * F.logsigmoid(-zr)
        elif t == "robust":
            per = (-(1 - ls) * F.logsigmoid(beta * d) + ls * F.logsigmoid(-beta * d)) / (1 - 2 * ls)
        elif t == "bco_pair":
            zc, zr = beta * cs, beta * rs
            if "bco_running" in cfg:
                m0, n0 = cfg["bco_running"]["mean"], cfg["bco_running"]["count"]
                batch_mean = torch.cat([zc, zr]).mean().detach()
                delta = m0 + (batch_mean - m0) / (n0 + 1)
                running = {"mean": float(delta), "count": n0 + 1}
                zc, zr = zc - delta, zr - delta
            per = -F.logsigmoid(zc) - F.logsigmoid(-zr)
        elif t == "sppo_hard":
            per = (cs - 0.5 / beta) ** 2 + (rs + 0.5 / beta) ** 2
        elif t == "aot":
            lr, _ = torch.sort(c_logps - r_logps)
            rlr, _ = torch.sort(ref_c - ref_r)
            per = smoothed(beta * (lr - rlr), ls)
        elif t in ("aot_unpaired", "aot_pair"):
            a, _ = torch.sort(c_lr)
            bb, _ = torch.sort(r_lr)
            per = smoothed(beta * (a - bb), ls)
        elif t == "apo_zero":
            per = 1 - torch.sigmoid(beta * c_lr) + torch.sigmoid(beta * r_lr)
        elif t == "apo_down":
            per = torch.sigmoid(beta * c_lr) + 1 - torch.sigmoid(beta * d)
        elif t == "discopop":
            z = beta * d
            m = torch.sigmoid(z / cfg.get("discopop_tau", 0.05))
            per = -F.logsigmoid(z) * (1 - m) + torch.exp(-z) * m
        elif t == "sft":
            per = nll.expand(c_logps.shape[0])
        elif t == "sigmoid_norm":
            per = -F.logsigmoid(beta * (cs / n_c - rs / n_r))
        else:
            raise ValueError(t)
        loss = loss + per.mean() * w
    if cfg.get("rpo_alpha") is not None:
        loss = loss + cfg["rpo_alpha"] * nll
    gc, gr = torch.autograd.grad(loss, [pc, pr], allow_unused=True)
    gr = torch.zeros_like(pr) if gr is None else gr

    with torch.no_grad():
        cr, rr = beta * c_lr, beta * r_lr
        metrics = {
            "rewards/chosen": cr.mean(), "rewards/rejected": rr.mean(),
            "rewards/accuracies": (cr > rr).double().mean(), "rewards/margins": (cr - rr).mean(),
            "logps/chosen": c_logps.mean(), "logps/rejected": r_logps.mean(),
            "logits/chosen": (b["chosen_logits"] * cm).sum() / cm.sum(),
            "logits/rejected": (b["rejected_logits"] * rm).sum() / rm.sum(),
        }
        if cfg.get("rpo_alpha") is not None or "sft" in types:
            metrics["nll_loss"] = nll
        margins = (cr - rr).abs().min().item()
    assert margins > 1e-3, "near-tie in rewards: accuracies would be fragile in float32"
    res = {"loss": loss.item(), "metrics": {k: float(v) for k, v in metrics.items()},
           "grad_chosen": lists(gc), "grad_rejected": lists(gr)}
    if running is not None:
        res["bco_running"] = running
    return res


def log1mexp(x):
    return torch.where(x < -math.log(2), torch.log1p(-torch.exp(x)), torch.log(-torch.expm1(x)))


def orpo_reference(b, cfg):
    pc = b["chosen"].clone().requires_grad_(True)
    pr = b["rejected"].clone().requires_grad_(True)
    cm, rm = b["chosen_mask"], b["rejected_mask"]
    beta = cfg["beta"]
    a = seq_sum(pc, cm) / seq_count(cm)
    r = seq_sum(pr, rm) / seq_count(rm)
    log_odds = (a - r) - (log1mexp(a) - log1mexp(r))
    ratio = F.logsigmoid(log_odds)
    nm = b["chosen_nll_mask"] if cfg.get("nll_mask") == "chosen_nll_mask" else cm
    nll = -(torch.where(nm > 0, pc, torch.zeros_like(pc)).sum()) / nm.sum()
    loss = nll - (beta * ratio).mean()
    gc, gr = torch.autograd.grad(loss, [pc, pr])
    with torch.no_grad():
        cr, rr = beta * a, beta * r
        metrics = {
            "rewards/chosen": cr.mean(), "rewards/rejected": rr.mean(),
            "rewards/accuracies": (cr > rr).double().mean(), "rewards/margins": (cr - rr).mean(),
            "logps/chosen": a.mean(), "logps/rejected": r.mean(),
            # TRL ORPO: logits.mean() over every position (and the vocabulary), padding included
            "logits/chosen": b["chosen_logits"].mean(), "logits/rejected": b["rejected_logits"].mean(),
            "nll_loss": nll, "log_odds_ratio": ratio.mean(), "log_odds_chosen": log_odds.mean(),
        }
    return {"loss": loss.item(), "metrics": {k: float(v) for k, v in metrics.items()},
            "grad_chosen": lists(gc), "grad_rejected": lists(gr)}


def sft_reference(b):
    pc = b["chosen"].clone().requires_grad_(True)
    cm = b["chosen_mask"]
    loss = -(torch.where(cm > 0, pc, torch.zeros_like(pc)).sum()) / cm.sum()
    (gc,) = torch.autograd.grad(loss, [pc])
    return {"loss": loss.item(), "grad_chosen": lists(gc)}


# ----------------------------------------------------------------------------- cases

def dpo_cases():
    single = {
        "sigmoid": {}, "hinge": {}, "ipo": {}, "exo_pair": {"label_smoothing": 1e-3}, "nca_pair": {},
        "robust": {"label_smoothing": 0.1}, "bco_pair": {}, "sppo_hard": {}, "aot": {"label_smoothing": 0.05},
        "aot_unpaired": {"label_smoothing": 0.05}, "aot_pair": {}, "apo_zero": {}, "apo_down": {},
        "discopop": {"discopop_tau": 0.05}, "sft": {}, "sigmoid_norm": {},
    }
    cases = []
    for batch, beta in (("A", 0.1), ("E", 0.5)):
        for t, extra in single.items():
            cases.append({"name": f"{t}/{batch}", "batch": batch, "config": {"beta": beta, "loss_type": [t], **extra}})
    more = [
        ("cdpo/A", "A", {"beta": 0.1, "loss_type": ["sigmoid"], "label_smoothing": 0.2}),
        ("cdpo/E", "E", {"beta": 0.5, "loss_type": ["sigmoid"], "label_smoothing": 0.1}),
        ("bco_running/A", "A", {"beta": 0.1, "loss_type": ["bco_pair"], "bco_running": {"mean": 0.05, "count": 3.0}}),
        ("bco_running_first/E", "E", {"beta": 0.5, "loss_type": ["bco_pair"], "bco_running": {"mean": 0.0, "count": 0.0}}),
        ("mpo/A", "A", {"beta": 0.1, "loss_type": ["sigmoid", "bco_pair", "sft"], "loss_weights": [0.8, 0.2, 1.0]}),
        ("mix/E", "E", {"beta": 0.5, "loss_type": ["ipo", "hinge", "aot"], "loss_weights": [0.3, 1.5, 0.7]}),
        ("rpo/A", "A", {"beta": 0.1, "loss_type": ["sigmoid"], "rpo_alpha": 0.5}),
        ("forward_kl/A", "A", {"beta": 0.1, "loss_type": ["sigmoid"], "f_divergence_type": "forward_kl"}),
        # TRL feeds the raw log-ratios, not the f-divergence scores, to apo_* and aot*.
        ("forward_kl_raw/A", "A", {"beta": 0.1, "loss_type": ["apo_zero", "apo_down", "aot", "aot_unpaired"],
                                   "f_divergence_type": "forward_kl", "loss_weights": [1.0, 0.5, 0.25, 2.0]}),
        ("js/E", "E", {"beta": 0.5, "loss_type": ["sigmoid"], "f_divergence_type": "js_divergence"}),
        ("alpha/A", "A", {"beta": 0.1, "loss_type": ["sigmoid", "ipo"], "f_divergence_type": "alpha_divergence", "f_alpha_divergence_coef": 0.3}),
        ("reference_free/A", "A", {"beta": 0.1, "loss_type": ["sigmoid"], "reference_free": True}),
        ("beta_input/E", "E", {"beta": 0.25, "loss_type": ["sigmoid", "sppo_hard"], "beta_as_input": True}),
    ]
    cases += [{"name": n, "batch": b, "config": c} for n, b, c in more]
    return cases


def main():
    batches = make_batches()
    out = {
        "about": "Generated by tests/golden/losses/gen.py (float64 PyTorch %s; TRL behaviour of 1.10.0.dev0 f2cd577 "
                 "plus TRL 0.x options). Padding positions hold %g." % (torch.__version__, GARBAGE),
        "batches": {k: {n: lists(t) for n, t in b.items()} for k, b in batches.items()},
        "dpo": [], "adpo": [], "orpo": [], "sft": [],
    }
    for c in dpo_cases():
        out["dpo"].append({**c, "expected": dpo_reference(batches[c["batch"]], c["config"])})
    for name, cfg in (("adpo_sigmoid/D", {"beta": 0.1, "loss_type": ["sigmoid"]}),
                      ("adpo_ipo_sft/D", {"beta": 0.2, "loss_type": ["ipo", "sft"], "loss_weights": [1.0, 0.3]})):
        out["adpo"].append({"name": name, "batch": "D", "config": cfg, "expected": dpo_reference(batches["D"], cfg)})
    for name, batch, cfg in (("orpo/A", "A", {"beta": 0.1}), ("orpo/E", "E", {"beta": 0.25}),
                             ("orpo_nll_mask/A", "A", {"beta": 0.5, "nll_mask": "chosen_nll_mask"})):
        out["orpo"].append({"name": name, "batch": batch, "config": cfg, "expected": orpo_reference(batches[batch], cfg)})
    for batch in ("A", "E"):
        out["sft"].append({"name": f"sft/{batch}", "batch": batch, "expected": sft_reference(batches[batch])})

    xs = f32([-1e-9, -1e-7, -3e-6, -1e-4, -0.01, -0.3, -0.69, -0.7, -1.0, -2.0, -2.3, -2.31, -5.0, -12.0,
              -20.0, -40.0, -80.0])
    out["log1mexp"] = {"x": lists(xs), "y": lists(log1mexp(xs)), "dy": lists(-1.0 / torch.expm1(-xs))}
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print(f"wrote {OUT}: {len(out['dpo'])} dpo, {len(out['adpo'])} adpo, {len(out['orpo'])} orpo cases")


if __name__ == "__main__":
    main()
