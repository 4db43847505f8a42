import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tips/runtime';
import { VisionTransformer, loadVisionCheckpoint, vitPreset, VIT_PRESETS, type VitConfig, type VitInitOptions } from '@tips/vit-core';
import { TextTransformer, loadTextCheckpoint, textPreset, validateTextConfig, type TextConfig, type TextInitOptions } from '@tips/text-encoder';
import { DinoHead, LogitScale, TeacherCentre, createSigLipParams, type SigLipParams } from '@tips/losses';
import type { TipsConfig } from './config';

/** The image-tower configuration a TIPS config asks for. */
export function visionConfigOf(c: TipsConfig): VitConfig {
  const v = c.model.vision;
  const base = v.preset ? vitPreset(v.preset) : { ...VIT_PRESETS.S };
  const pick = <K extends keyof VitConfig>(k: K, x: VitConfig[K] | undefined) => (x === undefined ? base[k] : x);
  return {
    ...base,
    embedDim: pick('embedDim', v.embedDim),
    depth: pick('depth', v.depth),
    heads: pick('heads', v.heads),
    mlpHidden: pick('mlpHidden', v.mlpHidden),
    ffn: pick('ffn', v.ffn),
    posGrid: v.posGrid ?? c.data.globalSize / 14,
  };
}

/** The text-tower configuration a TIPS config asks for, with the tokenizer's vocabulary size. */
export function textConfigOf(c: TipsConfig, vocabSize: number): TextConfig {
  const t = c.model.text;
  const base = t.preset ? textPreset(t.preset) : ({} as Partial<TextConfig>);
  return validateTextConfig({
    ...base,
    ...(t.hiddenSize ? { hiddenSize: t.hiddenSize } : {}),
    ...(t.mlpDim ? { mlpDim: t.mlpDim } : {}),
    ...(t.numHeads ? { numHeads: t.numHeads } : {}),
    ...(t.numLayers ? { numLayers: t.numLayers } : {}),
    vocabSize,
    maxLen: t.maxLen,
  });
}

/** How a run initialises its towers from scratch (its step-0 weights): seeds derived from run.seed, and the config's init options. */
export function towerInitOf(c: TipsConfig): { vision: VitInitOptions; text: TextInitOptions } {
  return {
    vision: { seed: Rng.derive(c.run.seed, 'vision').nextU32(), layerScaleInit: c.model.vision.layerScaleInit, pixelMean: c.model.vision.initPixelMean },
    text: { seed: Rng.derive(c.run.seed, 'text').nextU32() },
  };
}

/**
 * Everything the TIPS objective trains or averages: the student's image and text towers, the
 * contrastive temperature (and SigLIP bias), the DINO and iBOT projection heads, and the teacher
 * (an EMA copy of the image tower and heads; with head-only EMA the teacher reuses the student's
 * tower). Owns every variable (dispose()).
 */
export class TipsModel {
  readonly teacherVision: VisionTransformer | null;
  readonly dinoHead: DinoHead | null;
  readonly ibotHead: DinoHead | null;
  readonly teacherDinoHead: DinoHead | null;
  readonly teacherIbotHead: DinoHead | null;
  readonly dinoCentre: TeacherCentre | null;
  readonly ibotCentre: TeacherCentre | null;
  readonly logitScale: LogitScale;
  readonly sigLip: SigLipParams | null;

  private constructor(
    readonly config: TipsConfig,
    readonly vision: VisionTransformer,
    readonly text: TextTransformer,
  ) {
    const c = config.objective;
    const seed = config.run.seed;
    const D = vision.config.embedDim;
    const uid = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    const head = (h: TipsConfig['objective']['distill']['head'], name: string, s: string) =>
      new DinoHead({ inDim: D, outDim: h.prototypes, hiddenDim: h.hiddenDim, bottleneckDim: h.bottleneckDim, seed: Rng.derive(seed, s).nextU32(), name: `${name}-${uid}` });
    this.dinoHead = c.distill.enabled ? head(c.distill.head, 'dino', 'dino-head') : null;
    this.ibotHead = c.mim.enabled ? (c.mim.sharedHead && this.dinoHead ? this.dinoHead : head(c.mim.head, 'ibot', 'ibot-head')) : null;
    const needsTeacher = c.distill.enabled || c.mim.enabled;
    this.teacherVision = needsTeacher && !config.teacher.headOnly ? VisionTransformer.init(vision.config, { seed: 0, trainable: false }) : null;
    this.teacherVision?.params.assign(vision.params);
    const copy = (h: DinoHead | null, name: string) => {
      if (!h) return null;
      const t = new DinoHead({ inDim: h.inDim, outDim: h.outDim, hiddenDim: h.hiddenDim, bottleneckDim: h.bottleneckDim, nlayers: h.nlayers, name: `${name}-${uid}`, trainable: false }, 'zeros');
      for (const [k, v] of h.params) t.params.get(k)!.assign(v);
      return t;
    };
    this.teacherDinoHead = copy(this.dinoHead, 'teacher-dino');
    this.teacherIbotHead = this.ibotHead === this.dinoHead ? this.teacherDinoHead : copy(this.ibotHead, 'teacher-ibot');
    this.dinoCentre = this.dinoHead ? new TeacherCentre({ dim: c.distill.head.prototypes, momentum: c.distill.centreMomentum, name: `dino-centre-${uid}` }) : null;
    this.ibotCentre = this.ibotHead ? new TeacherCentre({ dim: this.ibotHead.outDim, momentum: c.distill.centreMomentum, name: `ibot-centre-${uid}` }) : null;
    this.logitScale = new LogitScale({ init: c.logitScaleInit, max: c.logitScaleMax, name: `logit-scale-${uid}` });
    // SigLIP: learnable scale and bias (init log 10, −10 as SigLIP).
    this.sigLip = c.contrastive === 'sigmoid' ? createSigLipParams({ name: `siglip-${uid}` }) : null;
  }

