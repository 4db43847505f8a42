"""PyTorch reference of one full TIPS training step, the same step and sizes as bench/run.mjs train-tips.

Usage: python3 tips_step.py '{"npz": "/tmp/x/tips.npz", "threads": 2, "warmup": 1, "steps": 3}'

The npz (written by bench/tips-setup.mjs) holds the student's initial weights under the official
state-dict names (`vision.*`, `text.*`), the DINO/iBOT heads in DINOv2 layout, the log logit scale,
one fixed batch and the sizes (`config`, JSON bytes). One step, as @tips/trainer's TipsObjective
and train loop do it:
  teacher (EMA copy of the image tower and heads, no grad) on the unmasked global crop
    -> DINO targets from its CLS1, iBOT targets from its patch tokens (softmax centring, DINOv2)
  student on the masked global crop -> CLS1 vs web caption, CLS2 vs synthetic caption (open_clip
    ClipLoss, single process), patch tokens -> iBOT head -> iBOT loss on the masked tokens (DINOv2
    iBOTPatchLoss.forward); student on the M local crops -> CLS1 -> DINO head -> DINO loss (DINOv2
    DINOLoss, mean over crops)
  loss = clip_web + clip_synthetic + distill + mim; backward; clip_grad_norm_(3.0); AdamW (decay on
  matrices except tokens / position table / logit scale); logit scale clamp; centre updates; EMA.

The image tower is the official TIPS pytorch/image_encoder.py (read from a local clone of
google-deepmind/tips with `git show`, imported from a temp file; xFormers disabled) when one is
found at TIPS_OFFICIAL_REPO (default /work/.mirror/google-deepmind+tips/repo); otherwise the same
architecture written out below (DINOv2 blocks, the same state-dict names). The text tower is the
model part of the official pytorch/text_encoder.py written out (its file imports TensorFlow for the
tokenizer). Nothing is installed; the caller (lib.mjs runTorch) skips this column without torch.
"""
import importlib.util
import json
import math
import os
import subprocess
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_bench import args, emit, log, time_steps, torch_info

a = args()
torch.set_num_threads(int(a.get("threads", 2)))
torch.manual_seed(0)
data = np.load(a["npz"])
cfg = json.loads(bytes(data["config"]).decode())
V, T, H = cfg["vision"], cfg["text"], cfg["heads"]


# ---------------------------------------------------------------- image tower


