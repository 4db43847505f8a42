export { antialiasBilinearTaps, antialiasBilinearMatrix, type FilterTaps } from './antialias-weights';
export { resizeBilinear8, rgb8ToFloat } from './resize';
