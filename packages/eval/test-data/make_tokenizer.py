"""Builds test-data/scenes-tokenizer.model: a small SentencePiece unigram model (ids as the TIPS
tokenizer: pad 0, eos 1, unk 2, no bos) over the words of the built-in scenes' captions and the
prompt templates, for @tips/eval's tests (tiny text towers need a tiny vocabulary). CI does not run
this; the model is committed. Run: python3 packages/eval/test-data/make_tokenizer.py"""
import itertools
import os
import random
import tempfile

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
shapes = ['circle', 'square', 'triangle', 'star', 'hexagon', 'diamond', 'cross', 'ring', 'background']
colours = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'white', 'black', 'grey', 'beige', 'light blue', 'dark green', 'brown', 'pink', 'navy']
sizes = ['small', 'medium', 'large']
regions = ['in the upper left', 'at the top', 'in the upper right', 'on the left', 'in the center', 'on the right', 'in the lower left', 'at the bottom', 'in the lower right']
textures = ['plain', 'striped', 'checkered', 'dotted', 'grainy', 'shaded']
templates = ['a picture of mostly {} shapes', 'itap of a {}.', 'a bad photo of a {}.', 'a bad photo of the {}.', 'a origami {}.', 'a photo of the large {}.',
             'a {} in a video game.', 'art of the {}.', 'a photo of the small {}.', 'a photo of many {}.', 'a photo of {}s.']

rng = random.Random(0)
lines = [t.replace('{}', s) for t, s in itertools.product(templates, shapes)]
for _ in range(3000):
    k = rng.randint(1, 4)
    objs = [f"a {rng.choice(sizes)} {rng.choice(colours)} {rng.choice(shapes[:-1])} {rng.choice(regions)}" for _ in range(k)]
    lines.append(', '.join(objs) + f", on a {rng.choice(textures)} {rng.choice(colours)} background, partly hidden behind one, two, three, four shapes: nearest to the camera")

with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, 'corpus.txt')
    with open(corpus, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=os.path.join(tmp, 'm'), model_type='unigram', vocab_size=128,
                                   pad_id=0, eos_id=1, unk_id=2, bos_id=-1, num_threads=1, minloglevel=2)
    with open(os.path.join(tmp, 'm.model'), 'rb') as src, open(os.path.join(HERE, 'scenes-tokenizer.model'), 'wb') as dst:
        dst.write(src.read())
print('wrote', os.path.join(HERE, 'scenes-tokenizer.model'))
