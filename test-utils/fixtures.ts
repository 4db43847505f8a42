import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root (this file sits in <root>/test-utils). */
export const REPO_ROOT = resolve(__dirname, '..');

/**
 * The shared fixtures folder: $TIPS_FIXTURES, else <root>/../shared/fixtures (the layout of this
 * workspace and of CI's clone).
 */
export function fixturesDir(): string {
  const dir = process.env.TIPS_FIXTURES ?? join(REPO_ROOT, '..', 'shared', 'fixtures');
  if (!existsSync(dir)) throw new Error(`fixtures not found at ${dir}; set TIPS_FIXTURES to the shared/fixtures folder`);
  return dir;
}

export function fixture(...parts: string[]): string {
  return join(fixturesDir(), ...parts);
}
