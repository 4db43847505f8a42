"""PyTorch reference of bench/block.mjs: one pre-LN ViT block (LayerScale, GELU MLP), MSE loss, Adam.

Usage: python3 block_step.py '{"npz": "/tmp/block.npz", "heads": 6, "threads": 2, "steps": 10, "warmup": 2}'
The npz (written by run.mjs) holds the block's initial weights in TIPS-TS layout (Linear weights
[in, out]) plus the input x [B, T, D] and the target, so that both sides run the same numbers; the
first loss printed equals the tfjs one up to float32 rounding.
"""
import numpy as np
import torch
import torch.nn.functional as F

from torch_bench import args, emit, log, time_steps, torch_info

a = args()
torch.set_num_threads(int(a.get("threads", 2)))
torch.manual_seed(0)
data = np.load(a["npz"])
heads = int(a["heads"])


def param(name):
    arr = data[name]
    if arr.ndim == 2:  # Linear: TIPS-TS keeps [in, out]; torch keeps [out, in]
        arr = arr.T
    return torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(arr)).float())


names = [k for k in data.files if k not in ("x", "target")]
p = {k: param(k) for k in names}
x = torch.from_numpy(data["x"]).float()
target = torch.from_numpy(data["target"]).float()
B, T, D = x.shape
dh = D // heads


def block(x):
    h = F.layer_norm(x, (D,), p["norm1.weight"], p["norm1.bias"], 1e-6)
    qkv = F.linear(h, p["attn.qkv.weight"], p["attn.qkv.bias"]).reshape(B, T, 3, heads, dh).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0] * dh ** -0.5, qkv[1], qkv[2]
    attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
    o = (attn @ v).transpose(1, 2).reshape(B, T, D)
    y = x + F.linear(o, p["attn.proj.weight"], p["attn.proj.bias"]) * p["ls1.gamma"]
    h2 = F.layer_norm(y, (D,), p["norm2.weight"], p["norm2.bias"], 1e-6)
    f = F.linear(F.gelu(F.linear(h2, p["mlp.fc1.weight"], p["mlp.fc1.bias"])), p["mlp.fc2.weight"], p["mlp.fc2.bias"])
    return y + f * p["ls2.gamma"]


opt = torch.optim.Adam(p.values(), lr=1e-4)
losses = []


def step(i):
    opt.zero_grad(set_to_none=True)
    loss = ((block(x) - target) ** 2).mean()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    return losses[-1]


log(f"block B={B} T={T} D={D} H={heads}, {torch.get_num_threads()} threads")
res = time_steps("torch block", step, warmup=int(a.get("warmup", 2)), steps=int(a.get("steps", 10)))
res.update(torch_info(torch))
res["firstLoss"] = losses[0]
emit(res)
