import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * Writes `n` distinct small PNGs and a JSONL manifest of them (`id`, relative `image`, `web_caption`)
 * into `dir`; returns the manifest path and each record's image bytes by id.
 */
export async function makeImageManifest(dir: string, n: number, name = 'manifest.jsonl'): Promise<{ manifest: string; bytes: Map<string, Uint8Array>; ids: string[] }> {
  await mkdir(join(dir, 'images'), { recursive: true });
  const bytes = new Map<string, Uint8Array>();
  const ids: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `img-${String(i).padStart(4, '0')}`;
    const png = new Uint8Array(
      await sharp({ create: { width: 6, height: 4, channels: 3, background: { r: i % 256, g: (i * 7) % 256, b: Math.floor(i / 256) } } })
        .png()
        .toBuffer(),
    );
    await writeFile(join(dir, 'images', `${id}.png`), png);
    bytes.set(id, png);
    ids.push(id);
    lines.push(JSON.stringify({ id, image: `images/${id}.png`, web_caption: `photo ${i}` }));
    if (i === 2) lines.push('# comments and blank lines are skipped', '');
  }
  const manifest = join(dir, name);
  await writeFile(manifest, `${lines.join('\n')}\n`);
  return { manifest, bytes, ids };
}

/** Parses a JSONL file's complete lines. */
export function parseJsonl(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
