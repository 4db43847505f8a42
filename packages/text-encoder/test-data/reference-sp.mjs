// Reference tokenizer for the tests: the real SentencePiece (C++ compiled to wasm by
// @sctg/sentencepiece-js, a devDependency). Reads {"model": path, "texts": [...], "decode": [[ids]...]}
// as JSON on stdin; prints {"version", "ids": [[...]], "decoded": [...]} on stdout.
import { readFileSync } from 'node:fs';
import { SentencePieceProcessor } from '@sctg/sentencepiece-js';

const input = JSON.parse(readFileSync(0, 'utf8'));
const sp = new SentencePieceProcessor();
await sp.loadFromB64StringModel(readFileSync(input.model).toString('base64'));
const ids = input.texts.map((t) => Array.from(sp.encodeIds(t)));
const decoded = (input.decode ?? []).map((row) => sp.decodeIds(Int32Array.from(row)));
process.stdout.write(JSON.stringify({ ids, decoded }));
