import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, ParamStore, openTensorFile, writeSafetensors } from '@tips/runtime';
import { VisionTransformer, vitParamSpecs, type VitConfig } from '@tips/vit-core';
import { validateLrmConfig, type LrmConfig } from './config';
import { LrmCheckpointError } from './errors';
import { LrmHead } from './head';
import { lrmHeadSpecs } from './params';
import { LrmModel } from './model';

export const LRM_FORMAT_KEY = 'tips.format';
export const LRM_FORMAT = 'tips-ts.lrm';
export const LRM_CONFIG_KEY = 'tips.lrm.config';
export const LRM_VIT_CONFIG_KEY = 'tips.vit.config';
export const LRM_INFO_KEY = 'tips.lrm.info';

/**
 * Saves a whole LRM (tower + head) as one safetensors file: `encoder.*` keys with the official
 * tower names, `head.*` keys, and the two configs plus free-form `info` (provenance) as metadata.
 * Written atomically.
 */
export async function saveLrmModel(model: LrmModel, path: string, info: Record<string, unknown> = {}): Promise<void> {
  await writeSafetensors(path, [...model.encoder.params.toTensorsToWrite('encoder.'), ...model.head.params.toTensorsToWrite('head.')], {
    [LRM_FORMAT_KEY]: LRM_FORMAT,
    [LRM_CONFIG_KEY]: JSON.stringify(model.config),
    [LRM_VIT_CONFIG_KEY]: JSON.stringify(model.encoder.config),
    [LRM_INFO_KEY]: JSON.stringify(info),
  });
}

/** Reads the configs and info of an LRM file without loading its tensors. */
export async function readLrmInfo(path: string): Promise<{ config: LrmConfig; vit: VitConfig; info: Record<string, unknown> }> {
  const reader = await openTensorFile(path).catch((e: unknown) => {
    throw new LrmCheckpointError(`${path}: cannot open LRM model (${(e as Error).message}); train one with \`tips lrm train\``, { cause: e });
  });
  try {
    const meta = reader.metadata();
    if (meta[LRM_FORMAT_KEY] !== LRM_FORMAT || !meta[LRM_CONFIG_KEY] || !meta[LRM_VIT_CONFIG_KEY]) {
      throw new LrmCheckpointError(`${path} is not an LRM model file (metadata ${LRM_FORMAT_KEY} is '${meta[LRM_FORMAT_KEY] ?? 'absent'}'); pass the lrm.safetensors that \`tips lrm train\` writes`);
    }
    // Files written before cameraFrame / linearInit existed: world frame, ViT-style init.
    const config = { cameraFrame: 'world', linearInit: 'vit', ...(JSON.parse(meta[LRM_CONFIG_KEY]!) as Partial<LrmConfig>) } as LrmConfig;
    validateLrmConfig(config);
    return { config, vit: JSON.parse(meta[LRM_VIT_CONFIG_KEY]!) as VitConfig, info: JSON.parse(meta[LRM_INFO_KEY] ?? '{}') as Record<string, unknown> };
  } finally {
    await reader.close();
  }
}

/** Loads an LRM file written by saveLrmModel. Validates every key and shape. The caller owns the model. */
export async function loadLrmModel(path: string, options: { trainable?: boolean } = {}): Promise<LrmModel> {
  const { config, vit } = await readLrmInfo(path);
  const reader = await openTensorFile(path);
  let encoderParams: ParamStore | null = null;
  try {
    encoderParams = await ParamStore.load(reader, vitParamSpecs(vit), { prefix: 'encoder.', trainable: options.trainable ?? false });
    const headParams = await ParamStore.load(reader, lrmHeadSpecs(config), { prefix: 'head.', trainable: options.trainable ?? true });
    return new LrmModel(config, new VisionTransformer(vit, encoderParams), new LrmHead(config, headParams));
  } catch (e) {
    encoderParams?.dispose();
    if (e instanceof CheckpointError) throw new LrmCheckpointError(`${path}: ${e.message}`, { cause: e });
    throw e;
  } finally {
    await reader.close();
  }
}

/**
 * Builds an LrmModel from the variables of a training checkpoint (`head.*`, `encoder.*`, as
 * LrmTrainable names them). The tensors are copied; the caller still disposes `variables`.
 */
export function lrmModelFromVariables(config: LrmConfig, vit: VitConfig, variables: Map<string, tf.Tensor>): LrmModel {
  const take = (prefix: string, specs: { name: string; shape: number[] }[], trainable: boolean) => {
    const missing = specs.filter((s) => !variables.has(prefix + s.name)).map((s) => prefix + s.name);
    if (missing.length) throw new LrmCheckpointError(`the checkpoint lacks ${missing.length} LRM variable(s), e.g. ${missing.slice(0, 4).join(', ')}; is it an LRM training checkpoint?`);
    return ParamStore.init(
      specs,
      (s) => {
        const t = variables.get(prefix + s.name)!;
        if (t.size !== s.shape.reduce((a, b) => a * b, 1)) throw new LrmCheckpointError(`${prefix + s.name} has shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(s.shape)}`);
        return t.dataSync() as Float32Array;
      },
      trainable,
    );
  };
  const enc = take('encoder.', vitParamSpecs(vit), false);
  const head = take('head.', lrmHeadSpecs(config), true);
  return new LrmModel(config, new VisionTransformer(vit, enc), new LrmHead(config, head));
}
