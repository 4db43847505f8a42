import * as tf from '@tensorflow/tfjs-core';
import { initBackend, TipsError } from '@tips/runtime';
import { loadTextCheckpoint, SentencePieceTokenizer } from '@tips/text-encoder';
import { l2NormaliseRows } from '../io/output';

/** `tips embed --text CKPT --tokenizer tokenizer.model [--variant S] "text" ...`: L2-normalised text embeddings as JSON. */
export async function embedTexts(opts: { text?: string; tokenizer?: string; variant?: string; config?: string; texts: string[] }, backend?: string): Promise<void> {
  if (!opts.tokenizer) throw new TipsError('EMBED_USAGE', '--text needs --tokenizer PATH (the SentencePiece tokenizer.model)');
  if (!opts.texts.length) throw new TipsError('EMBED_USAGE', 'give the texts to embed as arguments, e.g. tips embed --text t.npz --tokenizer tokenizer.model "a photo of a dog"');
  await initBackend({ backend });
  const tokenizer = await SentencePieceTokenizer.load(opts.tokenizer);
  const model = await loadTextCheckpoint(opts.text!, { variant: opts.variant, config: opts.config ? JSON.parse(opts.config) : undefined, trainable: false });
  const t = tokenizer.tokenize(opts.texts, model.config.maxLen);
  const ids = tf.tensor2d(t.ids, t.shape, 'int32');
  const paddings = tf.tensor2d(t.paddings, t.shape);
  const out = model.forward(ids, paddings);
  const D = model.config.hiddenSize;
  const values = l2NormaliseRows(out.dataSync() as Float32Array, D);
  tf.dispose([ids, paddings, out]);
  model.dispose();
  const records = opts.texts.map((text, i) => ({ text, embedding: Array.from(values.subarray(i * D, (i + 1) * D)) }));
  process.stdout.write(`${JSON.stringify(records.length === 1 ? records[0] : records)}\n`);
}
