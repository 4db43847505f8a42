/** Anything with an async release (ONNX Runtime sessions). */
export interface Releasable {
  release(): Promise<void>;
}

/**
 * A small LRU cache of ONNX Runtime sessions keyed by input size, with a fixed capacity chosen up
 * front. Concurrent requests for the same key share one creation; the least recently used session
 * is released when a new one would exceed the capacity.
 */
export class SessionCache<V extends Releasable> {
  private readonly entries = new Map<string, Promise<V>>();

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`session cache capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  async get(key: string, create: () => Promise<V>): Promise<V> {
    let hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    hit = create();
    this.entries.set(key, hit);
    hit.catch(() => this.entries.get(key) === hit && this.entries.delete(key));
    while (this.entries.size > this.capacity) {
      const [oldest, value] = this.entries.entries().next().value as [string, Promise<V>];
      this.entries.delete(oldest);
      value.then((s) => s.release()).catch(() => undefined);
    }
    return hit;
  }

  /** Releases every session. */
  async dispose(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => undefined)));
  }
}

/** Runs async jobs one at a time (an ONNX Runtime session runs one request at a time). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
