import * as tf from '@tensorflow/tfjs-core';
import { clipLoss, sigLipLoss, dinoLoss, ibotLoss, sinkhornKnopp, teacherTemperature } from '@tips/losses';
import type { TipsBatch, TokenizedText } from '@tips/data';
import type { LossResult, StepContext, Trainable } from '../loop/types';
import { cosine } from '../optim/schedules';
import type { TipsModel } from './model';
import { maskedIbotLoss, maskedTokensOf, type MaskedTokens } from './masked-tokens';

/** Tensors of one micro-batch made before the gradient tape, freed after the update. */
interface Prepared {
  global: tf.Tensor4D;
  locals: tf.Tensor4D | null;
  mask: tf.Tensor2D | null;
  /** The masked tokens as a row selection (iBOT without iBOT++: the student's head sees only these). */
  masked: MaskedTokens | null;
  web: { ids: tf.Tensor2D; paddings: tf.Tensor2D } | null;
  /**
   * Rows that have a web caption, when some do not (image-only records, e.g. Mapillary in the paper:
   * they train only the synthetic-caption term). null: every row has one. An empty selection: none.
   */
  webRows: tf.Tensor1D | null;
  synthetic: { ids: tf.Tensor2D; paddings: tf.Tensor2D } | null;
  /** Teacher targets (distributions) for the distillation and MIM terms. */
  dinoTargets: tf.Tensor2D | null;
  ibotTargets: tf.Tensor3D | null;
  /** Raw teacher logits, for the centre updates after the step. */
  dinoTeacherLogits: tf.Tensor2D | null;
  ibotTeacherLogits: tf.Tensor3D | null;
}

function tokens(t: TokenizedText | undefined, what: string): { ids: tf.Tensor2D; paddings: tf.Tensor2D } {
  if (!t) throw new Error(`the batch has no tokenised ${what} captions; create the loader with a tokenizer`);
  return { ids: tf.tensor2d(t.ids, t.shape, 'int32'), paddings: tf.tensor2d(t.paddings, t.shape, 'float32') };
}

/**
 * The TIPS objective as a Trainable for the shared loop:
 *   web·CLIP(cls1, web caption) + synthetic·CLIP(cls2, synthetic caption)
 *   + α·DINO(student local-crop CLS, teacher global CLS) + β·iBOT(student masked patches, teacher patches)
 * with the teacher an EMA of the student (or head-only EMA), teacher centring (softmax or
 * Sinkhorn-Knopp) and the teacher-temperature warm-up. Each term is a switch (the ablation rows).
 */
export class TipsObjective implements Trainable<TipsBatch> {
  private prepared: Prepared[] = [];

  constructor(readonly model: TipsModel) {}

  trainableVariables(): Map<string, tf.Variable> {
    return this.model.trainableVariables();
  }

  stateVariables(): Map<string, tf.Variable> {
    return this.model.stateVariables();
  }

  private teacherTemp(step: number): number {
    const t = this.model.config.objective.distill.teacherTemp;
    return teacherTemperature(step, { start: t.start, final: t.end, warmupSteps: t.warmupSteps });
  }

