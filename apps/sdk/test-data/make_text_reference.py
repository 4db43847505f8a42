#!/usr/bin/python3
"""Test data for the SDK's text path (run with Debian's python3: numpy, torch 1.13, sentencepiece).

1. Trains a tiny SentencePiece unigram model (vocab 100, pad 0, unk 1, no BOS/EOS: the TIPS layout)
   on a small built-in corpus -> tiny-spm.model.
2. Tokenizes some texts as the official Tokenizer does (lower-case, encode, pad 0 / truncate to 64,
   paddings = ids == 0), with the reference SentencePiece library.
3. Runs the official PyTorch TextEncoder (google-deepmind/tips pytorch/text_encoder.py, read from the
   local mirror) with the fixture weights ../../../../shared/fixtures/official-tiny/tiny_text.npz
   (hidden 32, mlp 64, heads 2, layers 2, vocab 100) on each text alone -> text-reference.json.

Usage: /usr/bin/python3 make_text_reference.py [path/to/tips/mirror/git-dir]
"""
import json
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import sentencepiece as spm
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.environ.get('TIPS_FIXTURES', os.path.join(HERE, '..', '..', '..', '..', 'shared', 'fixtures'))
MIRROR = sys.argv[1] if len(sys.argv) > 1 else '/work/.mirror/google-deepmind+tips/repo'

CORPUS = [
    'a photo of a cat.', 'a photo of a dog.', 'two cows standing in a green field.', 'a red car parked on the street.',
    'an astronaut riding a horse on the moon.', 'a bowl of fruit on a wooden table.', 'the city at night with bright lights.',
    'a small boat on a calm lake.', 'children playing football in the park.', 'a mountain covered with snow.',
    'a cup of coffee next to a laptop.', 'birds flying over the sea at sunset.', 'a toy dinosaur on the floor.',
    'a streetview image of a fastfood restaurant.', 'holidays at the beach with friends.', 'a ship in the harbour.',
] * 20

TEXTS = [
    'a photo of a cat.',
    'A Dog',
    'two cows on a field',
    'Streetview of a restaurant',
    # Longer than 64 tokens with this tiny vocabulary: truncated, no padding.
    'an astronaut riding a horse on the moon while children play football in the park next to a calm lake at sunset with birds',
]


def _squeeze_compat():
    # torch 1.13 (Debian's) has no torch.squeeze(x, axis=[dims]) (torch >= 2.0 does), which the official
    # GlobalAvgPooling calls; squeeze the listed dims one at a time instead (same result).
    original = torch.squeeze

    def squeeze(x, *args, axis=None, dim=None, **kwargs):
        dims = axis if axis is not None else dim
        if isinstance(dims, (list, tuple)):
            for d in sorted(dims, reverse=True):
                x = original(x, d)
            return x
        return original(x, *args, **kwargs) if dims is None else original(x, dims)

    torch.squeeze = squeeze


def load_official_text_encoder():
    _squeeze_compat()
    # text_encoder.py imports tensorflow / tensorflow_text for its Tokenizer class only: stub them.
    sys.modules.setdefault('tensorflow', types.ModuleType('tensorflow'))
    sys.modules.setdefault('tensorflow_text', types.ModuleType('tensorflow_text'))
    src = subprocess.check_output(['git', '-C', MIRROR, 'show', 'HEAD:pytorch/text_encoder.py'])
    tmp = tempfile.mkdtemp()
    with open(os.path.join(tmp, 'official_text_encoder.py'), 'wb') as f:
        f.write(src)
    sys.path.insert(0, tmp)
    import official_text_encoder  # noqa: E402
    return official_text_encoder


def main():
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, 'corpus.txt')
        with open(corpus, 'w') as f:
            f.write('\n'.join(CORPUS))
        spm.SentencePieceTrainer.train(
            input=corpus, model_prefix=os.path.join(tmp, 'tiny'), vocab_size=100, model_type='unigram',
            character_coverage=1.0, pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, hard_vocab_limit=True,
            num_threads=1, seed_sentencepiece_size=1000, minloglevel=2,
            normalization_rule_name='identity')  # keeps the file small; the charsmap is text-encoder's to test
        with open(os.path.join(tmp, 'tiny.model'), 'rb') as f:
            model_bytes = f.read()
    with open(os.path.join(HERE, 'tiny-spm.model'), 'wb') as f:
        f.write(model_bytes)
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)

    te = load_official_text_encoder()
    weights = dict(np.load(os.path.join(FIXTURES, 'official-tiny', 'tiny_text.npz')))
    model = te.TextEncoder({'hidden_size': 32, 'mlp_dim': 64, 'num_heads': 2, 'num_layers': 2}, vocab_size=100)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    model.eval()

    rows = []
    for text in TEXTS:
        # The official Tokenizer.tokenize for a batch of one: lower-case, encode, pad/truncate to 64.
        ids = sp.encode(text.lower())
        if len(ids) > 64:
            tokens = np.array([ids[:64]], dtype=np.int64)
            paddings = np.zeros((1, 64), dtype=np.int64)
        else:
            tokens = np.array([ids + [0] * (64 - len(ids))], dtype=np.int64)
            paddings = (tokens == 0).astype(np.int64)
        with torch.no_grad():
            emb = model(torch.from_numpy(tokens), torch.from_numpy(paddings)).numpy()[0]
        rows.append({'text': text, 'ids': tokens[0].tolist(), 'length': len(ids), 'embedding': [float(x) for x in emb]})
    with open(os.path.join(HERE, 'text-reference.json'), 'w') as f:
        json.dump({'source': 'official pytorch/text_encoder.py + tiny_text.npz; make_text_reference.py', 'rows': rows}, f, indent=1)
    print('wrote tiny-spm.model and text-reference.json', [r['length'] for r in rows])


if __name__ == '__main__':
    main()
