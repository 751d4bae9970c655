"""Golden forward values for the engine's composites (src/engine/nn) and Conv1d.

Run with the system Python that has torch: /usr/bin/python3 tests/golden/engine/gen.py
Writes composites.json next to this file. Inputs are float32 values; references are computed
in float64 from those same float32 inputs, so the TS tests measure only the engine's error.
torch 1.13 here has neither F.rms_norm nor F.scaled_dot_product_attention: RMSNorm is written
as transformers' LlamaRMSNorm does it, attention as softmax(q k^T / sqrt(d) + mask) v.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
MASKED = -1e9


def f32(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).float()


def t(x):
    x = x.detach()
    return {"dims": list(x.shape), "data": [float(v) for v in x.double().flatten().tolist()]}


def d(x):
    return x.double()


out = {}

x = f32(3, 7, scale=2.0)
out["gelu"] = {"x": t(x), "y": t(F.gelu(d(x)))}
out["gelu_tanh"] = {"x": t(x), "y": t(F.gelu(d(x), approximate="tanh"))}

x = f32(2, 3, 8, scale=3.0) + 1.5
w = f32(8)
b = f32(8)
out["layer_norm"] = {"x": t(x), "w": t(w), "b": t(b), "eps": 1e-5,
                     "y": t(F.layer_norm(d(x), (8,), d(w), d(b), eps=1e-5))}

eps = 1e-6
xr = f32(2, 3, 8, scale=2.0)
wr = f32(8)
rms = d(xr) * torch.rsqrt(d(xr).pow(2).mean(-1, keepdim=True) + eps) * d(wr)
out["rms_norm"] = {"x": t(xr), "w": t(wr), "eps": eps, "y": t(rms)}

x = f32(2, 3, 6, scale=4.0)
out["log_softmax"] = {"x": t(x), "y_last": t(F.log_softmax(d(x), -1)), "y_axis1": t(F.log_softmax(d(x), 1))}

x = torch.tensor([-80.0, -30.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 3.0, 20.0, 80.0])
out["logsigmoid"] = {"x": t(x), "y": t(F.logsigmoid(d(x))), "softplus": t(F.softplus(d(x)))}

# Attention: [B=2, H=2, T=4, d=3], causal mask plus a key-padding mask (batch 1 pads its last key).
B, H, T, D = 2, 2, 4, 3
q, k, v = f32(B, H, T, D), f32(B, H, T, D), f32(B, H, T, D)
attn_mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
causal = torch.triu(torch.full((T, T), MASKED, dtype=torch.float64), 1)
pad = torch.where(attn_mask.bool(), 0.0, MASKED).double()[:, None, None, :]
scores = d(q) @ d(k).transpose(-1, -2) / D ** 0.5 + causal + pad
y = torch.softmax(scores, -1) @ d(v)
out["attention"] = {"q": t(q), "k": t(k), "v": t(v), "attention_mask": t(attn_mask), "y": t(y)}

# Cross-entropy: logits [2, 3, 5], targets, mask 0 = ignored (TRL's -100 labels).
logits = f32(2, 3, 5, scale=2.0)
targets = torch.tensor([[1, 4, 0], [2, 2, 3]])
mask = torch.tensor([[1, 1, 0], [1, 0, 1]])
labels = torch.where(mask.bool(), targets, torch.tensor(-100))
ce = F.cross_entropy(d(logits).reshape(-1, 5), labels.reshape(-1), ignore_index=-100)
tlp = torch.gather(F.log_softmax(d(logits), -1), -1, targets[..., None])[..., 0]
out["cross_entropy"] = {"logits": t(logits), "targets": t(targets), "mask": t(mask),
                        "loss": float(ce), "loss_unmasked": float(F.cross_entropy(d(logits).reshape(-1, 5), targets.reshape(-1))),
                        "token_log_probs": t(tlp)}

# Conv1d as Whisper's stem: k3 stride 1 pad 1, then k3 stride 2 pad 1.
out["conv1d"] = []
for stride in (1, 2):
    x = f32(2, 3, 9)
    w = f32(4, 3, 3, scale=0.5)
    b = f32(4)
    y = F.conv1d(d(x), d(w), d(b), stride=stride, padding=1)
    out["conv1d"].append({"stride": stride, "padding": 1, "x": t(x), "w": t(w), "b": t(b), "y": t(y)})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "composites.json")
with open(path, "w") as fh:
    json.dump(out, fh, separators=(",", ":"))
print("wrote", path, os.path.getsize(path), "bytes")
