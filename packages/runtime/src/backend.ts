import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './errors';
import { loadModule } from './load-module';

/** What a user can ask for. `auto` tries them in the order tfjs-node-gpu → tfjs-node → wasm → cpu. */
export type BackendChoice = 'auto' | 'node-gpu' | 'node' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The choice that is active. */
  choice: Exclude<BackendChoice, 'auto'>;
  /** tfjs's name of the registered backend ('tensorflow', 'wasm' or 'cpu'). */
  tfBackend: string;
  /** The npm package that provides it. */
  package: string;
  /** Choices tried before this one, with why each failed. */
  skipped: { choice: string; reason: string }[];
}

const PACKAGES: Record<Exclude<BackendChoice, 'auto'>, string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};
const TF_NAMES: Record<Exclude<BackendChoice, 'auto'>, string> = {
  'node-gpu': 'tensorflow',
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};
const ORDER: Exclude<BackendChoice, 'auto'>[] = ['node-gpu', 'node', 'wasm', 'cpu'];

const ALIASES: Record<string, BackendChoice> = {
  auto: 'auto',
  'node-gpu': 'node-gpu',
  'tfjs-node-gpu': 'node-gpu',
  gpu: 'node-gpu',
  node: 'node',
  'tfjs-node': 'node',
  tensorflow: 'node',
  wasm: 'wasm',
  cpu: 'cpu',
};

let active: BackendInfo | null = null;

/** Parses a backend name as a user writes it (`TIPS_BACKEND=wasm`, `--backend node`). */
export function parseBackendChoice(text: string): BackendChoice {
  const c = ALIASES[text.trim().toLowerCase()];
  if (!c) throw new BackendError(`unknown backend '${text}'; use one of auto, node-gpu, node, wasm, cpu`);
  return c;
}

async function tryOne(choice: Exclude<BackendChoice, 'auto'>): Promise<void> {
  await loadModule(PACKAGES[choice]);
  const name = TF_NAMES[choice];
  if (!tf.findBackendFactory(name)) throw new Error(`${PACKAGES[choice]} loaded but registered no '${name}' backend`);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

/**
 * Selects and initialises the tfjs backend. Order of precedence: `options.backend`, then the
 * `TIPS_BACKEND` environment variable, then `auto` (tfjs-node-gpu → tfjs-node → wasm → cpu;
 * the native ones are optional installs). An explicit choice that cannot start is an error; `auto`
 * moves on to the next one.
 */
export async function initBackend(options: { backend?: BackendChoice | string } = {}): Promise<BackendInfo> {
  const requested = parseBackendChoice(options.backend ?? (typeof process !== 'undefined' ? process.env.TIPS_BACKEND : undefined) ?? 'auto');
  const candidates = requested === 'auto' ? ORDER : [requested];
  const skipped: BackendInfo['skipped'] = [];
  for (const choice of candidates) {
    if (active && active.choice === choice && tf.getBackend() === TF_NAMES[choice]) return active;
    try {
      await tryOne(choice);
      active = { choice, tfBackend: TF_NAMES[choice], package: PACKAGES[choice], skipped };
      return active;
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0] ?? String(e);
      skipped.push({ choice, reason });
      if (requested !== 'auto') {
        throw new BackendError(
          `backend '${choice}' could not start (${reason}). Install ${PACKAGES[choice]} or choose another with TIPS_BACKEND=wasm`,
          { cause: e },
        );
      }
    }
  }
  throw new BackendError(`no tfjs backend could start: ${skipped.map((s) => `${s.choice}: ${s.reason}`).join('; ')}`);
}

/** The backend chosen by the last initBackend call, or null. */
export function activeBackend(): BackendInfo | null {
  return active;
}

/** One line for logs: `backend wasm (@tensorflow/tfjs-backend-wasm)`. */
export function describeBackend(info: BackendInfo | null = active): string {
  if (!info) return `backend ${tf.getBackend() ?? 'none'} (not selected through @tips/runtime)`;
  return `backend ${info.choice} (${info.package})`;
}
