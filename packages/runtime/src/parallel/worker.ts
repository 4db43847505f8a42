// Entry point of every DataParallelPool worker thread (built to dist/parallel-worker.cjs). It starts
// a tfjs backend, loads the user's gradient module, and then answers the pool's messages:
// compute (gradients of one shard into this worker's slot) and reduce (the deterministic weighted
// mean over all slots for this worker's segment, then the optional sharded update).
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { segmentOf } from './layout';
import type { GradientModule, WorkerContext } from './module-api';
import type { MainToWorker, WorkerBoot, WorkerToMain } from './protocol';
import { partsOf, reduceSegment, writeGradients } from './reduce';
import { SharedWeights } from './shared-weights';

declare const __dirname: string;

const boot = workerData as WorkerBoot;
const port = parentPort!;
const send = (m: WorkerToMain) => port.postMessage(m);

async function main(): Promise<void> {
  // The package's own CommonJS build registers tfjs-core's gradients and selects the backend.
  const runtime = (await import(pathToFileURL(join(__dirname, 'index.cjs')).href)) as { initBackend(o: { backend: string }): Promise<unknown> };
  await runtime.initBackend({ backend: boot.backend });
  const ns = (await import(pathToFileURL(boot.modulePath).href)) as GradientModule & { default?: GradientModule };
  const mod: GradientModule = typeof ns.computeGradients === 'function' ? ns : (ns.default ?? ns);
  if (typeof mod.computeGradients !== 'function') throw new Error(`${boot.modulePath} exports no computeGradients(shard, weights, ctx) function`);
  const ctx: WorkerContext = { index: boot.index, count: boot.count, init: boot.init, layout: boot.layout, backend: boot.backend };
  await mod.setup?.(ctx);

  const P = boot.layout.total;
  const weights = new SharedWeights(boot.layout, new Float32Array(boot.weights, 0, P));
  const slots = Array.from({ length: boot.count }, (_, j) => new Float32Array(boot.grads, j * P * 4, P));
  const shardWeights = new Float64Array(boot.shardWeights);

  let busy: Promise<void> = Promise.resolve();
  port.on('message', (msg: MainToWorker) => {
    busy = busy.then(() => handle(msg));
  });
  send({ type: 'ready' });

  async function handle(msg: MainToWorker): Promise<void> {
    if (msg.type === 'close') {
      weights.release();
      port.close();
      return;
    }
    const t0 = performance.now();
    try {
      if (msg.type === 'compute') {
        weights.setVersion(msg.version);
        const res = await mod.computeGradients(msg.shard, weights, ctx);
        writeGradients(boot.layout, slots[boot.index]!, res.grads);
        const weight = res.weight ?? 1;
        if (!(weight >= 0) || !Number.isFinite(weight)) throw new Error(`shard weight must be a finite number ≥ 0; got ${weight}`);
        shardWeights[boot.index] = weight;
        const metrics = { ...(res.metrics ?? {}), tensors: tf.memory().numTensors };
        send({ type: 'computed', step: msg.step, metrics, weight, ms: performance.now() - t0 });
      } else {
        const [start, end] = segmentOf(P, boot.index, boot.count);
        reduceSegment(slots, shardWeights, start, end);
        if (msg.update && end > start) {
          if (!mod.applyUpdate) throw new Error(`${boot.modulePath} exports no applyUpdate(segment, ctx); step(…, { update: true }) needs it`);
          await mod.applyUpdate(
            { start, end, weights: new Float32Array(boot.weights, start * 4, end - start), grads: slots[0]!.subarray(start, end), parts: partsOf(boot.layout, start, end), step: msg.step },
            ctx,
          );
        }
        send({ type: 'reduced', step: msg.step, ms: performance.now() - t0 });
      }
    } catch (e) {
      const err = e as Error;
      send({ type: 'error', step: msg.step, phase: msg.type, message: err?.message ?? String(e), stack: err?.stack });
    }
  }
}

main().catch((e: Error) => {
  send({ type: 'error', step: 0, phase: 'setup', message: e?.message ?? String(e), stack: e?.stack });
});
