import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingStore, runEmbedJob, runLanguageFilter, runSimilarityFilter, runDedup, selectByRetrieval } from '@tips/curate';

const dir = mkdtempSync(join(tmpdir(), 'curate-'));
const captions = ['a red car parked on the street', 'un perro en la playa', 'a dog on the beach', 'sunset over the mountains'];
writeFileSync(join(dir, 'pool.jsonl'), captions.map((c, i) => (writeFileSync(join(dir, `${i}.png`), ''), JSON.stringify({ id: `r${i}`, image: `${i}.png`, web_caption: c }))).join('\n'));

// Any Embedder works; SdkEmbedder.load({ vision, text }) embeds with a TIPS checkpoint.
const hash = (s) => { let h = 7; for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0; return h; };
const vec = (s) => { const v = Float32Array.from({ length: 8 }, (_, i) => ((hash(s) >> i) & 7) + 1); const n = Math.hypot(...v); return v.map((x) => x / n); };
const embedder = { dim: 8, name: 'toy', embedImages: async (ps) => ps.map((p) => ({ cls1: vec(p), cls2: vec(p) })), embedTexts: async (ts) => ts.map(vec) };

const db = join(dir, 'lancedb');
console.log(await runEmbedJob({ manifest: join(dir, 'pool.jsonl'), db, embedder, batchSize: 2 })); // re-run: skips what is stored
console.log(await runLanguageFilter({ manifest: join(dir, 'pool.jsonl'), out: join(dir, 'english.jsonl') }));
console.log(await runSimilarityFilter({ manifest: join(dir, 'english.jsonl'), db, out: join(dir, 'aligned.jsonl'), topFraction: 0.5 }));
console.log(await runDedup({ manifest: join(dir, 'english.jsonl'), db, out: join(dir, 'dedup.jsonl'), within: 0.95 }));
const store = await EmbeddingStore.openExisting(db);
console.log((await selectByRetrieval(store, [vec('a dog')], 2)).ids);
