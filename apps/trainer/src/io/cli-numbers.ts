/** Parses an integer command-line value ≥ `min`, throwing the command's own typed error otherwise. */
export function parseIntOption(flag: string, text: string, min: number, error: (message: string) => Error): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw error(`--${flag} must be an integer ≥ ${min}, not '${text}'`);
  return v;
}

/** Parses a finite number, throwing the command's own typed error otherwise. */
export function parseNumberOption(flag: string, text: string, error: (message: string) => Error): number {
  const v = Number(text);
  if (!Number.isFinite(v)) throw error(`--${flag} must be a number, not '${text}'`);
  return v;
}
