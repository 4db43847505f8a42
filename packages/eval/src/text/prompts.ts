/**
 * Prompt templates for zero-shot classification when the dataset gives none: the 7-template subset
 * of CLIP's 80 ImageNet prompts that CLIP's README recommends ("itap of a {}." …).
 */
export const CLASSIFICATION_TEMPLATES: readonly string[] = [
  'itap of a {}.',
  'a bad photo of the {}.',
  'a origami {}.',
  'a photo of the large {}.',
  'a {} in a video game.',
  'art of the {}.',
  'a photo of the small {}.',
];

/**
 * Prompt templates of zero-shot segmentation: TCL's templates (Cha et al. 2023), as the TIPS
 * zero-shot segmentation notebook uses them.
 */
export const SEGMENTATION_TEMPLATES: readonly string[] = [
  'itap of a {}.',
  'a bad photo of a {}.',
  'a origami {}.',
  'a photo of the large {}.',
  'a {} in a video game.',
  'art of the {}.',
  'a photo of the small {}.',
  'a photo of many {}.',
  'a photo of {}s.',
];
