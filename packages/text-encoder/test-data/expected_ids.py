#!/usr/bin/env python3
"""Writes expected.json: ids, pieces and decoded text of every string in tricky-strings.json for every
test model, computed by the real SentencePiece (Python `sentencepiece`, the C++ library). The jest
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
