import { appendFileSync } from 'node:fs';

/** Machine-readable job log: one JSON object per line, `t` (ISO time) and `event` first. */
export class JsonlLog {
  constructor(readonly path: string | undefined) {}

  write(event: string, fields: Record<string, unknown> = {}): void {
    if (!this.path) return;
    // Synchronous append: small lines, and a log line must not be lost when the process is killed.
    appendFileSync(this.path, `${JSON.stringify({ t: new Date().toISOString(), event, ...fields })}\n`);
  }
}
