/**
 * Sinusoidal position embeddings of the official text tower (PositionalEmbedding in
 * pytorch/text_encoder.py): timescales geometric from 1 to 10 000 over D/2 channels,
 * [sin(p·inv) ‖ cos(p·inv)], a zero column appended when D is odd. Computed in float32 steps as
 * torch does. Returns [seqLen, D] row-major.
 */
export function sinusoidalPositions(seqLen: number, dim: number): Float32Array {
  const f = Math.fround;
  const n = Math.floor(dim / 2);
  const increment = f(f(Math.log(10000)) / Math.max(n - 1, 1));
  const inv = new Float32Array(n);
  for (let i = 0; i < n; i++) inv[i] = f(Math.exp(f(i * -increment)));
  const out = new Float32Array(seqLen * dim);
  for (let p = 0; p < seqLen; p++) {
    for (let i = 0; i < n; i++) {
      const t = f(p * inv[i]!);
      out[p * dim + i] = Math.sin(t);
      out[p * dim + n + i] = Math.cos(t);
    }
  }
  return out;
}