def official_image_encoder():
    """The official TIPS image_encoder module from a local clone, or (None, reason)."""
    repo = os.environ.get("TIPS_OFFICIAL_REPO", "/work/.mirror/google-deepmind+tips/repo")
    try:
        src = subprocess.run(["git", "-C", repo, "show", "HEAD:pytorch/image_encoder.py"], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        return None, f"no official clone at {repo} ({e.__class__.__name__})"
    os.environ["XFORMERS_DISABLED"] = "1"  # plain attention, as on any machine without xFormers
    tmp = tempfile.NamedTemporaryFile("wb", suffix="_tips_image_encoder.py", delete=False)
    tmp.write(src)
    tmp.close()
    try:
        spec = importlib.util.spec_from_file_location("tips_image_encoder", tmp.name)
        mod = importlib.util.module_from_spec(spec)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec.loader.exec_module(mod)
        return mod, f"official pytorch/image_encoder.py from {repo}"
    finally:
        os.unlink(tmp.name)


class Block(nn.Module):
    """DINOv2 / TIPS pre-LN block: LN, qkv attention, proj, LayerScale; LN, GELU MLP, LayerScale."""

    def __init__(self, d, heads, hidden, ls):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(d, 3 * d)
        self.attn.proj = nn.Linear(d, d)
        self.ls1 = nn.Module()
        self.ls1.gamma = nn.Parameter(torch.full((d,), ls))
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(d, hidden)
        self.mlp.fc2 = nn.Linear(hidden, d)
        self.ls2 = nn.Module()
        self.ls2.gamma = nn.Parameter(torch.full((d,), ls))

    def forward(self, x):
        b, n, d = x.shape
        qkv = self.attn.qkv(self.norm1(x)).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * (d // self.heads) ** -0.5, qkv[1], qkv[2]
        o = ((q @ k.transpose(-2, -1)).softmax(-1) @ v).transpose(1, 2).reshape(b, n, d)
        x = x + self.attn.proj(o) * self.ls1.gamma
        return x + self.mlp.fc2(F.gelu(self.mlp.fc1(self.norm2(x)))) * self.ls2.gamma


class WrittenOutViT(nn.Module):
    """The TIPS image tower (official VisionTransformer with block_chunks=0, one register,
    antialiased position-embedding resize without offset), written out with the same names."""

    def __init__(self, d, depth, heads, hidden, grid, ls):
        super().__init__()
        self.grid = grid
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, grid * grid + 1, d))
        self.register_tokens = nn.Parameter(torch.zeros(1, 1, d))
        self.mask_token = nn.Parameter(torch.zeros(1, d))
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, d, 14, 14)
        self.blocks = nn.ModuleList([Block(d, heads, hidden, ls) for _ in range(depth)])
        self.norm = nn.LayerNorm(d, eps=1e-6)

    def forward(self, x, masks=None, is_training=True):
        b, _, h, w = x.shape
        x = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        if masks is not None:
            x = torch.where(masks.unsqueeze(-1), self.mask_token.to(x.dtype).unsqueeze(0), x)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), 1)
        pos = self.pos_embed
        if (h // 14, w // 14) != (self.grid, self.grid):
            d = pos.shape[-1]
            grid = pos[:, 1:].reshape(1, self.grid, self.grid, d).permute(0, 3, 1, 2)
            grid = F.interpolate(grid, size=(w // 14, h // 14), mode="bilinear", antialias=True)
            pos = torch.cat((pos[:, :1], grid.permute(0, 2, 3, 1).reshape(1, -1, d)), 1)
        x = x + pos
        x = torch.cat((x[:, :1], self.register_tokens.expand(b, -1, -1), x[:, 1:]), 1)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return {"x_norm_1st_clstoken": x[:, :1], "x_norm_2nd_clstoken": x[:, 1:2], "x_norm_patchtokens": x[:, 2:]}


official, tower_source = official_image_encoder()


def make_tower():
    if official is None:
        return WrittenOutViT(V["embedDim"], V["depth"], V["heads"], V["mlpHidden"], V["posGrid"], V["layerScaleInit"])
    return official.VisionTransformer(
        img_size=V["posGrid"] * 14, patch_size=14, embed_dim=V["embedDim"], depth=V["depth"], num_heads=V["heads"],
        mlp_ratio=V["mlpHidden"] / V["embedDim"], block_fn=official.functools.partial(official.Block, attn_class=official.MemEffAttention),
        num_register_tokens=V["registers"], ffn_layer="mlp", block_chunks=0, init_values=V["layerScaleInit"],
        interpolate_antialias=True, interpolate_offset=0.0,
    )


student = make_tower()
if official is None:
    tower_source = f"written-out equivalent ({tower_source})"


# ---------------------------------------------------------------- text tower (official text_encoder.py, model part)


def sinusoids(length, dim):
    """PositionalEmbedding: sin ‖ cos of position·exp(−i·ln(10⁴)/(dim/2 − 1))."""
    half = dim // 2
    inv = torch.exp(torch.arange(half, dtype=torch.float32) * -(math.log(10000.0) / max(half - 1, 1)))
    t = torch.arange(length, dtype=torch.float32)[:, None] * inv[None, :]
    return F.pad(torch.cat((torch.sin(t), torch.cos(t)), 1), (0, dim % 2))[None]


class TextBlock(nn.Module):
    """ResidualAttentionBlock: LN → nn.MultiheadAttention over non-padding keys; LN → ReLU MLP zeroed at padding."""

    def __init__(self, d, heads, mlp):
        super().__init__()
        self.heads = heads
        self.attn = nn.MultiheadAttention(d, heads)
        self.ln_1 = nn.LayerNorm(d)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(d, mlp)
        self.mlp.c_proj = nn.Linear(mlp, d)
        self.ln_2 = nn.LayerNorm(d)

    def forward(self, x, keep):  # x [L, N, D], keep [N, L] (1 = token, 0 = padding)
        attn_mask = keep[:, None, None, :].repeat(1, self.heads, x.shape[0], 1).flatten(0, 1)
        attn_mask = torch.zeros_like(attn_mask).masked_fill(attn_mask == 0, float("-inf"))
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=attn_mask)[0]
        m = keep.t()[..., None]
        return x + self.mlp.c_proj(F.relu(self.mlp.c_fc(self.ln_2(x))) * m) * m


class TextEncoder(nn.Module):
    def __init__(self, vocab, d, mlp, heads, layers):
        super().__init__()
        self.d = d
        self.token_embedding = nn.Embedding(vocab, d)
        self.transformer = nn.Module()
        self.transformer.resblocks = nn.ModuleList([TextBlock(d, heads, mlp) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(d)

    def forward(self, ids, paddings):
        keep = (paddings == 0).float()
        x = self.token_embedding(ids) * self.d ** 0.5 + sinusoids(ids.shape[1], self.d)
        x = x.permute(1, 0, 2)
        for blk in self.transformer.resblocks:
            x = blk(x, keep)
        x = self.ln_final(x.permute(1, 0, 2))
        x = torch.where(paddings[:, :, None] > 0, torch.zeros_like(x), x)  # GlobalAvgPooling, eps 1e-8
        return x.sum(1) / ((1.0 - paddings).sum(1, keepdim=True) + 1e-8)


text = TextEncoder(T["vocabSize"], T["hiddenSize"], T["mlpDim"], T["numHeads"], T["numLayers"])


# ---------------------------------------------------------------- heads and losses (DINOv2, open_clip)


class DINOHead(nn.Module):
    """dinov2/layers/dino_head.py: MLP (GELU), L2 normalisation, weight-normalised prototypes without bias."""

    def __init__(self, in_dim, out_dim, hidden, bottleneck):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_dim, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, bottleneck))
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck, out_dim, bias=False))

    def forward(self, x):
        return self.last_layer(F.normalize(self.mlp(x), dim=-1, p=2, eps=1e-12))


