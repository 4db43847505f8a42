import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Appends one JSON object per line (machine-readable logs: metrics.jsonl, events). */
export class JsonlLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }
  write(record: Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}