  prepare(batch: TipsBatch, ctx: StepContext): void {
    const c = this.model.config.objective;
    const m = this.model;
    const p: Prepared = {
      global: tf.tensor4d(batch.global.data, batch.global.shape as [number, number, number, number]),
      locals: null,
      mask: null,
      masked: null,
      web: c.web.enabled ? tokens(batch.webTokens, 'web') : null,
      webRows: null,
      synthetic: c.synthetic.enabled ? tokens(batch.syntheticTokens, 'synthetic') : null,
      dinoTargets: null,
      ibotTargets: null,
      dinoTeacherLogits: null,
      ibotTeacherLogits: null,
    };
    if (p.web && batch.webCaptions.length === batch.size) {
      const rows = batch.webCaptions.flatMap((t, i) => (t.trim() === '' ? [] : [i]));
      if (rows.length < batch.size) p.webRows = tf.tensor1d(rows, 'int32');
    }
    if (c.distill.enabled) {
      const [M, B, s, s2, ch] = batch.locals.shape as [number, number, number, number, number];
      p.locals = tf.tensor4d(batch.locals.data, [M * B, s, s2, ch]);
    }
    if (c.mim.enabled && batch.mask) {
      p.mask = tf.tensor2d(batch.mask.data, batch.mask.shape, 'bool');
      if (c.mim.visibleWeight === 0) p.masked = maskedTokensOf(batch.mask.data, ...batch.mask.shape);
    }
    if (c.distill.enabled || c.mim.enabled) {
      // The teacher sees the global crop unmasked; no gradient (this runs before the tape).
      const teacher = m.teacherVision ?? m.vision;
      const out = teacher.forward(p.global);
      const temp = this.teacherTemp(ctx.step);
      const targetsOf = (logits: tf.Tensor, centre: NonNullable<TipsModel['dinoCentre']>) =>
        c.distill.centring === 'sinkhorn' ? sinkhornKnopp(logits, temp) : centre.softmaxCentred(logits, temp);
      if (c.distill.enabled) {
        const cls = c.distill.token === 'cls1' ? out.cls1 : out.cls2;
        p.dinoTeacherLogits = m.teacherDinoHead!.apply(cls) as tf.Tensor2D;
        p.dinoTargets = targetsOf(p.dinoTeacherLogits, m.dinoCentre!) as tf.Tensor2D;
      }
      if (c.mim.enabled) {
        p.ibotTeacherLogits = m.teacherIbotHead!.apply(out.patches) as tf.Tensor3D;
        p.ibotTargets = targetsOf(p.ibotTeacherLogits, m.ibotCentre!) as tf.Tensor3D;
      }
      tf.dispose([out.cls1, out.cls2, out.patches]);
    }
    this.prepared.push(p);
  }

  loss(_batch: TipsBatch, ctx: StepContext): LossResult {
    const p = this.prepared[this.prepared.length - 1]!;
    const m = this.model;
    const c = m.config.objective;
    const terms: Record<string, tf.Scalar> = {};
    let total: tf.Scalar = tf.scalar(0);
    const add = (name: string, value: tf.Scalar, weight: number) => {
      terms[name] = value;
      total = tf.add(total, tf.mul(value, weight));
    };
    const student = m.vision.forward(p.global, {
      masks: p.mask ?? undefined,
      training: true,
      dropPathRate: m.config.model.vision.dropPathRate,
      rng: ctx.rng,
      checkpointBlocks: m.config.model.checkpointBlocks,
    });
    const contrastive = (image: tf.Tensor2D, text: tf.Tensor2D): tf.Scalar =>
      m.sigLip
        ? sigLipLoss(image, text, { logitScale: m.sigLip.logitScale.value(), logitBias: m.sigLip.logitBias as tf.Scalar })
        : clipLoss(image, text, { logitScale: m.logitScale.value(), labelSmoothing: c.labelSmoothing });
    // Both captions go through the text tower in one batch (one pass instead of two).
    const texts = this.embedTexts(p);
    if (p.web) {
      // Image-only records (no web caption) take no part in the web term, as in the paper.
      const rows = p.webRows;
      if (rows && rows.size === 0) add('clip_web', tf.scalar(0), c.web.weight);
      else if (rows) add('clip_web', contrastive(tf.gather(student.cls1, rows), tf.gather(texts.web!, rows)), c.web.weight);
      else add('clip_web', contrastive(student.cls1, texts.web!), c.web.weight);
    }
    if (p.synthetic) add('clip_synthetic', contrastive(c.dualCls ? student.cls2 : student.cls1, texts.synthetic!), c.synthetic.weight);
    if (c.distill.enabled && p.locals && p.dinoTargets) {
      const local = m.vision.forward(p.locals, { training: true, dropPathRate: m.config.model.vision.dropPathRate, rng: ctx.rng, checkpointBlocks: m.config.model.checkpointBlocks });
      const cls = c.distill.token === 'cls1' ? local.cls1 : local.cls2;
      const B = p.dinoTargets.shape[0];
      const logits = tf.reshape(m.dinoHead!.apply(cls), [cls.shape[0] / B, B, -1]);
      add('distill', dinoLoss(logits, p.dinoTargets, { studentTemp: c.distill.studentTemp, reduction: 'mean' }), c.distill.weight);
    }
    if (c.mim.enabled && p.ibotTargets) {
      const studentTemp = c.distill.studentTemp;
      const head = (x: tf.Tensor) => m.ibotHead!.apply(x);
      if (p.masked) {
        add('mim', maskedIbotLoss(head, student.patches, p.ibotTargets, p.masked, studentTemp), c.mim.weight);
      } else {
        const mask = p.mask ?? tf.zeros([p.ibotTargets.shape[0], p.ibotTargets.shape[1]], 'bool');
        add('mim', ibotLoss(head(student.patches), p.ibotTargets, mask, { studentTemp, visibleWeight: c.mim.visibleWeight }), c.mim.weight);
      }
    }
    return { total, terms };
  }

