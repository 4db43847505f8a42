/**
 * The text tower's sinusoidal position table [len, D], as the official PositionalEmbedding computes it
 * in float32 (min timescale 1, max 10 000): inv_k = exp(−k·ln(10⁴)/max(D/2 − 1, 1)),
 * signal = [sin(p·inv), cos(p·inv)], zero-padded to D when D is odd. Each float32 step is rounded
 * with Math.fround so the table matches torch's to the last bit or two.
 */
export function sinusoidTable(len: number, D: number): Float32Array {
  const f = Math.fround;
  const half = Math.floor(D / 2);
  const inc = f(f(Math.log(10000)) / Math.max(half - 1, 1));
  const inv = new Float32Array(half);
  for (let k = 0; k < half; k++) inv[k] = f(Math.exp(f(k * -inc)));
  const out = new Float32Array(len * D);
  for (let p = 0; p < len; p++) {
    for (let k = 0; k < half; k++) {
      const t = f(p * inv[k]!);
      out[p * D + k] = Math.sin(t);
      out[p * D + half + k] = Math.cos(t);
    }
  }
  return out;
}
