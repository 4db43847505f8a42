import { Rng } from '@tips/runtime';
import { randomPatchMask } from '@tips/losses';
import type { TipsBatch, TokenizedText } from '@tips/data';
import type { TipsConfig } from '../tips/config';

/**
 * A seeded batch in @tips/data's TipsBatch layout with the sizes of a config (benchmarks, tests):
 * uniform pixels for the global and local crops, captions of random lengths (4 … maxLen tokens, ids
 * in [1, vocabSize), the rest padding), and the loader's random patch masks (the config's ratio range
 * and probability). The same seed gives the same batch.
 */
export function syntheticTipsBatch(config: TipsConfig, vocabSize: number, seed = 1): TipsBatch {
  const r = new Rng(seed);
  const d = config.data;
  const B = d.batchSize;
  const L = config.model.text.maxLen;
  const S = d.globalSize;
  const s = d.localSize;
  const M = Math.max(d.localCount, config.objective.distill.enabled ? 1 : 0);
  const N = (S / 14) ** 2;
  const tokens = (): TokenizedText => {
    const ids = new Int32Array(B * L);
    const paddings = new Float32Array(B * L);
    for (let b = 0; b < B; b++) {
      const len = Math.min(L, 4 + r.int(Math.max(1, L - 3)));
      for (let i = 0; i < L; i++) {
        if (i < len) ids[b * L + i] = 1 + r.int(vocabSize - 1);
        else paddings[b * L + i] = 1;
      }
    }
    return { ids, paddings, shape: [B, L] };
  };
  const mim = config.objective.mim;
  const batch: TipsBatch = {
    size: B,
    epoch: 0,
    position: { epoch: 0, index: B },
    ids: Array.from({ length: B }, (_, i) => i),
    labels: new Int32Array(B).fill(-1),
    global: { data: r.fill(new Float32Array(B * S * S * 3), (g) => g.uniform()), shape: [B, S, S, 3] },
    locals: { data: r.fill(new Float32Array(M * B * s * s * 3), (g) => g.uniform()), shape: [M, B, s, s, 3] },
    webCaptions: [],
    syntheticCaptions: [],
    webTokens: tokens(),
    syntheticTokens: tokens(),
  };
  if (mim.enabled) {
    const mask = randomPatchMask({ batch: B, numPatches: N, ratio: mim.maskRatio, probability: mim.maskProbability, random: () => r.uniform() });
    batch.mask = { data: mask, shape: [B, N] };
  }
  return batch;
}
