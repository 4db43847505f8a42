import { SerialQueue, SessionCache } from './session-cache';

class Fake {
  released = false;
  constructor(readonly key: string) {}
  async release(): Promise<void> {
    this.released = true;
  }
}

test('keeps at most `capacity` sessions, evicting the least recently used, and shares concurrent creations', async () => {
  const cache = new SessionCache<Fake>(2);
  let created = 0;
  const make = (k: string) => async () => {
    created++;
    return new Fake(k);
  };
  const [a1, a2] = await Promise.all([cache.get('a', make('a')), cache.get('a', make('a'))]);
  expect(a1).toBe(a2);
  expect(created).toBe(1);
  const b = await cache.get('b', make('b'));
  await cache.get('a', make('a')); // a is now the most recent
  await cache.get('c', make('c')); // evicts b
  await new Promise((r) => setTimeout(r, 0));
  expect(b.released).toBe(true);
  expect(a1.released).toBe(false);
  expect(cache.keys().sort()).toEqual(['a', 'c']);
  await cache.dispose();
  expect(a1.released).toBe(true);
  expect(cache.size).toBe(0);
});

test('a failed creation is not cached', async () => {
  const cache = new SessionCache<Fake>(1);
  await expect(cache.get('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  await new Promise((r) => setTimeout(r, 0));
  expect(cache.size).toBe(0);
  expect((await cache.get('x', async () => new Fake('x'))).key).toBe('x');
});

test('SerialQueue runs jobs one after another, even when one fails', async () => {
  const q = new SerialQueue();
  const log: string[] = [];
  const job = (name: string, ms: number, fail = false) => async () => {
    log.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`end ${name}`);
    if (fail) throw new Error(name);
    return name;
  };
  const results = await Promise.allSettled([q.run(job('a', 20)), q.run(job('b', 1, true)), q.run(job('c', 1))]);
  expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
});
