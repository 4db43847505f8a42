import './register-gradients';
export { LossError, type LossErrorCode } from './errors';
export { seededRandom, type RandomSource } from './util/random';
export { l2Normalize, matMulFast, stopGradient } from './util/ops';

// clip: softmax (CLIP) and sigmoid (SigLIP) image-text losses, the TIPS dual form, the learnable temperature
export { LogitScale, logitScaleFromParam, type LogitScaleOptions } from './clip/logit-scale';
export type { ScalarLike } from './clip/logits';
export { clipLoss, type ClipLossOptions } from './clip/softmax';
export { sigLipLoss, createSigLipParams, type SigLipLossOptions, type SigLipParams } from './clip/sigmoid';
export {
  tipsContrastiveLoss,
  type TipsContrastiveInputs,
  type TipsContrastiveOptions,
  type TipsContrastiveResult,
} from './clip/tips';

// distill: DINO head, teacher centring / Sinkhorn-Knopp, temperature schedule, loss
export { DinoHead, type DinoHeadOptions, type NamedArrays, type ArrayLike2 } from './distill/head';
export { TeacherCentre, type TeacherCentreOptions } from './distill/centre';
export { sinkhornKnopp, type SinkhornOptions } from './distill/sinkhorn';
export { teacherTemperature, type TeacherTemperatureSchedule } from './distill/schedule';
export { softCrossEntropy } from './distill/cross-entropy';
export { dinoLoss, type DinoLossOptions } from './distill/loss';

// mim: iBOT / iBOT++ patch loss and random masking
export { ibotLoss, type IbotLossOptions } from './mim/loss';
export { randomPatchMask, randomPatchMaskTensor, type RandomMaskOptions } from './mim/masking';
