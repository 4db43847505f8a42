import type { ParamSpec } from '@tips/runtime';
import { ffnHiddenDim, type VitConfig } from './config';

/** Names (official PyTorch state-dict names) and in-memory shapes of every image-tower parameter. */
export function vitParamSpecs(config: VitConfig): ParamSpec[] {
  const D = config.embedDim;
  const p = config.patchSize;
  const G = config.posGrid;
  const specs: ParamSpec[] = [
    { name: 'cls_token', shape: [1, 1, D] },
    { name: 'pos_embed', shape: [1, G * G + 1, D] },
  ];
  if (config.registers > 0) specs.push({ name: 'register_tokens', shape: [1, config.registers, D] });
  specs.push(
    { name: 'mask_token', shape: [1, D] },
    // Conv2d(3, D, kernel=p, stride=p) as a matmul over flattened (c, kh, kw) patches.
    { name: 'patch_embed.proj.weight', shape: [3 * p * p, D], transpose: true, fileShape: [D, 3, p, p] },
    { name: 'patch_embed.proj.bias', shape: [D] },
  );
  const H = ffnHiddenDim(config);
  for (let i = 0; i < config.depth; i++) {
    const b = `blocks.${i}.`;
    specs.push({ name: `${b}norm1.weight`, shape: [D] }, { name: `${b}norm1.bias`, shape: [D] });
    specs.push({ name: `${b}attn.qkv.weight`, shape: [D, 3 * D], transpose: true });
    if (config.qkvBias) specs.push({ name: `${b}attn.qkv.bias`, shape: [3 * D] });
    specs.push({ name: `${b}attn.proj.weight`, shape: [D, D], transpose: true }, { name: `${b}attn.proj.bias`, shape: [D] });
    if (config.layerScale) specs.push({ name: `${b}ls1.gamma`, shape: [D] });
    specs.push({ name: `${b}norm2.weight`, shape: [D] }, { name: `${b}norm2.bias`, shape: [D] });
    if (config.ffn === 'swiglu') {
      specs.push(
        { name: `${b}mlp.w12.weight`, shape: [D, 2 * H], transpose: true },
        { name: `${b}mlp.w12.bias`, shape: [2 * H] },
        { name: `${b}mlp.w3.weight`, shape: [H, D], transpose: true },
        { name: `${b}mlp.w3.bias`, shape: [D] },
      );
    } else {
      specs.push(
        { name: `${b}mlp.fc1.weight`, shape: [D, H], transpose: true },
        { name: `${b}mlp.fc1.bias`, shape: [H] },
        { name: `${b}mlp.fc2.weight`, shape: [H, D], transpose: true },
        { name: `${b}mlp.fc2.bias`, shape: [D] },
      );
    }
    if (config.layerScale) specs.push({ name: `${b}ls2.gamma`, shape: [D] });
  }
  specs.push({ name: 'norm.weight', shape: [D] }, { name: 'norm.bias', shape: [D] });
  return specs;
}
