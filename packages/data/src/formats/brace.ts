import { DatasetFormatError } from '../errors';

/**
 * Expands WebDataset-style shard patterns: numeric ranges `{0000..0099}` (zero-padded to the width of
 * the first bound) and lists `{train,val}`, several per pattern, left to right. A list of patterns is
 * expanded one by one and concatenated. `shards-{0000..0002}.tar` → shards-0000.tar, shards-0001.tar, shards-0002.tar.
 */
export function expandBraces(patterns: string | readonly string[]): string[] {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  return list.flatMap((p) => expandOne(p));
}

function expandOne(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) {
    if (pattern.includes('}')) throw new DatasetFormatError(`shard pattern '${pattern}': '}' without '{'`);
    return [pattern];
  }
  const close = pattern.indexOf('}', open);
  if (close < 0) throw new DatasetFormatError(`shard pattern '${pattern}': '{' without '}'`);
  const head = pattern.slice(0, open);
  const body = pattern.slice(open + 1, close);
  const rest = expandOne(pattern.slice(close + 1));
  const range = /^(\d+)\.\.(\d+)$/.exec(body);
  let items: string[];
  if (range) {
    const [a, b] = [range[1]!, range[2]!];
    const lo = Number.parseInt(a, 10);
    const hi = Number.parseInt(b, 10);
    if (hi < lo) throw new DatasetFormatError(`shard pattern '${pattern}': range {${body}} is empty (end < start)`);
    const width = a.length;
    items = [];
    for (let i = lo; i <= hi; i++) items.push(String(i).padStart(width, '0'));
  } else if (body.includes(',')) {
    items = body.split(',');
  } else {
    throw new DatasetFormatError(`shard pattern '${pattern}': {${body}} is neither a range {a..b} nor a list {x,y}`);
  }
  return items.flatMap((it) => rest.map((r) => head + it + r));
}
