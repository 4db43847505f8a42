import { readFile } from 'node:fs/promises';
import { ReportError } from '../errors';
import type { CurvePoint } from './charts';

/**
 * Reads a training run's `metrics.jsonl` (@tips/trainer's log: one record per step with `loss` and
 * `terms`, plus `event` lines) into curve points: the total loss and every loss term per step.
 */
export async function readRunCurves(path: string): Promise<CurvePoint[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ReportError(`${path}: cannot read the run's metrics (${(e as NodeJS.ErrnoException).code ?? e}); pass the run folder that holds metrics.jsonl`, { cause: e });
  }
  const points: CurvePoint[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const t = line.trim();
    if (!t) return;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(t) as Record<string, unknown>;
    } catch {
      // A run killed mid-write leaves a partial last line: skip it, refuse anything else.
      if (i >= lines.length - 2) return;
      throw new ReportError(`${path} line ${i + 1} is not JSON`);
    }
    if (r.event !== undefined || typeof r.step !== 'number') return;
    if (typeof r.loss === 'number' && Number.isFinite(r.loss)) points.push({ step: r.step, series: 'total', value: r.loss });
    const terms = (r.terms ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(terms)) if (typeof v === 'number' && Number.isFinite(v)) points.push({ step: r.step, series: k, value: v });
  });
  return points;
}
