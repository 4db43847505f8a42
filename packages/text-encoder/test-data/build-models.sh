#!/bin/sh
# Rebuilds the small SentencePiece models used by the tokenizer tests, with Debian's spm_train
# (package `sentencepiece`), and the reference ids computed by the real SentencePiece (Python
# `sentencepiece`). CI does not run this: the outputs are committed. Run from anywhere:
#   sh packages/text-encoder/test-data/build-models.sh
set -eu
# PYTHON: an interpreter with the `sentencepiece` module (default python3).
cd "$(dirname "$0")"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PY=${PYTHON:-python3}
$PY make_corpus.py "$TMP/corpus.txt"
common="--input=$TMP/corpus.txt --num_threads=1 --random_seed=7 --minloglevel=2"

# 1. Unigram, default nmt_nfkc normaliser, ids like the TIPS tokenizer (pad 0, eos 1, unk 2, no bos),
#    with user-defined and control symbols.
spm_train $common --model_prefix="$TMP/unigram" --model_type=unigram --vocab_size=480 \
  --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1 \
  --user_defined_symbols='<sep>,[MASK],new york' --control_symbols='<ctl>'
# 2. BPE, default nmt_nfkc normaliser, default special ids (unk 0, bos 1, eos 2, no pad).
spm_train $common --model_prefix="$TMP/bpe" --model_type=bpe --vocab_size=400
# 3. Unigram with byte fallback: characters outside the vocabulary become <0xXX> byte pieces.
spm_train $common --model_prefix="$TMP/bytefallback" --model_type=unigram --vocab_size=500 \
  --byte_fallback=true --character_coverage=0.99
# 4. BPE with the identity normaliser, no dummy prefix, whitespace kept as is.
spm_train $common --model_prefix="$TMP/bpe-identity" --model_type=bpe --vocab_size=300 \
  --normalization_rule_name=identity --add_dummy_prefix=false --remove_extra_whitespaces=false

for m in unigram bpe bytefallback bpe-identity; do cp "$TMP/$m.model" "./$m.model"; done
$PY expected_ids.py
