// Multi-view 3D scenes: cameras, primitives, ray casting, the JSON layout and the generator.
export {
  type Vec3,
  type PinholeCamera,
  intrinsicsFromFov,
  lookAt,
  orbitPosition,
  invertRigid,
  transformPoint,
  rotateDirection,
  projectPoint,
  pixelRay,
  openGlToOpenCv,
} from './camera';
export { intersectPrimitive, boundingRadius, type Primitive, type PrimitiveKind, type PrimitiveHit } from './primitives';
export { samplePrimitiveScene, eulerRotation, ALL_PRIMITIVE_KINDS, type MultiviewScene, type SceneSampleOptions } from './scene';
export { traceRay, raycastView, type RenderedView } from './raycast';
export { orbitRig, turntableRig, type OrbitRigOptions } from './rig';
export {
  multiviewLineSchema,
  multiviewViewSchema,
  parseMultiviewLine,
  checkCamera,
  toRows,
  type MultiviewLine,
  type MultiviewRecord,
  type MultiviewView,
} from './layout';
export { readMultiviewManifest, loadMultiviewImages } from './read';
export {
  generateMultiviewScenes,
  sampleMultiviewScene,
  type MultiviewGenerateOptions,
  type MultiviewGenerateResult,
  type SampledMultiviewScene,
} from './generate';
