import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root (this file sits in <root>/test-utils). */
export const REPO_ROOT = resolve(__dirname, '..');

/**
 * The shared fixtures folder (outputs of the official implementation, never copied into the repo):
 * $TIPS_FIXTURES, else <root>/../shared/fixtures (this workspace's layout), else the workspace's
 * /work/shared/fixtures (a clone made elsewhere on the same machine).
 */
export function fixturesDir(): string {
  const candidates = process.env.TIPS_FIXTURES ? [process.env.TIPS_FIXTURES] : [join(REPO_ROOT, '..', 'shared', 'fixtures'), '/work/shared/fixtures'];
  const dir = candidates.find((d) => existsSync(join(d, 'official-tiny', 'manifest.json')));
  if (!dir) throw new Error(`fixtures not found (looked in ${candidates.join(', ')}); set TIPS_FIXTURES to the shared/fixtures folder`);
  return dir;
}

export function fixture(...parts: string[]): string {
  return join(fixturesDir(), ...parts);
}
