import { loadTextWeights } from '../checkpoint/text';
import { loadOrt, type OrtRuntime } from '../ort/runtime';
import { f32, maxAbsDiff, officialTiny, readIo } from '../test-utils';
import { summarizeModel } from './proto';
import { buildTextGraph } from './text-graph';

// Parity of the exported text tower with the official PyTorch outputs (fixtures/official-tiny/tiny_text*).
const TOL = 1e-4;

function int64(ids: ArrayLike<number | bigint>): BigInt64Array {
  return BigInt64Array.from(Array.from(ids, (v) => BigInt(v)));
}

describe.each(['node', 'web'] as const)('text tower ONNX vs official fixtures on onnxruntime-%s', (backend) => {
  let rt: OrtRuntime;
  beforeAll(async () => {
    rt = await loadOrt({ backend });
  });

  test('tiny: 3 rows (one token, no padding, several tokens), full 64 and trimmed lengths', async () => {
    const { weights, config } = await loadTextWeights(officialTiny('tiny_text.npz'), { heads: 2 });
    const io = await readIo(officialTiny('tiny_text_io.npz'));
    const session = await rt.ort.InferenceSession.create(buildTextGraph(weights, config), rt.sessionOptions);
    try {
      const ids = io.ids!.data as BigInt64Array;
      const pads = f32(io.paddings);
      const expected = f32(io.embedding);
      const full = await session.run({
        ids: new rt.ort.Tensor('int64', int64(ids), [3, 64]),
        paddings: new rt.ort.Tensor('float32', pads, [3, 64]),
      });
      expect(full.embedding!.dims).toEqual([3, 32]);
      expect(maxAbsDiff(full.embedding!.data as Float32Array, expected)).toBeLessThan(TOL);
      // Rows 0 and 2 alone, trimmed to 5 tokens: padded keys are ignored, so the result is the same.
      const rows = [0, 2];
      const L = 5;
      const tIds = new BigInt64Array(rows.length * L);
      const tPads = new Float32Array(rows.length * L);
      rows.forEach((r, k) => {
        for (let j = 0; j < L; j++) {
          tIds[k * L + j] = ids[r * 64 + j]!;
          tPads[k * L + j] = pads[r * 64 + j]!;
        }
      });
      const trimmed = await session.run({
        ids: new rt.ort.Tensor('int64', tIds, [2, L]),
        paddings: new rt.ort.Tensor('float32', tPads, [2, L]),
      });
      const got = trimmed.embedding!.data as Float32Array;
      expect(maxAbsDiff(got.subarray(0, 32), expected.subarray(0, 32))).toBeLessThan(TOL);
      expect(maxAbsDiff(got.subarray(32, 64), expected.subarray(64, 96))).toBeLessThan(TOL);
    } finally {
      await session.release();
    }
  });
});

test('the text graph keeps the temperature and a dynamic sequence length', async () => {
  const { weights, config } = await loadTextWeights(officialTiny('tiny_text.npz'), { heads: 2 });
  const s = summarizeModel(buildTextGraph(weights, config, { temperature: 0.01 }));
  expect(s.inputs).toEqual([
    { name: 'ids', elemType: 7, dims: ['batch', 'seq'] },
    { name: 'paddings', elemType: 1, dims: ['batch', 'seq'] },
  ]);
  expect(s.outputs).toEqual([{ name: 'embedding', elemType: 1, dims: ['batch', 32] }]);
  expect(s.metadata['tips.temperature']).toBe('0.01');
  expect(s.metadata['tips.kind']).toBe('text');
});
