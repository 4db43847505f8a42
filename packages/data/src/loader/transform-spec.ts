import type { EvalTransformConfig } from '../augment/eval-transform';
import type { PatchMaskConfig } from '../augment/patch-mask';
import type { TipsViewConfig } from '../augment/view-config';

/** What to make of each decoded image; plain data so it can be posted to a worker thread. */
export type TransformSpec =
  | { kind: 'tips'; views: TipsViewConfig; mask?: PatchMaskConfig }
  | { kind: 'eval'; eval: EvalTransformConfig };
