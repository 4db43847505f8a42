/**
 * Loader worker thread (built to dist/worker.cjs): receives SampleTasks, answers SampleResults with
 * their pixel buffers transferred. An unexpected error is sent back as `{ jobId, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { processSample, transferList, type SampleTask } from './process-sample';

if (!parentPort) throw new Error('@tips/data worker.cjs must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { jobId: number; task: SampleTask }) => {
  processSample(msg.task).then(
    (result) => port.postMessage({ jobId: msg.jobId, result }, transferList(result)),
    (e: unknown) => port.postMessage({ jobId: msg.jobId, error: { message: (e as Error)?.message ?? String(e), name: (e as Error)?.name, code: (e as { code?: string })?.code } }),
  );
});
