#!/usr/bin/env python3
"""Writes expected.json (ids, pieces and decoded text of every string in tricky-strings.json for every
test model, computed by the real SentencePiece: Python `sentencepiece`, the C++ library) and
expected-tokenize.json (batches through the official TIPS Tokenizer.tokenize logic). The jest
tests compare our TypeScript tokenizer with these. Run by build-models.sh."""
import json
import sentencepiece as spm

MODELS = ["unigram", "bpe", "bytefallback", "bpe-identity"]

with open("tricky-strings.json", encoding="utf-8") as f:
    texts = json.load(f)

out = {"sentencepiece_version": spm.__version__, "models": {}}
for m in MODELS:
    sp = spm.SentencePieceProcessor(model_file=f"{m}.model")
    rows = []
    for t in texts:
        ids = sp.encode(t)
        rows.append({"text": t, "ids": ids, "pieces": [sp.id_to_piece(i) for i in ids], "decoded": sp.decode(ids)})
    out["models"][m] = {"vocab_size": sp.get_piece_size(), "cases": rows}

with open("expected.json", "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write("\n")

# The official TIPS Tokenizer.tokenize (google-deepmind/tips pytorch/text_encoder.py), with
# tensorflow_text's SentencepieceTokenizer (add_bos=False, add_eos=False) replaced by the same C++
# library and tf.strings.lower (encoding '' = ASCII only) by bytes.lower() (also ASCII only).
import numpy as np


def official_tokenize(sp, texts, max_len):
    rows = [sp.encode(t.encode("utf-8").lower().decode("utf-8")) for t in texts]
    curr_len = max((len(r) for r in rows), default=0)  # RaggedTensor.to_tensor() width
    tokens = np.zeros((len(texts), curr_len), dtype=np.int64)
    for i, r in enumerate(rows):
        tokens[i, : len(r)] = r
    is_padding = np.zeros((len(texts), max_len))
    if curr_len > max_len:
        tokens = tokens[:, :max_len]
    else:
        tokens = np.pad(tokens, [[0, 0], [0, max_len - curr_len]], constant_values=0)
        is_padding = (tokens == 0).astype(np.int32)
    return tokens, is_padding


BATCHES = [
    (["a photo of a dog", "A RED Car parked near THE ROAD", "", "ÀÉÎ Zürich İstanbul"], 16),
    (["a photo of a dog", "a large red bicycle standing next to a small wooden house in the park"], 8),
    (["Ｆｕｌｌ-width ＤＯＧ", "🐶 and 한국어", "new york [MASK] <sep>"], 64),
]
tok = {}
for m in MODELS:
    sp = spm.SentencePieceProcessor(model_file=f"{m}.model")
    tok[m] = []
    for texts, max_len in BATCHES:
        ids, pad = official_tokenize(sp, texts, max_len)
        tok[m].append({"texts": texts, "max_len": max_len, "ids": ids.tolist(), "paddings": pad.astype(int).tolist()})

with open("expected-tokenize.json", "w", encoding="utf-8") as f:
    json.dump(tok, f, ensure_ascii=False)
    f.write("\n")
