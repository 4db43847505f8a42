import { compareHeadline, formatMetric, headlineTable, HEADLINE_COLUMNS } from './headline';
import type { EvalReport } from './types';

const pct = (v: number | undefined) => formatMetric(v, true);

function iouTable(title: string, iou: Record<string, number | null>): string[] {
  const names = Object.keys(iou);
  return [`**${title}** per-class IoU:`, '', `| ${names.join(' | ')} |`, `|${names.map(() => '---:').join('|')}|`, `| ${names.map((n) => (iou[n] === null ? '–' : pct(iou[n]!))).join(' | ')} |`, ''];
}

/** The report as markdown: headline table, per-task details, protocol notes, figures. */
export function renderMarkdown(r: EvalReport, figures: { file: string; caption: string }[]): string {
  const m = r.metrics;
  const out: string[] = [];
  out.push('# TIPS evaluation report', '');
  out.push(`Frozen-feature evaluation written by \`@tips/eval\` on ${r.createdAt} in ${r.seconds.toFixed(1)} s (${r.backend}).`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Model | ${r.model.source ? `\`${r.model.source}\`, ` : ''}image tower ${r.model.vision.embedDim}-d × ${r.model.vision.depth} blocks (${(r.model.vision.parameters / 1e6).toFixed(2)} M params)${r.model.text ? `, text tower ${r.model.text.hiddenSize}-d × ${r.model.text.layers} (${(r.model.text.parameters / 1e6).toFixed(2)} M)` : ', no text tower'} |`);
  out.push(`| Test data | \`${r.data.test.manifest}\` (${r.data.test.images} images) |`);
  out.push(`| Train data | ${r.data.train ? `\`${r.data.train.manifest}\` (${r.data.train.images} images)` : '–'} |`);
  out.push(`| Image size | ${r.data.imageSize[0]}×${r.data.imageSize[1]} |`);
  out.push(`| Global embedding | ${r.settings.embedding} |`);
  out.push('');
  const rows = [{ name: 'this model', metrics: r.headline }, ...(r.baseline ? [{ name: r.baseline.name, metrics: r.baseline.headline }] : [])];
  out.push('## Results', '', headlineTable(rows), '');
  if (r.baseline) {
    const c = compareHeadline(r.headline, r.baseline.headline);
    const title = (k: string) => HEADLINE_COLUMNS.find((h) => h.key === k)!.title.replace(/ [↑↓]$/, '');
    out.push(`Against the random-init baseline: better on ${c.better.length} of ${c.better.length + c.notBetter.length} metrics${c.notBetter.length ? ` (not on ${c.notBetter.map(title).join(', ')})` : ''}.`, '');
  }
  if (r.skipped.length) {
    out.push('Skipped tasks:', '');
    for (const s of r.skipped) out.push(`- \`${s.task}\`: ${s.reason}`);
    out.push('');
  }
  out.push('## Details', '');
  if (m.seg) {
    out.push(`### Semantic segmentation (linear probe)`, '');
    const sp = m.seg.probe;
    const segHow = sp.solver === 'ridge' ? `closed-form ridge onto patch class fractions, λ ${sp.lambda?.toExponential(1)} (hold-out MSE ${sp.valLoss?.toFixed(4)}, train ${sp.finalLoss.toFixed(4)})` : `${sp.steps} steps, final loss ${sp.finalLoss.toFixed(4)}`;
    out.push(`mIoU ${pct(m.seg.miou)}, pixel accuracy ${pct(m.seg.pixelAccuracy)}. Probe: ${segHow}, ${sp.seconds.toFixed(1)} s.`, '');
    out.push(...iouTable('Linear probe', m.seg.iou));
  }
  if (m.zsseg) {
    out.push(`### Zero-shot segmentation`, '');
    out.push(`mIoU ${pct(m.zsseg.miou)}, pixel accuracy ${pct(m.zsseg.pixelAccuracy)} (patch embeddings: ${m.zsseg.patchEmbeddings === 'values' ? 'MaskCLIP values trick' : 'final patch tokens'}).`, '');
    out.push(...iouTable('Zero-shot', m.zsseg.iou));
  }
  if (m.depth) {
    out.push(`### Depth (linear probe over ${r.settings.depth.bins} bins, ×${r.settings.depth.upsample} upsampling, ${r.settings.depth.readout} readout)`, '');
    out.push(`| RMSE | AbsRel | δ<1.25 | δ<1.25² | δ<1.25³ | images | bins range |`, '|---:|---:|---:|---:|---:|---:|---|');
    out.push(`| ${m.depth.rmse.toFixed(3)} | ${m.depth.absRel.toFixed(3)} | ${pct(m.depth.delta1)} | ${pct(m.depth.delta2)} | ${pct(m.depth.delta3)} | ${m.depth.images} | ${m.depth.range[0]}..${m.depth.range[1]} |`, '');
    out.push(`Probe: ${m.depth.probe.steps} steps, final SigLoss ${m.depth.probe.finalLoss.toFixed(4)}, ${m.depth.probe.seconds.toFixed(1)} s.`, '');
  }
  if (m.knn || m.linear || m.zeroshot) {
    out.push('### Classification', '');
    if (m.knn) out.push(`- kNN (k = ${m.knn.k}, T = ${m.knn.temperature}): top-1 ${pct(m.knn.top1)}${m.knn.top5 !== undefined ? `, top-5 ${pct(m.knn.top5)}` : ''}`);
    if (m.linear) {
      const p = m.linear.probe;
      const how = p.solver === 'ridge' ? `closed-form ridge on one-hot labels, λ ${p.lambda?.toExponential(1)} chosen on a hold-out (MSE ${p.valLoss?.toFixed(4)}), train MSE ${p.finalLoss.toFixed(4)}` : `${p.steps} steps, final loss ${p.finalLoss.toFixed(4)}`;
      out.push(`- Linear probe: top-1 ${pct(m.linear.top1)} (${how})`);
    }
    if (m.zeroshot) out.push(`- Zero-shot: top-1 ${pct(m.zeroshot.top1)} over ${m.zeroshot.classes.length} classes, ${m.zeroshot.templates} prompt template(s)`);
    out.push('');
  }
  if (m.retrieval) {
    const q = m.retrieval;
    out.push('### Image–text retrieval', '');
    out.push(`${q.images} images, ${q.texts} captions (${q.captions}).`, '');
    out.push('| | R@1 | R@5 |', '|---|---:|---:|');
    out.push(`| Image → text | ${pct(q.imageToText[1])} | ${pct(q.imageToText[5])} |`);
    out.push(`| Text → image | ${pct(q.textToImage[1])} | ${pct(q.textToImage[5])} |`, '');
  }
  if (figures.length) {
    out.push('## Figures', '');
    for (const f of figures) out.push(`![${f.caption}](${f.file})`, '', `*${f.caption}*`, '');
  }
  out.push('## Protocol', '');
  out.push(
    '- Frozen features throughout (TIPS §4). Segmentation: DINOv2 linear probe on the last layer\'s patch tokens, logits resized bilinearly to the label size, cross-entropy, mIoU over classes present in ground truth or prediction.',
    '- Depth: DINOv2 linear probe on patch tokens ⊕ CLS over uniformly spaced bins, ×4 upsampling, SigLoss; metrics per image, averaged (RMSE in the unit of the depth maps).',
    '- kNN: DINO weighted vote (cosine, exp(s/T)). Zero-shot: prompt ensembling (mean of normalised text embeddings). Retrieval: recall@K with every caption of an image counted, ties counted against the model.',
    '- Zero-shot segmentation: patch–text cosine per patch (MaskCLIP values trick when available), bilinear upsampling, argmax.',
    `- Linear classification and segmentation probes: ${(r.settings.probe.solver ?? 'ridge') === 'ridge' ? 'closed-form ridge regression onto one-hot labels / each patch\'s class fractions (λ from a grid, chosen on a 20 % hold-out of the training images), predictions upsampled bilinearly as the SGD probe\'s' : 'AdamW (below)'}.`,
    `- Probes: AdamW, peak LR ${r.settings.probe.lr ?? 1e-3}, ${r.settings.probe.steps ?? 300} steps, batch ${r.settings.probe.batchSize ?? 16}, seed ${r.settings.probe.seed ?? 0}, trained by @tips/trainer's loop; dense training targets at ${r.settings.probe.targetScale ? `${r.settings.probe.targetScale} px per patch side` : 'full label size'}, metrics at full label size.`,
    '',
  );
  return out.join('\n');
}
