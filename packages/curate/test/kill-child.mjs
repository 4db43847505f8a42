// Child process for store.test.ts: embeds a manifest slowly, printing each committed batch, until the
// parent kills it with SIGKILL. Uses the built package, as a user's job would.
import { runEmbedJob } from '@tips/curate';

const [manifest, db] = process.argv.slice(2);
const vec = (s) => {
  let h = 7;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const v = Float32Array.from({ length: 4 }, (_, i) => ((h >> (i * 4)) & 15) + 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const embedder = {
  dim: 4,
  name: 'slow-fake',
  embedImages: async (ps) => (await sleep(40), ps.map((p) => ({ cls1: vec(p), cls2: vec(`2${p}`) }))),
  embedTexts: async (ts) => ts.map((t) => vec(`t${t}`)),
};
await runEmbedJob({ manifest, db, embedder, batchSize: 3, onBatch: (b) => process.stdout.write(`committed ${b.committed}\n`) });
process.stdout.write('finished\n');