def make_head(h):
    return DINOHead(V["embedDim"], h["prototypes"], h["hiddenDim"], h["bottleneckDim"])


dino_head, ibot_head = make_head(H["dino"]), make_head(H["ibot"])


def load(module, prefix):
    sd = {k[len(prefix):]: torch.from_numpy(np.ascontiguousarray(data[k])) for k in data.files if k.startswith(prefix)}
    module.load_state_dict(sd, strict=True)


load(student, "vision.")
load(text, "text.")
load(dino_head, "dino_head.")
load(ibot_head, "ibot_head.")
logit_scale = nn.Parameter(torch.tensor(float(data["logit_scale"])))

# The teacher starts as a copy of the student (new modules: weight-normed heads cannot be deep-copied).
teacher, teacher_dino, teacher_ibot = make_tower(), make_head(H["dino"]), make_head(H["ibot"])
for t, s_ in ((teacher, student), (teacher_dino, dino_head), (teacher_ibot, ibot_head)):
    t.load_state_dict(s_.state_dict())
    t.requires_grad_(False)
dino_center = torch.zeros(1, H["dino"]["prototypes"])
ibot_center = torch.zeros(1, H["ibot"]["prototypes"])


def clip_loss(image, txt, scale):
    """open_clip ClipLoss (world size 1): symmetric cross-entropy of scale·Î·T̂ᵀ."""
    image, txt = F.normalize(image, dim=-1), F.normalize(txt, dim=-1)
    logits = scale * image @ txt.t()
    labels = torch.arange(image.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def dino_loss(student_crops, teacher_probs, temp):
    """DINOv2 DINOLoss.forward over the local crops, divided by the number of (student, teacher) pairs."""
    total = 0
    for s in student_crops:
        total -= torch.sum(teacher_probs * F.log_softmax(s / temp, dim=-1), dim=-1).mean()
    return total / len(student_crops)


def ibot_loss(student_tokens, teacher_probs, masks, temp):
    """DINOv2 iBOTPatchLoss.forward: per image, mean over its masked tokens; mean over images."""
    loss = torch.sum(teacher_probs * F.log_softmax(student_tokens / temp, dim=-1), dim=-1)
    loss = torch.sum(loss * masks.float(), dim=-1) / masks.sum(dim=-1).clamp(min=1.0)
    return -loss.mean()


# ---------------------------------------------------------------- the batch and the optimiser

nchw = lambda x: torch.from_numpy(np.ascontiguousarray(x)).permute(0, 3, 1, 2).contiguous()
glob = nchw(data["global"])
M, B = data["locals"].shape[:2]
loc = nchw(data["locals"].reshape(M * B, *data["locals"].shape[2:]))
masks = torch.from_numpy(data["mask"].astype(bool))
web = (torch.from_numpy(data["web_ids"].astype(np.int64)), torch.from_numpy(data["web_paddings"]))
syn = (torch.from_numpy(data["syn_ids"].astype(np.int64)), torch.from_numpy(data["syn_paddings"]))

NO_DECAY = ("cls_token", "register_tokens", "mask_token", "pos_embed", "logit_scale", "logit_bias")
named = [(f"vision.{k}", p) for k, p in student.named_parameters()] + [(f"text.{k}", p) for k, p in text.named_parameters()]
named += [(f"dino_head.{k}", p) for k, p in dino_head.named_parameters()] + [(f"ibot_head.{k}", p) for k, p in ibot_head.named_parameters()]
named += [("logit_scale", logit_scale)]
decay = [p for n, p in named if p.ndim >= 2 and n.split(".")[-1] not in NO_DECAY]
no_decay = [p for n, p in named if not (p.ndim >= 2 and n.split(".")[-1] not in NO_DECAY)]
params = [p for _, p in named]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}], lr=cfg["lr"], betas=tuple(cfg["betas"]))
ema_pairs = [(teacher, student), (teacher_dino, dino_head), (teacher_ibot, ibot_head)]
st, tt, cm, em = cfg["studentTemp"], cfg["teacherTemp"], cfg["centreMomentum"], cfg["teacherMomentum"]
log_max = math.log(cfg["logitScaleMax"])
first = {}


