import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '@tips/runtime';
import { compareHeadline, headlineTable } from './headline';
import { principalComponents, pcaRgb } from './pca';
import { readRunCurves } from './run-log';
import { panelGrid, enlargeNearest } from './panels';
import { colouriseDepth, viridis } from './colours';
import { renderVegaLite } from './vega-render';
import { curvesSpec } from './charts';

describe('report pieces', () => {
  it('headline table and comparison with a baseline follow each metric\'s direction', () => {
    const model = { segMiou: 0.5, depthRmse: 1.2, i2tR1: 0.1 };
    const base = { segMiou: 0.3, depthRmse: 1.0, i2tR1: 0.1 };
    expect(compareHeadline(model, base)).toEqual({ better: ['segMiou'], notBetter: ['depthRmse', 'i2tR1'] });
    const t = headlineTable([{ name: 'a', metrics: model }, { name: 'b', metrics: { segMiou: NaN } }]);
    expect(t.split('\n')).toEqual(['| Run | Seg mIoU ↑ | Depth RMSE ↓ | I→T R@1 ↑ |', '|---|---:|---:|---:|', '| a | 50.0 | 1.200 | 10.0 |', '| b | n/a | – | – |']);
  });

  it('PCA finds the directions of largest variance; the RGB mapping is TIPS\'s (unit 3-vector · ½ + ½)', () => {
    const rng = new Rng(3);
    const dim = 6;
    const n = 400;
    const x = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const s = [10, 3, 1, 0.1, 0.1, 0.1];
      for (let d = 0; d < dim; d++) x[i * dim + d] = 5 + s[d]! * rng.normal();
    }
    const { mean, components } = principalComponents(x, dim, 3);
    for (let c = 0; c < 3; c++) expect(components[c * dim + c]).toBeGreaterThan(0.99); // e1, e2, e3, signs positive
    expect(mean[0]).toBeCloseTo(5, 0);
    const rgb = pcaRgb(x, dim);
    // A point far along +e1 maps to red ≈ 255, green and blue ≈ 128.
    const probe = new Float32Array(x);
    probe.set([5 + 30, 5, 5, 5, 5, 5], 0);
    const rgb2 = pcaRgb(probe, dim);
    expect(rgb2[0]).toBeGreaterThan(250);
    expect(Math.abs(rgb2[1]! - 128)).toBeLessThan(10);
    expect(rgb.length).toBe(n * 3);
  });

  it('reads a run\'s metrics.jsonl: records and terms, events skipped, a torn last line tolerated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runlog-'));
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, `${JSON.stringify({ step: 1, loss: 2, terms: { a: 1.5, b: 0.5 } })}\n${JSON.stringify({ event: 'checkpoint', step: 1 })}\n{"step": 2, "lo`);
    expect(await readRunCurves(path)).toEqual([
      { step: 1, series: 'total', value: 2 },
      { step: 1, series: 'a', value: 1.5 },
      { step: 1, series: 'b', value: 0.5 },
    ]);
    writeFileSync(path, `nonsense\n${JSON.stringify({ step: 1, loss: 2 })}\n${JSON.stringify({ step: 2, loss: 1 })}\n`);
    await expect(readRunCurves(path)).rejects.toThrow(/line 1 is not JSON/);
  });

  it('panels: grid geometry, nearest enlargement and depth colours', async () => {
    const p = enlargeNearest(Uint8Array.from([255, 0, 0, 0, 0, 255]), 2, 1, 4, 2);
    expect(Array.from(p.rgb.subarray(0, 12))).toEqual([255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]);
    const png = await panelGrid([[p, p], [p, p]], ['a', 'b'], 2);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([2 * 4 + 3 * 2, 24 + 2 * 2 + 3 * 2]);
    expect(Array.from(colouriseDepth([0, 1, 3], 1, 3))).toEqual([0, 0, 0, ...viridis(1), ...viridis(0)]);
  });

  it('renders a Vega-Lite chart offline to SVG and a PNG that sharp decodes', async () => {
    const { svg, png } = await renderVegaLite(curvesSpec([{ step: 1, series: 'x', value: 2 }, { step: 2, series: 'x', value: 1 }], 'test'), 1);
    expect(svg.startsWith('<svg')).toBe(true);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(500);
  });
});
