#!/usr/bin/env node
// Trains the default SentencePiece tokenizer of the built-in spatial scenes and writes
// assets/scenes-tokenizer.model (committed: CI has no spm_train).
//
//   npm run build -w @tips/data && node packages/data/scripts/train-scenes-tokenizer.mjs [scenes=4000]
//
// Corpus: the web caption and the three synthetic captions of `scenes` scenes drawn from their own
// stream (seed 'tokenizer', split 'tokenizer': no train/eval scene is used), lower-cased as the TIPS
// tokenizer lower-cases its input. TIPS id conventions: pad = 0, unk = 1, no BOS/EOS; digits split.
// Needs Debian's sentencepiece (`apt-get install sentencepiece`: /usr/bin/spm_train, 0.1.97 here).
//
// Model type BPE, not unigram: the unigram trainer takes its seed pieces from a suffix array over the
// *distinct* words, ignoring their frequency (google/sentencepiece issue #967), so on this small,
// very repetitive corpus frequent short words ("the", "blue", "large") never become pieces: a
// detailed caption then needs ~140 tokens, over the 64 the text tower reads. BPE merges by frequency
// and gives whole-word pieces (longest caption ≤ 64 tokens). The corpus supports ~700 pieces; the
// requested 1000 is an upper bound (hard_vocab_limit=false).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderScene } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const scenes = Number(process.argv[2] ?? 4000);
const lines = [];
const t0 = Date.now();
for (let i = 0; i < scenes; i++) {
  const s = renderScene('tokenizer', 'tokenizer', i);
  lines.push(s.webCaption.toLowerCase(), ...s.syntheticCaptions.map((c) => c.toLowerCase()));
  if ((i + 1) % 500 === 0) process.stderr.write(`captions of ${i + 1}/${scenes} scenes (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}
const tmp = mkdtempSync(join(tmpdir(), 'spm-'));
try {
  const corpus = join(tmp, 'corpus.txt');
  writeFileSync(corpus, lines.join('\n') + '\n');
  const prefix = join(tmp, 'scenes-tokenizer');
  execFileSync('/usr/bin/spm_train', [
    `--input=${corpus}`,
    `--model_prefix=${prefix}`,
    '--model_type=bpe',
    '--vocab_size=1000',
    '--hard_vocab_limit=false',
    '--split_digits=true',
    '--character_coverage=1.0',
    '--pad_id=0',
    '--unk_id=1',
    '--bos_id=-1',
    '--eos_id=-1',
    '--num_threads=2',
    '--input_sentence_size=1000000',
    '--shuffle_input_sentence=false',
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  copyFileSync(`${prefix}.model`, join(here, '..', 'assets', 'scenes-tokenizer.model'));
  process.stderr.write(`wrote assets/scenes-tokenizer.model from ${lines.length} captions\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