def step(i):
    global dino_center, ibot_center
    opt.zero_grad(set_to_none=True)
    with torch.no_grad():
        t = teacher(glob, is_training=True)
        t_dino = teacher_dino(t["x_norm_1st_clstoken"][:, 0])
        t_ibot = teacher_ibot(t["x_norm_patchtokens"])
        dino_targets = F.softmax((t_dino - dino_center) / tt, dim=-1)
        ibot_targets = F.softmax((t_ibot - ibot_center) / tt, dim=-1)
    s = student(glob, masks=masks, is_training=True)
    scale = torch.exp(torch.clamp(logit_scale, max=log_max))
    terms = {
        "clip_web": clip_loss(s["x_norm_1st_clstoken"][:, 0], text(*web), scale),
        "clip_synthetic": clip_loss(s["x_norm_2nd_clstoken"][:, 0], text(*syn), scale),
    }
    local_cls = student(loc, is_training=True)["x_norm_1st_clstoken"][:, 0]
    terms["distill"] = dino_loss(dino_head(local_cls).reshape(M, B, -1), dino_targets, st)
    terms["mim"] = ibot_loss(ibot_head(s["x_norm_patchtokens"]), ibot_targets, masks, st)
    loss = sum(terms.values())
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, cfg["clipGrad"])
    opt.step()
    with torch.no_grad():
        logit_scale.clamp_(0, log_max)
        dino_center = dino_center * cm + t_dino.mean(0, keepdim=True) * (1 - cm)
        m = masks.reshape(-1, 1).float()
        if m.sum() > 0:
            masked_mean = (t_ibot.reshape(-1, t_ibot.shape[-1]) * m).sum(0, keepdim=True) / m.sum()
            ibot_center = ibot_center * cm + masked_mean * (1 - cm)
        for tm, sm in ema_pairs:
            tp, sp = list(tm.parameters()), list(sm.parameters())
            torch._foreach_mul_(tp, em)
            torch._foreach_add_(tp, sp, alpha=1 - em)
    if not first:
        first.update({k: v.item() for k, v in terms.items()}, total=loss.item())
    return loss.item()


n_params = sum(p.numel() for p in params)
log(f"TIPS step: {tower_source}; B={B} M={M} global {tuple(glob.shape[2:])} local {tuple(loc.shape[2:])}, {n_params:,} trained parameters, {torch.get_num_threads()} threads")
res = time_steps("torch tips step", step, warmup=int(a.get("warmup", 1)), steps=int(a.get("steps", 3)))
res.update(torch_info(torch))
res.update(imageTower=tower_source, firstLoss=first, trainedParams=n_params)
emit(res)
