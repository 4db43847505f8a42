import type { ParamSpec, ParamStore } from '@tips/runtime';
import { loadHeadParams, readHeadInfo, type Head } from '@tips/trainer';
import { EvalInputError } from '../errors';
import { DEPTH_BINS_KIND, DepthBinsHead, type DepthBinsConfig } from './depth-bins';
import { LINEAR_CLASSIFIER_KIND, LinearClassifierHead, type LinearClassifierConfig } from './linear-classifier';
import { LINEAR_SEG_KIND, LinearSegHead, type LinearSegConfig } from './linear-seg';

/** How to rebuild a saved head of one kind: its parameter specs and a constructor around loaded params. */
export interface HeadFactory {
  specs(config: Record<string, unknown>): ParamSpec[];
  build(config: Record<string, unknown>, params: ParamStore): Head<unknown>;
}

const FACTORIES = new Map<string, HeadFactory>([
  [LINEAR_SEG_KIND, { specs: (c) => LinearSegHead.specs(c as unknown as LinearSegConfig), build: (c, p) => new LinearSegHead(c as unknown as LinearSegConfig, p) as Head<unknown> }],
  [DEPTH_BINS_KIND, { specs: (c) => DepthBinsHead.specs(c as unknown as DepthBinsConfig), build: (c, p) => new DepthBinsHead(c as unknown as DepthBinsConfig, p) as Head<unknown> }],
  [
    LINEAR_CLASSIFIER_KIND,
    { specs: (c) => LinearClassifierHead.specs(c as unknown as LinearClassifierConfig), build: (c, p) => new LinearClassifierHead(c as unknown as LinearClassifierConfig, p) as Head<unknown> },
  ],
]);

/** Registers a head kind so that loadHead can rebuild it (user heads too). */
export function registerHeadKind(kind: string, factory: HeadFactory): void {
  FACTORIES.set(kind, factory);
}

/**
 * Loads a head saved with @tips/trainer's saveHead: reads its kind and config, then rebuilds it with
 * the registered factory (the probes of this package are registered). The caller owns the head
 * (head.params.dispose()).
 */
export async function loadHead(path: string, options: { trainable?: boolean } = {}): Promise<Head<unknown>> {
  const info = await readHeadInfo(path);
  const factory = FACTORIES.get(info.kind);
  if (!factory) throw new EvalInputError(`${path} holds a '${info.kind}' head, which is not registered; call registerHeadKind('${info.kind}', …) first (known: ${[...FACTORIES.keys()].join(', ')})`);
  const params = await loadHeadParams(path, factory.specs(info.config), options.trainable ?? false);
  return factory.build(info.config, params);
}
