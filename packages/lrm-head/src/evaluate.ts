import { join } from 'node:path';
import { turntableRig } from '@tips/data';
import type { MultiviewSet } from './dataset';
import { psnr, ssim, type ImageF32 } from './metrics';
import type { LrmModel } from './model';
import { constantImage, hstack, vstack, writePng } from './png';
import { reconstruct, renderImage } from './render-views';

export interface LrmEvalOptions {
  /** Source view of every scene (default 0); every other view is a held-out novel view. */
  sourceView?: number;
  /** Evaluate only the first N scenes. */
  maxScenes?: number;
  /** Folder for PNGs: `views/<scene>.png` (source | target, prediction per novel view) and `turntable/<scene>.png`. */
  saveDir?: string;
  /** How many scenes get PNGs (default 4). */
  saveScenes?: number;
  /** Frames of each turntable strip (default 8). */
  turntableFrames?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface MetricPair {
  psnr: number;
  ssim: number;
}

export interface LrmEvalReport {
  manifest: string;
  scenes: number;
  /** Novel views evaluated (all views but the source). */
  views: number;
  /** Mean over novel views of PSNR (dB) and SSIM. */
  model: MetricPair;
  /** Every novel view predicted as the source view's mean colour. */
  meanColorBaseline: MetricPair;
  /** Every novel view predicted as the background colour. */
  backgroundBaseline: MetricPair;
  perScene: { id: string; psnr: number; ssim: number }[];
  seconds: number;
  files: string[];
}

/**
 * Novel-view evaluation: for each scene, triplanes from the source view, a full render of every
 * other view, PSNR and SSIM (11×11 Gaussian, see metrics.ts) against the ground truth, compared with
 * the mean-colour and background baselines. PSNR is averaged per view (as LRM reports it); a view
 * rendered exactly gives +Infinity, which makes the mean infinite.
 */
export async function evaluateLrm(model: LrmModel, set: MultiviewSet, options: LrmEvalOptions = {}): Promise<LrmEvalReport> {
  const started = Date.now();
  const src = options.sourceView ?? 0;
  const n = Math.min(options.maxScenes ?? set.size, set.size);
  const saveScenes = options.saveDir ? (options.saveScenes ?? 4) : 0;
  const acc = { m: [0, 0], mc: [0, 0], bg: [0, 0], views: 0 };
  const perScene: LrmEvalReport['perScene'] = [];
  const files: string[] = [];
  const W = set.width;
  const H = set.height;
  for (let s = 0; s < n; s++) {
    const rec = set.records[s]!;
    const img = (v: number): ImageF32 => ({ width: W, height: H, data: set.images[s]![v]! });
    const recon = reconstruct(model, set.images[s]![src]!, W, H, rec.views[src]!.camera);
    const mean = set.meanColor(s, src);
    const row: ImageF32[] = [img(src)];
    let sp = 0;
    let ss = 0;
    let count = 0;
    try {
      for (let v = 0; v < rec.views.length; v++) {
        if (v === src) continue;
        const pred = renderImage(model, recon, rec.views[v]!.camera, rec.background, rec.bound);
        const gt = img(v);
        const p = psnr(pred, gt);
        const q = ssim(pred, gt);
        sp += p;
        ss += q;
        count++;
        const mc = constantImage(W, H, mean);
        const bg = constantImage(W, H, rec.background);
        acc.mc[0]! += psnr(mc, gt);
        acc.mc[1]! += ssim(mc, gt);
        acc.bg[0]! += psnr(bg, gt);
        acc.bg[1]! += ssim(bg, gt);
        if (s < saveScenes) row.push(gt, pred);
      }
      if (s < saveScenes && options.saveDir) {
        const f = join(options.saveDir, 'views', `${rec.id}.png`);
        await writePng(f, hstack(row));
        files.push(f);
        const frames = turntableRig(options.turntableFrames ?? 8, W, { elevationDeg: 20 }).map((cam) => renderImage(model, recon, cam, rec.background, rec.bound));
        const t = join(options.saveDir, 'turntable', `${rec.id}.png`);
        await writePng(t, vstack([hstack([img(src), ...frames])]));
        files.push(t);
      }
    } finally {
      recon.dispose();
    }
    acc.m[0]! += sp;
    acc.m[1]! += ss;
    acc.views += count;
    perScene.push({ id: rec.id, psnr: sp / count, ssim: ss / count });
    options.onProgress?.(s + 1, n);
  }
  const avg = (a: number[]): MetricPair => ({ psnr: a[0]! / acc.views, ssim: a[1]! / acc.views });
  return {
    manifest: set.manifest,
    scenes: n,
    views: acc.views,
    model: avg(acc.m),
    meanColorBaseline: avg(acc.mc),
    backgroundBaseline: avg(acc.bg),
    perScene,
    seconds: (Date.now() - started) / 1000,
    files,
  };
}
