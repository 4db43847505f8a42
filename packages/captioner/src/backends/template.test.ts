import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenes, REGIONS, type SceneObject } from '@tips/data';
import { TemplateCaptioner } from './template';
import { manifestRecords } from '../job/manifest-records';
import type { JobRecord } from '../job/record';
import { runCaptionJob } from '../job/run-caption-job';
import { GRANULARITIES } from '../prompts';
import { plural } from '../templates/english';

/** The scenes' region phrases (computed by @tips/data) → our grid-cell phrases. */
const REGION_TO_CELL: Record<(typeof REGIONS)[number], string> = {
  'in the upper left': 'in the top left of the image',
  'at the top': 'at the top of the image',
  'in the upper right': 'in the top right of the image',
  'on the left': 'on the left of the image',
  'in the center': 'in the centre of the image',
  'on the right': 'on the right of the image',
  'in the lower left': 'in the bottom left of the image',
  'at the bottom': 'at the bottom of the image',
  'in the lower right': 'in the bottom right of the image',
};

type Rel = 'left of' | 'right of' | 'above' | 'below' | 'in front of' | 'partly hidden behind';

/** Whether `rel` holds between scene objects a and b, judged from the scene's own annotations. */
function holds(rel: Rel, objects: SceneObject[], a: number, b: number): boolean {
  const A = objects[a]!;
  const B = objects[b]!;
  const dx = A.center[0] - B.center[0];
  const dy = A.center[1] - B.center[1];
  switch (rel) {
    case 'left of':
      return dx < 0 && Math.abs(dx) >= Math.abs(dy);
    case 'right of':
      return dx > 0 && Math.abs(dx) >= Math.abs(dy);
    case 'above':
      return dy < 0 && Math.abs(dy) > Math.abs(dx);
    case 'below':
      return dy > 0 && Math.abs(dy) > Math.abs(dx);
    case 'partly hidden behind':
      return A.occluded_by.includes(b) && A.depth_m > B.depth_m;
    case 'in front of':
      return B.occluded_by.includes(a) && A.depth_m < B.depth_m;
  }
}

/** Objects a noun phrase can refer to: "[the] [size] colour class [in the <cell>]". */
function candidates(phrase: string, objects: SceneObject[]): number[] {
  return objects.flatMap((o, i) => {
    const cell = REGION_TO_CELL[o.region].replace(/^(in|on|at) the /, '').replace(/ of the image$/, '');
    const forms = [`${o.colour} ${o.class}`, `${o.size} ${o.colour} ${o.class}`, `${o.colour} ${o.class} in the ${cell}`];
    const p = phrase.replace(/^the /i, '');
    return forms.includes(p) || /^(first|second|third|fourth) /.test(p) ? [i] : [];
  });
}

describe('TemplateCaptioner on the built-in spatial scenes (@tips/data generateScenes)', () => {
  let dir: string;
  let records: JobRecord[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capt-scenes-'));
    await generateScenes({ out: dir, count: 40, seed: 7, width: 96, height: 96, objects: [2, 4], concurrency: 2 });
    records = [];
    for await (const r of manifestRecords(join(dir, 'train.jsonl'))) records.push(r);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('mentions every object, with its size, colour and the region the scene annotation gives', async () => {
    const captioner = new TemplateCaptioner();
    const short = await captioner.captionRecords(records, 'short');
    const detailed = await captioner.captionRecords(records, 'detailed');
    records.forEach((r, k) => {
      const objects = r.raw.objects as SceneObject[];
      const s = short[k]!;
      const d = detailed[k]!;
      if (!s.ok || !d.ok) throw new Error(`record ${r.id} failed`);
      for (const o of objects) {
        const n = objects.filter((x) => x.colour === o.colour && x.class === o.class).length;
        expect(s.caption).toContain(n === 1 ? `${o.colour} ${o.class}` : `${o.colour} ${plural(o.class)}`);
        // The scenes' own region (computed by @tips/data from the visible centroid) must match our grid cell.
        expect(d.caption).toContain(`${o.size} ${o.colour} ${o.class} ${REGION_TO_CELL[o.region]}`);
      }
    });
  });

  it('states only relations that hold in the annotations, and every occlusion', async () => {
    const spatial = await new TemplateCaptioner().captionRecords(records, 'spatial');
    const seen = new Set<Rel>();
    records.forEach((r, k) => {
      const res = spatial[k]!;
      if (!res.ok) throw res.error;
      const objects = r.raw.objects as SceneObject[];
      const sentences = res.caption.split(/(?<=\.) /);
      expect(sentences.length).toBeGreaterThanOrEqual(objects.length);
      for (const o of objects) expect(res.caption).toContain(`${o.colour} ${o.class}`);
      let relations = 0;
      for (const sentence of sentences) {
        const m =
          /^(?:The )(.+?) is (?:in|on|at) the .+? of the image, (left of|right of|above|below|in front of|partly hidden behind) (the .+)\.$/.exec(sentence) ??
          /^(?:The )(.+?) is (partly hidden behind) (the .+)\.$/.exec(sentence);
        if (!m) continue;
        relations++;
        const rel = m[2] as Rel;
        seen.add(rel);
        const subj = candidates(m[1]!, objects);
        const ref = candidates(m[3]!, objects);
        expect(subj.length).toBeGreaterThan(0);
        expect(ref.length).toBeGreaterThan(0);
        const ok = subj.some((a) => ref.some((b) => a !== b && holds(rel, objects, a, b)));
        if (!ok) throw new Error(`record ${r.id}: "${sentence}" does not hold in ${JSON.stringify(objects)}`);
      }
      expect(relations).toBeGreaterThanOrEqual(objects.length - 1);
      // Every occlusion the scene records is stated, from one side or the other.
      objects.forEach((o, a) =>
        o.occluded_by.forEach((b) => {
          const hidden = `${o.colour} ${o.class}`;
          const front = `${objects[b]!.colour} ${objects[b]!.class}`;
          const stated = sentences.some(
            (s) => (s.includes(hidden) && s.includes(`partly hidden behind the`) && s.includes(front)) || (s.includes(front) && s.includes('in front of the') && s.includes(hidden)),
          );
          if (!stated) throw new Error(`record ${r.id}: occlusion of object ${a} by ${b} not stated in "${res.caption}"`);
        }),
      );
    });
    // The 40 scenes exercise directional and depth relations.
    expect(seen.has('partly hidden behind')).toBe(true);
    expect([...seen].filter((x) => ['left of', 'right of', 'above', 'below'].includes(x)).length).toBeGreaterThanOrEqual(3);
  });

  it('captions a scenes manifest end to end with runCaptionJob (all granularities, as an array per record)', async () => {
    const out = join(dir, 'captioned.jsonl');
    const summary = await runCaptionJob({ manifest: join(dir, 'train.jsonl'), out, captioner: new TemplateCaptioner(), granularities: [...GRANULARITIES], batchSize: 7 });
    expect(summary).toMatchObject({ shardRecords: 40, todo: 40, captioned: 40, failed: [] });
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual(records.map((r) => r.id));
    for (const [k, l] of lines.entries()) {
      const { synthetic_caption, caption_provenance, ...rest } = l;
      const { synthetic_caption: _old, ...input } = records[k]!.raw;
      expect(rest).toEqual(input);
      expect(synthetic_caption).toHaveLength(3);
      expect(caption_provenance).toEqual({ backend: 'template', model: 'tips-spatial-templates-v1', granularity: ['short', 'detailed', 'spatial'], prompt: [null, null, null], source_index: k });
    }
  });
});
