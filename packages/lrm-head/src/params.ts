import { numElements, ParamStore, Rng, type ParamSpec } from '@tips/runtime';
import { conditionDim, type LrmConfig } from './config';
import { CAMERA_FEATURES } from './camera-features';

/**
 * Names and shapes of the LRM head's parameters. Linear weights are [in, out] in memory and
 * PyTorch's [out, in] in files (`transpose`); the deconvolution is stored as PyTorch's
 * ConvTranspose2d weight [in, out, s, s].
 */
export function lrmHeadSpecs(c: LrmConfig): ParamSpec[] {
  const W = c.width;
  const lin = (name: string, inDim: number, outDim: number): ParamSpec[] => [
    { name: `${name}.weight`, shape: [inDim, outDim], transpose: true },
    { name: `${name}.bias`, shape: [outDim] },
  ];
  const specs: ParamSpec[] = [
    ...lin('camera.mlp.0', CAMERA_FEATURES, c.cameraDim),
    ...lin('camera.mlp.2', c.cameraDim, c.cameraDim),
    ...lin('cond.proj', conditionDim(c), W),
    { name: 'pos_embed', shape: [1, 3 * c.triplaneTokens * c.triplaneTokens, W] },
  ];
  const hidden = W * c.mlpRatio;
  for (let i = 0; i < c.depth; i++) {
    const l = `layers.${i}`;
    specs.push(
      ...lin(`${l}.norm1.mod`, c.cameraDim, 2 * W),
      ...lin(`${l}.cross.q`, W, W),
      ...lin(`${l}.cross.kv`, W, 2 * W),
      ...lin(`${l}.cross.proj`, W, W),
      ...lin(`${l}.norm2.mod`, c.cameraDim, 2 * W),
      ...lin(`${l}.self.qkv`, W, 3 * W),
      ...lin(`${l}.self.proj`, W, W),
      ...lin(`${l}.norm3.mod`, c.cameraDim, 2 * W),
      ...lin(`${l}.mlp.fc1`, W, hidden),
      ...lin(`${l}.mlp.fc2`, hidden, W),
    );
  }
  const s = c.upsample;
  const C = c.planeChannels;
  specs.push(
    { name: 'norm.weight', shape: [W] },
    { name: 'norm.bias', shape: [W] },
    { name: 'deconv.weight', shape: [W, C * s * s], fileShape: [W, C, s, s] },
    { name: 'deconv.bias', shape: [C] },
  );
  let inDim = c.aggregate === 'concat' ? 3 * C : C;
  for (let k = 0; k < c.nerfLayers; k++) {
    specs.push(...lin(`nerf.layers.${k}`, inDim, c.nerfHidden));
    inDim = c.nerfHidden;
  }
  specs.push(...lin('nerf.out', inDim, 4));
  return specs;
}

/**
 * Fresh parameters (seeded): transformer Linear weights uniform ±1/√fan_in (PyTorch's nn.Linear
 * default, `linearInit: 'torch'`) or truncated normal std 0.02 (`'vit'`), zero biases, except the camera-modulation layers, which start at zero so every ModLN begins as a plain
 * LayerNorm (as DiT's adaLN-Zero); triplane queries normal with std 1/√width (OpenLRM); deconvolution
 * and NeRF layers He-uniform (PyTorch's default bound 1/√fan_in) so the planes and densities start
 * at a useful scale; final LayerNorm 1/0.
 */
export function initLrmHead(c: LrmConfig, seed: number | string = 0): ParamStore {
  const rng = Rng.derive(seed, 'lrm-head-init');
  return ParamStore.init(lrmHeadSpecs(c), (spec) => {
    const n = numElements(spec.shape);
    const out = new Float32Array(n);
    const name = spec.name;
    if (name === 'pos_embed') {
      const std = 1 / Math.sqrt(c.width);
      for (let i = 0; i < n; i++) out[i] = rng.normal(0, std);
    } else if (name === 'norm.weight') out.fill(1);
    else if (name.endsWith('.weight') && name.includes('.mod.')) {
      // zeros: identity modulation at the start
    } else if (name === 'deconv.weight' || name.startsWith('nerf.') || name.startsWith('camera.')) {
      if (name.endsWith('.weight')) {
        const fanIn = spec.shape[0]!;
        const bound = Math.sqrt(3 / fanIn);
        for (let i = 0; i < n; i++) out[i] = rng.range(-bound, bound);
      }
    } else if (name.endsWith('.weight')) {
      if (c.linearInit === 'vit') for (let i = 0; i < n; i++) out[i] = rng.truncatedNormal(0, 0.02);
      else {
        const bound = 1 / Math.sqrt(spec.shape[0]!);
        for (let i = 0; i < n; i++) out[i] = rng.range(-bound, bound);
      }
    }
    return out;
  });
}