  private embedTexts(p: Prepared): { web: tf.Tensor2D | null; synthetic: tf.Tensor2D | null } {
    const text = this.model.text;
    const options = { checkpointBlocks: this.model.config.model.checkpointBlocks };
    if (p.web && p.synthetic && p.web.ids.shape[1] === p.synthetic.ids.shape[1]) {
      const B = p.web.ids.shape[0];
      const both = text.forward(tf.concat([p.web.ids, p.synthetic.ids], 0), tf.concat([p.web.paddings, p.synthetic.paddings], 0), options);
      return { web: tf.slice(both, [0, 0], [B, -1]), synthetic: tf.slice(both, [B, 0], [-1, -1]) };
    }
    return {
      web: p.web ? text.forward(p.web.ids, p.web.paddings, options) : null,
      synthetic: p.synthetic ? text.forward(p.synthetic.ids, p.synthetic.paddings, options) : null,
    };
  }

  afterStep(ctx: StepContext): void {
    const m = this.model;
    for (const p of this.prepared) {
      if (p.dinoTeacherLogits) m.dinoCentre!.update(p.dinoTeacherLogits);
      if (p.ibotTeacherLogits) m.ibotCentre!.update(p.ibotTeacherLogits, p.mask ?? undefined);
    }
    m.emaUpdate(this.momentum(ctx));
    m.logitScale.clamp();
    m.sigLip?.logitScale.clamp();
    this.release();
  }

  private momentum(ctx: StepContext): number {
    const t = this.model.config.teacher.momentum;
    return cosine(ctx.step, { start: t.start, end: t.end, total: ctx.totalSteps });
  }

  /**
   * The teacher logits (and masks) of the micro-batches prepared since the last update, for the
   * centre updates; owned by the objective (freed by afterStep/release). Data-parallel workers read
   * them to send the centres' batch statistics to the main thread.
   */
  teacherLogits(): { dinoTeacherLogits: tf.Tensor2D | null; ibotTeacherLogits: tf.Tensor3D | null; mask: tf.Tensor2D | null }[] {
    return this.prepared.map((p) => ({ dinoTeacherLogits: p.dinoTeacherLogits, ibotTeacherLogits: p.ibotTeacherLogits, mask: p.mask }));
  }

  /** Frees the tensors of prepared micro-batches (also called when a step fails). */
  release(): void {
    for (const p of this.prepared) {
      const all: (tf.Tensor | null | undefined)[] = [p.global, p.locals, p.mask, p.web?.ids, p.web?.paddings, p.webRows, p.synthetic?.ids, p.synthetic?.paddings, p.dinoTargets, p.ibotTargets, p.dinoTeacherLogits, p.ibotTeacherLogits];
      tf.dispose(all.filter((t): t is tf.Tensor => !!t));
    }
    this.prepared = [];
  }

  metrics(ctx: StepContext): Record<string, number> {
    const scale = tf.tidy(() => this.model.logitScale.value().dataSync()[0]!);
    return { logit_scale: scale, teacher_momentum: this.momentum(ctx), teacher_temp: this.teacherTemp(ctx.step) };
  }
}
