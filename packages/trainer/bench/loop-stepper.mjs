// Drives the real training loop (train() of @tips/trainer) one step at a time, so that a benchmark
// harness can time exactly one optimiser update per call: the data source hands the loop its next
// batch only when step() is called, and step() resolves when the loop reports the finished update.
// The run stops after `steps` updates without a final checkpoint (stopAfter < steps).

/**
 * { step(): Promise<StepRecord>, finish(): Promise<void>, records } over train() with a fixed batch.
 * `trainer` is the imported @tips/trainer module; `trainable`/`gradients` as train() takes them.
 */
export function loopStepper({ trainer, config, batch, outDir, trainable, gradients, steps }) {
  let permits = 0;
  let wake = null;
  let resolveStep = null;
  let rejectStep = null;
  const records = [];
  const data = {
    imagesPerBatch: batch.size,
    async *batches(from) {
      let i = from?.i ?? 0;
      for (;;) {
        if (permits === 0) await new Promise((r) => (wake = r));
        permits--;
        yield { batch, next: { i: ++i } };
      }
    },
  };
  const done = trainer
    .train({
      trainable,
      gradients,
      data,
      ...trainer.optimOptionsOf(config),
      steps: steps + 1,
      stopAfter: steps,
      outDir,
      checkpointEvery: 0,
      progress: false,
      onStep: (r) => {
        records.push(r);
        resolveStep?.(r);
      },
    })
    .catch((e) => {
      rejectStep?.(e);
      throw e;
    });
  done.catch(() => {});
  return {
    records,
    step() {
      return new Promise((res, rej) => {
        resolveStep = res;
        rejectStep = rej;
        permits++;
        if (wake) {
          const w = wake;
          wake = null;
          w();
        }
      });
    },
    finish: () => done,
  };
}