  /** A fresh model (seeded), or towers initialised from checkpoints named in the config. */
  static async create(config: TipsConfig, vocabSize: number): Promise<TipsModel> {
    const init = towerInitOf(config);
    const vcfg = visionConfigOf(config);
    const vision = config.model.vision.init ? await loadVisionCheckpoint(config.model.vision.init, { config: vcfg }) : VisionTransformer.init(vcfg, init.vision);
    const tcfg = textConfigOf(config, vocabSize);
    const text = config.model.text.init ? await loadTextCheckpoint(config.model.text.init, { config: tcfg }) : TextTransformer.init(tcfg, init.text);
    return new TipsModel(config, vision, text);
  }

  /** Every variable the run's state consists of, by stable checkpoint name. */
  stateVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    const add = (prefix: string, m: Map<string, tf.Variable> | null | undefined) => {
      if (m) for (const [k, v] of m) out.set(`${prefix}${k}`, v);
    };
    add('student.vision.', this.vision.params.variables());
    add('student.text.', this.text.params.variables());
    add('student.dino_head.', this.dinoHead?.params);
    if (this.ibotHead !== this.dinoHead) add('student.ibot_head.', this.ibotHead?.params);
    out.set('student.logit_scale', this.logitScale.param);
    if (this.sigLip) {
      out.set('student.siglip.logit_scale', this.sigLip.logitScale.param);
      out.set('student.siglip.logit_bias', this.sigLip.logitBias);
    }
    add('teacher.vision.', this.teacherVision?.params.variables());
    add('teacher.dino_head.', this.teacherDinoHead?.params);
    if (this.teacherIbotHead !== this.teacherDinoHead) add('teacher.ibot_head.', this.teacherIbotHead?.params);
    if (this.dinoCentre) out.set('teacher.dino_centre', this.dinoCentre.center);
    if (this.ibotCentre) out.set('teacher.ibot_centre', this.ibotCentre.center);
    return out;
  }

  /** The student variables the optimiser updates (minus frozen prefixes, e.g. 'text.'). */
  trainableVariables(): Map<string, tf.Variable> {
    const freeze = this.config.optim.freeze;
    const out = new Map<string, tf.Variable>();
    for (const [k, v] of this.stateVariables()) {
      if (!k.startsWith('student.')) continue;
      const local = k.slice('student.'.length);
      if (freeze.some((p) => local.startsWith(p))) continue;
      if (!v.trainable) continue;
      out.set(k, v);
    }
    return out;
  }

  /** Teacher ← momentum·teacher + (1 − momentum)·student, for the image tower (unless head-only) and the heads. */
  emaUpdate(momentum: number): void {
    const ema = (t: tf.Variable, s: tf.Tensor) => tf.tidy(() => t.assign(tf.add(tf.mul(t, momentum), tf.mul(s, 1 - momentum))));
    if (this.teacherVision) {
      const sv = this.vision.params.variables();
      for (const [k, t] of this.teacherVision.params.variables()) ema(t, sv.get(k)!);
    }
    const heads: [DinoHead | null, DinoHead | null][] = [
      [this.teacherDinoHead, this.dinoHead],
      [this.teacherIbotHead === this.teacherDinoHead ? null : this.teacherIbotHead, this.ibotHead],
    ];
    for (const [t, s] of heads) if (t && s) for (const [k, v] of t.params) ema(v, s.params.get(k)!);
  }

  dispose(): void {
    const heads = new Set([this.dinoHead, this.ibotHead, this.teacherDinoHead, this.teacherIbotHead]);
    for (const h of heads) h?.dispose();
    this.vision.dispose();
    this.text.dispose();
    this.teacherVision?.dispose();
    this.dinoCentre?.dispose();
    this.ibotCentre?.dispose();
    this.logitScale.dispose();
    this.sigLip?.dispose();
  }
}
