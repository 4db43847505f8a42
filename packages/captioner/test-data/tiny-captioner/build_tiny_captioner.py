"""Builds the tiny captioning model that tests the transformers.js backend of @tips/captioner.

A VisionEncoderDecoder in the layout transformers.js loads for `vision-encoder-decoder` models
(the layout of e.g. Xenova/vit-gpt2-image-captioning): a ViT encoder and a GPT-2 decoder with
cross-attention, hidden size 32, two layers each, written here in plain PyTorch (no HF
`transformers` package on this machine), trained for a few seconds to caption 32x32 pictures of
one coloured shape ("a red square on the left"), then exported with torch.onnx.export to

  model/onnx/encoder_model.onnx         pixel_values [batch_size, 3, 32, 32] -> last_hidden_state
  model/onnx/decoder_model_merged.onnx  input_ids, encoder_hidden_states, past_key_values.{i}.key/value
                                        -> logits, present.{i}.key/value   (self-attention KV cache,
                                        [batch_size, heads, past_sequence_length, head_dim]; a past of
                                        length 0 on the first step, as transformers.js feeds it)
  model/config.json, generation_config.json, preprocessor_config.json (ViTImageProcessor),
  tokenizer.json (WordPiece over a 17-word vocabulary), tokenizer_config.json

and writes test images plus expected.json: for each test image the token ids and text of greedy
decoding in PyTorch (the reference the jest test compares transformers.js against) and, for the
first image, the step-0 logits.

Run from anywhere: /usr/bin/python3 build_tiny_captioner.py  (CPU only; a few minutes on an idle
machine, 1500 Adam steps; seeded).
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'model')
torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

SPECIAL = ['[PAD]', '[UNK]', '[BOS]', '[EOS]']
WORDS = ['a', 'red', 'green', 'blue', 'yellow', 'square', 'circle', 'on', 'in', 'the', 'left', 'right', 'centre']
VOCAB = SPECIAL + WORDS
TOK = {w: i for i, w in enumerate(VOCAB)}
PAD, UNK, BOS, EOS = 0, 1, 2, 3
IMG, PATCH, D, HEADS, LAYERS, MLP, MAX_POS = 32, 8, 32, 2, 2, 64, 32
MEAN, STD = [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]
COLOURS = {'red': (220, 40, 40), 'green': (40, 180, 60), 'blue': (40, 70, 220), 'yellow': (230, 210, 40)}
PLACES = {'left': (6, 11), 'centre': (14, 18), 'right': (21, 26)}


def draw(colour, shape, place, rng):
    """A 32x32 RGB uint8 picture of one shape on a noisy light background, and its caption."""
    bg = rng.integers(190, 236, size=3)
    img = np.clip(bg[None, None, :] + rng.integers(-12, 13, size=(IMG, IMG, 3)), 0, 255)
    lo, hi = PLACES[place]
    cx, cy = rng.integers(lo, hi + 1), rng.integers(9, 24)
    r = rng.integers(4, 7)
    yy, xx = np.mgrid[0:IMG, 0:IMG]
    mask = (np.abs(xx - cx) <= r) & (np.abs(yy - cy) <= r) if shape == 'square' else (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    col = np.clip(np.array(COLOURS[colour]) + rng.integers(-20, 21, size=3), 0, 255)
    img[mask] = col
    where = 'in the centre' if place == 'centre' else f'on the {place}'
    return img.astype(np.uint8), f'a {colour} {shape} {where}'


def to_pixels(img):
    """What ViTImageProcessor does for a 32x32 input: rescale 1/255, normalise with mean/std 0.5, CHW."""
    x = torch.from_numpy(img.astype(np.float32) / 255.0).permute(2, 0, 1)
    return (x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]


def encode_text(caption):
    return [TOK[w] for w in caption.split()]


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(D, D) for _ in range(4))

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, HEADS, D // HEADS).transpose(1, 2)

    def forward(self, x, kv_source, past=None, causal=False):
        q = self.split(self.q(x))
        k, v = self.split(self.k(kv_source)), self.split(self.v(kv_source))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D // HEADS)
        if causal:
            t, total = q.shape[2], k.shape[2]
            past_len = total - t
            qpos = torch.arange(t)[:, None] + past_len
            kpos = torch.arange(total)[None, :]
            att = att.masked_fill(kpos > qpos, float('-inf'))
        y = att.softmax(-1) @ v
        b, h, t, hd = y.shape
        return self.o(y.transpose(1, 2).reshape(b, t, h * hd)), (k, v)


class EncoderBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D, eps=1e-12), nn.LayerNorm(D, eps=1e-12)
        self.attn = Attention()
        self.mlp = nn.Sequential(nn.Linear(D, MLP), nn.GELU(), nn.Linear(MLP, D))

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h)[0]
        return x + self.mlp(self.ln2(x))


class Encoder(nn.Module):
    """ViT: 8x8 patches of a 32x32 image, a CLS token, learned positions, pre-LN blocks, final LN."""

    def __init__(self):
        super().__init__()
        self.patch = nn.Conv2d(3, D, PATCH, PATCH)
        self.cls = nn.Parameter(torch.randn(1, 1, D) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, (IMG // PATCH) ** 2 + 1, D) * 0.02)
        self.blocks = nn.ModuleList(EncoderBlock() for _ in range(LAYERS))
        self.ln = nn.LayerNorm(D, eps=1e-12)

    def forward(self, pixel_values):
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        for b in self.blocks:
            x = b(x)
        return self.ln(x)


class DecoderBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.lnx, self.ln2 = (nn.LayerNorm(D, eps=1e-5) for _ in range(3))
        self.self_attn, self.cross_attn = Attention(), Attention()
        self.mlp = nn.Sequential(nn.Linear(D, MLP), nn.GELU(approximate='tanh'), nn.Linear(MLP, D))

    def forward(self, x, enc, past):
        h = self.ln1(x)
        a, present = self.self_attn(h, h, past=past, causal=True)
        x = x + a
        x = x + self.cross_attn(self.lnx(x), enc)[0]
        return x + self.mlp(self.ln2(x)), present


class Decoder(nn.Module):
    """GPT-2-style decoder with cross-attention to the encoder; tied input/output embeddings."""

    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(len(VOCAB), D)
        self.wpe = nn.Embedding(MAX_POS, D)
        self.blocks = nn.ModuleList(DecoderBlock() for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(D, eps=1e-5)

    def forward(self, input_ids, enc, pasts):
        past_len = pasts[0][0].shape[2]
        pos = torch.arange(input_ids.shape[1]) + past_len
        x = self.wte(input_ids) + self.wpe(pos)[None]
        presents = []
        for b, past in zip(self.blocks, pasts):
            x, present = b(x, enc, past)
            presents.append(present)
        return self.ln_f(x) @ self.wte.weight.t(), presents


def empty_pasts(batch):
    return [(torch.zeros(batch, HEADS, 0, D // HEADS), torch.zeros(batch, HEADS, 0, D // HEADS)) for _ in range(LAYERS)]


def batch(n, rng):
    imgs, ins, outs = [], [], []
    for _ in range(n):
        img, cap = draw(rng.choice(list(COLOURS)), rng.choice(['square', 'circle']), rng.choice(list(PLACES)), rng)
        ids = encode_text(cap)
        imgs.append(to_pixels(img))
        ins.append([BOS] + ids)
        outs.append(ids + [EOS])
    L = max(len(s) for s in ins)
    pad = lambda s, v: s + [v] * (L - len(s))
    return torch.stack(imgs), torch.tensor([pad(s, PAD) for s in ins]), torch.tensor([pad(s, -100) for s in outs])


@torch.no_grad()
def greedy(enc_model, dec_model, pixel_values, max_new_tokens=10):
    """Greedy decoding with the KV cache, one image at a time: the reference for the JS test."""
    enc = enc_model(pixel_values[None])
    ids = [BOS]
    pasts = empty_pasts(1)
    step_inputs = torch.tensor([[BOS]])
    first_logits, margins = None, []
    for _ in range(max_new_tokens):
        logits, pasts = dec_model(step_inputs, enc, pasts)
        last = logits[0, -1]
        if first_logits is None:
            first_logits = last.clone()
        top2 = last.topk(2).values
        margins.append(float(top2[0] - top2[1]))
        nxt = int(last.argmax())
        ids.append(nxt)
        if nxt == EOS:
            break
        step_inputs = torch.tensor([[nxt]])
    return ids, first_logits, min(margins), enc[0]


def main():
    enc_model, dec_model = Encoder(), Decoder()
    params = list(enc_model.parameters()) + list(dec_model.parameters())
    opt = torch.optim.Adam(params, lr=3e-3)
    rng = np.random.default_rng(0)
    steps = 1500
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    for step in range(steps):
        px, ins, outs = batch(64, rng)
        logits, _ = dec_model(ins, enc_model(px), empty_pasts(px.shape[0]))
        loss = F.cross_entropy(logits.reshape(-1, len(VOCAB)), outs.reshape(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            print(f'step {step} loss {loss.item():.4f}', flush=True)
    enc_model.eval()
    dec_model.eval()

    # Held-out accuracy of greedy captions.
    test_rng = np.random.default_rng(12345)
    correct = 0
    for _ in range(200):
        img, cap = draw(test_rng.choice(list(COLOURS)), test_rng.choice(['square', 'circle']), test_rng.choice(list(PLACES)), test_rng)
        ids, _, _, _ = greedy(enc_model, dec_model, to_pixels(img))
        correct += ' '.join(VOCAB[i] for i in ids[1:-1]) == cap
    print(f'held-out exact-caption accuracy: {correct}/200', flush=True)

    os.makedirs(os.path.join(OUT, 'onnx'), exist_ok=True)
    export(enc_model, dec_model)
    write_configs()
    write_test_cases(enc_model, dec_model)


def export(enc_model, dec_model):
    class DecoderExport(nn.Module):
        def __init__(self, dec):
            super().__init__()
            self.dec = dec

        def forward(self, input_ids, encoder_hidden_states, *flat_past):
            pasts = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(LAYERS)]
            logits, presents = self.dec(input_ids, encoder_hidden_states, pasts)
            return (logits, *[t for kv in presents for t in kv])

    px = torch.zeros(2, 3, IMG, IMG)
    torch.onnx.export(
        enc_model, (px,), os.path.join(OUT, 'onnx', 'encoder_model.onnx'),
        input_names=['pixel_values'], output_names=['last_hidden_state'],
        dynamic_axes={'pixel_values': {0: 'batch_size'}, 'last_hidden_state': {0: 'batch_size'}},
        opset_version=14, do_constant_folding=True,
    )
    past_names, present_names, axes = [], [], {
        'input_ids': {0: 'batch_size', 1: 'decoder_sequence_length'},
        'encoder_hidden_states': {0: 'batch_size', 1: 'encoder_sequence_length'},
        'logits': {0: 'batch_size', 1: 'decoder_sequence_length'},
    }
    for i in range(LAYERS):
        for kind in ('key', 'value'):
            past_names.append(f'past_key_values.{i}.{kind}')
            present_names.append(f'present.{i}.{kind}')
            axes[past_names[-1]] = {0: 'batch_size', 2: 'past_sequence_length'}
            axes[present_names[-1]] = {0: 'batch_size', 2: 'past_sequence_length + 1'}
    # Trace with a non-empty past (2 steps) so that the cache path is recorded with dynamic shapes.
    example = (torch.tensor([[5, 6], [7, 8]]), torch.zeros(2, (IMG // PATCH) ** 2 + 1, D),
               *[torch.zeros(2, HEADS, 2, D // HEADS) for _ in range(2 * LAYERS)])
    torch.onnx.export(
        DecoderExport(dec_model), example, os.path.join(OUT, 'onnx', 'decoder_model_merged.onnx'),
        input_names=['input_ids', 'encoder_hidden_states', *past_names], output_names=['logits', *present_names],
        dynamic_axes=axes, opset_version=14, do_constant_folding=True,
    )


def write_json(name, obj):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(obj, f, indent=2)
        f.write('\n')


def write_configs():
    write_json('config.json', {
        'architectures': ['VisionEncoderDecoderModel'],
        'model_type': 'vision-encoder-decoder',
        'is_encoder_decoder': True,
        'tie_word_embeddings': True,
        'decoder_start_token_id': BOS, 'bos_token_id': BOS, 'eos_token_id': EOS, 'pad_token_id': PAD,
        'encoder': {
            'model_type': 'vit', 'hidden_size': D, 'num_hidden_layers': LAYERS, 'num_attention_heads': HEADS,
            'intermediate_size': MLP, 'image_size': IMG, 'patch_size': PATCH, 'num_channels': 3,
            'layer_norm_eps': 1e-12, 'hidden_act': 'gelu',
        },
        'decoder': {
            'model_type': 'gpt2', 'n_embd': D, 'n_layer': LAYERS, 'n_head': HEADS, 'n_inner': MLP,
            'n_positions': MAX_POS, 'vocab_size': len(VOCAB), 'add_cross_attention': True, 'is_decoder': True,
            'activation_function': 'gelu_new', 'layer_norm_epsilon': 1e-5,
            'bos_token_id': BOS, 'eos_token_id': EOS, 'pad_token_id': PAD, 'decoder_start_token_id': BOS,
        },
    })
    write_json('generation_config.json', {
        'decoder_start_token_id': BOS, 'bos_token_id': BOS, 'eos_token_id': EOS, 'pad_token_id': PAD, 'max_length': 16,
    })
    write_json('preprocessor_config.json', {
        'image_processor_type': 'ViTImageProcessor', 'feature_extractor_type': 'ViTFeatureExtractor',
        'do_resize': True, 'size': {'height': IMG, 'width': IMG}, 'resample': 2,
        'do_rescale': True, 'rescale_factor': 1 / 255, 'do_normalize': True, 'image_mean': MEAN, 'image_std': STD,
    })
    added = [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True}
             for i, t in enumerate(SPECIAL)]
    write_json('tokenizer.json', {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': {'type': 'Lowercase'},
        'pre_tokenizer': {'type': 'WhitespaceSplit'},
        'post_processor': None,
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##',
                  'max_input_chars_per_word': 100, 'vocab': TOK},
    })
    write_json('tokenizer_config.json', {
        'bos_token': '[BOS]', 'eos_token': '[EOS]', 'pad_token': '[PAD]', 'unk_token': '[UNK]', 'model_max_length': MAX_POS,
        'clean_up_tokenization_spaces': True,
    })


def write_test_cases(enc_model, dec_model):
    rng = np.random.default_rng(777)
    cases = []
    specs = [('red', 'square', 'left'), ('blue', 'circle', 'right'), ('yellow', 'circle', 'centre'), ('green', 'square', 'right')]
    for k, (colour, shape, place) in enumerate(specs):
        img, truth = draw(colour, shape, place, rng)
        name = f'test-{k}.png'
        Image.fromarray(img, 'RGB').save(os.path.join(HERE, name))
        # Decode the PNG back: the reference sees exactly the bytes the JS side reads.
        img2 = np.asarray(Image.open(os.path.join(HERE, name)).convert('RGB'))
        assert (img2 == img).all()
        ids, first_logits, margin, enc = greedy(enc_model, dec_model, to_pixels(img2))
        text = ' '.join(VOCAB[i] for i in ids if i >= len(SPECIAL))
        case = {'image': name, 'truth': truth, 'token_ids': ids, 'text': text, 'min_top2_logit_margin': round(margin, 4)}
        if k == 0:
            case['step0_logits'] = [round(float(v), 6) for v in first_logits]
            case['encoder_cls'] = [round(float(v), 6) for v in enc[0]]
        cases.append(case)
        print(f'{name}: truth "{truth}" -> "{text}" ids {ids} margin {margin:.2f}')
    with open(os.path.join(HERE, 'expected.json'), 'w') as f:
        json.dump({'max_new_tokens': 10, 'cases': cases}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
