import { readFileSync } from 'node:fs';
import { ResumeError } from '../errors';

/**
 * Reads a run folder's JSON file (state.json, config.json). An empty, truncated or otherwise
 * unparsable file is a ResumeError naming the file and the way out, not a raw SyntaxError.
 */
export function readRunJson(path: string, what: string): unknown {
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') throw new ResumeError(`${path} is empty (${what}); the run was cut off while writing it: restore it, resume from an earlier checkpoint, or start a new run folder`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ResumeError(`${path} is not valid JSON (${what}: ${e instanceof Error ? e.message : String(e)}); it is truncated or corrupt: restore it, resume from an earlier checkpoint, or start a new run folder`);
  }
}
