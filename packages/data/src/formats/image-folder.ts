import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { DatasetFormatError } from '../errors';

export const IMAGE_FILE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'];

/** An image-classification folder: `root/<class name>/<image>`, classes sorted by name (ids 0..K-1). */
export interface ImageFolder {
  root: string;
  classes: string[];
  items: { path: string; label: number; className: string }[];
}

/**
 * Reads a class-per-sub-folder image dataset (torchvision ImageFolder layout) for kNN / linear-probe
 * evaluation. Classes and the files in each are sorted by name, so ids and order are stable.
 * Files with other extensions are ignored; a class folder without images is an error.
 */
export async function readImageFolder(root: string, extensions: readonly string[] = IMAGE_FILE_EXTENSIONS): Promise<ImageFolder> {
  const dir = resolve(root);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new DatasetFormatError(`${dir}: cannot read image folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  const classes = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (classes.length === 0) throw new DatasetFormatError(`${dir}: no class sub-folders; expected root/<class>/<image files>`);
  const exts = new Set(extensions.map((e) => e.toLowerCase()));
  const items: ImageFolder['items'] = [];
  for (const [label, className] of classes.entries()) {
    const files = (await readdir(join(dir, className))).filter((f) => exts.has(extname(f).toLowerCase())).sort();
    if (files.length === 0) throw new DatasetFormatError(`${join(dir, className)}: class folder has no images (${[...exts].join(', ')})`);
    for (const f of files) {
      const path = join(dir, className, f);
      if ((await stat(path)).isFile()) items.push({ path, label, className });
    }
  }
  return { root: dir, classes, items };
}
