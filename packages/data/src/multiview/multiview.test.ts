import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetFormatError } from '../errors';
import { decodeImage } from '../image/decode';
import { intrinsicsFromFov, invertRigid, lookAt, pixelRay, projectPoint, type PinholeCamera } from './camera';
import { generateMultiviewScenes } from './generate';
import { toRows } from './layout';
import { raycastView } from './raycast';
import { loadMultiviewImages, readMultiviewManifest } from './read';
import type { MultiviewScene } from './scene';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mv-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThan(tol);

describe('cameras (hand-worked)', () => {
  // Camera at (0, 0, 3) looking at the origin, 64×64, fx = fy = 32 / tan(22.5°) (45° field of view).
  const f = 32 / Math.tan(Math.PI / 8);
  const cam: PinholeCamera = { width: 64, height: 64, K: intrinsicsFromFov(45, 64, 64), c2w: lookAt([0, 0, 3], [0, 0, 0]) };

  it('K and the camera-to-world axes', () => {
    expect(cam.K.map((v) => +v.toFixed(9))).toEqual([+f.toFixed(9), 0, 32, 0, +f.toFixed(9), 32, 0, 0, 1]);
    // Looking down −z: camera x = world +x, camera y (down) = world −y, camera z = world −z, centre (0, 0, 3).
    const expected = [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 3, 0, 0, 0, 1];
    cam.c2w.forEach((v, i) => close(v, expected[i]!, 1e-12));
  });

  it('projects points where the pinhole model puts them', () => {
    const o = projectPoint(cam, [0, 0, 0]);
    close(o.u, 32, 1e-9);
    close(o.v, 32, 1e-9);
    close(o.depth, 3, 1e-9);
    const right = projectPoint(cam, [0.5, 0, 0]); // depth 3 → u = cx + f·0.5/3
    close(right.u, 32 + (f * 0.5) / 3, 1e-9);
    close(right.v, 32, 1e-9);
    const up = projectPoint(cam, [0, 0.3, 1]); // depth 2, world up is image up: v = cy − f·0.3/2
    close(up.v, 32 - (f * 0.3) / 2, 1e-9);
    close(up.depth, 2, 1e-9);
  });

  it('pixel rays go back through the projected points; the inverse is an inverse', () => {
    const p: [number, number, number] = [0.3, -0.2, 0.4];
    const { u, v } = projectPoint(cam, p);
    const ray = pixelRay(cam, u, v);
    const t = Math.hypot(p[0] - ray.origin[0], p[1] - ray.origin[1], p[2] - ray.origin[2]);
    for (let k = 0; k < 3; k++) close(ray.origin[k]! + t * ray.direction[k]!, p[k]!, 1e-9);
    const c2w = lookAt([1.2, 2, -1.5], [0.1, 0, 0.2]);
    const inv = invertRigid(c2w);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += c2w[i * 4 + k]! * inv[k * 4 + j]!;
        close(s, i === j ? 1 : 0, 1e-12);
      }
  });
});

describe('ray caster', () => {
  it('a sphere at the origin is a disc of the closed-form radius', () => {
    const size = 64;
    const d = 2.7;
    const r = 0.5;
    const cam: PinholeCamera = { width: size, height: size, K: intrinsicsFromFov(45, size, size), c2w: lookAt([0, 0, d], [0, 0, 0]) };
    const scene: MultiviewScene = {
      objects: [{ kind: 'sphere', center: [0, 0, 0], size: [r, r, r], rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], color: [1, 0, 0] }],
      lightDir: [0, 0, 1],
      ambient: 0.3,
      background: [1, 1, 1],
    };
    const img = raycastView(scene, cam, 1);
    const f = cam.K[0]!;
    const R = (f * r) / Math.sqrt(d * d - r * r); // tan(asin(r/d)) · f
    let checked = 0;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const dist = Math.hypot(x + 0.5 - 32, y + 0.5 - 32);
        const id = img.objectIds[y * size + x]!;
        if (dist < R - 0.05) {
          expect(id).toBe(0);
          checked++;
        } else if (dist > R + 0.05) expect(id).toBe(-1);
      }
    expect(checked).toBeGreaterThan(100);
    // The pixel facing the light head-on is fully lit: albedo · (ambient + (1 − ambient)·1).
    const c = (32 * size + 32) * 3;
    expect(Array.from(img.rgb.slice(c, c + 3))).toEqual([255, 0, 0]);
  });

  it('boxes, cylinders and cones have the analytic silhouettes seen from the front', () => {
    const size = 48;
    const cam: PinholeCamera = { width: size, height: size, K: intrinsicsFromFov(45, size, size), c2w: lookAt([0, 0, 3], [0, 0, 0]) };
    const f = cam.K[0]!;
    const I = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    const mk = (kind: 'box' | 'cylinder' | 'cone', s: [number, number, number]): MultiviewScene => ({
      objects: [{ kind, center: [0, 0, 0], size: s, rotation: I, color: [0, 1, 0] }],
      lightDir: [0, 1, 0],
      ambient: 0.5,
      background: [0, 0, 0],
    });
    // Box: the front face (z = +0.3, depth 2.7) is a rectangle of half-width f·0.4/2.7.
    const box = raycastView(mk('box', [0.4, 0.2, 0.3]), cam, 1);
    const hw = (f * 0.4) / 2.7;
    const hh = (f * 0.2) / 2.7;
    const at = (im: typeof box, x: number, y: number) => im.objectIds[y * size + x]!;
    expect(at(box, Math.floor(24 + hw - 1), 24)).toBe(0);
    expect(at(box, Math.ceil(24 + hw + 1), 24)).toBe(-1);
    expect(at(box, 24, Math.floor(24 - hh + 0.5))).toBe(0);
    expect(at(box, 24, Math.floor(24 - hh - 1.5))).toBe(-1);
    // Cylinder (axis y, radius 0.3, half height 0.4): at the centre row, silhouette half width = f·tan(asin(0.3/3)).
    const cyl = raycastView(mk('cylinder', [0.3, 0.4, 0]), cam, 1);
    const cw = f * Math.tan(Math.asin(0.3 / 3));
    expect(at(cyl, Math.floor(24 + cw - 1), 24)).toBe(0);
    expect(at(cyl, Math.ceil(24 + cw + 1), 24)).toBe(-1);
    // Cone (apex up): narrow near the top, wide near the bottom.
    const cone = raycastView(mk('cone', [0.4, 0.4, 0]), cam, 1);
    const widthAt = (y: number) => Array.from({ length: size }, (_, x) => at(cone, x, y)).filter((id) => id === 0).length;
    expect(widthAt(Math.round(24 - (f * 0.3) / 3))).toBeLessThan(widthAt(Math.round(24 + (f * 0.3) / 3)));
  });
});

describe('generateMultiviewScenes', () => {
  it('is deterministic and writes the documented layout', async () => {
    const a = await generateMultiviewScenes({ out: join(dir, 'a'), count: 3, views: 4, size: 24, seed: 7 });
    const b = await generateMultiviewScenes({ out: join(dir, 'b'), count: 3, views: 4, size: 24, seed: 7 });
    const c = await generateMultiviewScenes({ out: join(dir, 'c'), count: 3, views: 4, size: 24, seed: 8 });
    const [ma, mb, mc] = await Promise.all([a, b, c].map((r) => readFile(r.manifest, 'utf8')));
    expect(ma).toBe(mb);
    expect(ma).not.toBe(mc);
    const pa = await readFile(join(dir, 'a', 'train', 'train-000002', '03.png'));
    const pb = await readFile(join(dir, 'b', 'train', 'train-000002', '03.png'));
    expect(Buffer.compare(pa, pb)).toBe(0);
    const recs = await readMultiviewManifest(a.manifest);
    expect(recs).toHaveLength(3);
    expect(recs[0]!.views).toHaveLength(4);
    expect(recs[0]!.split).toBe('train');
    const imgs = await loadMultiviewImages(recs[1]!);
    expect(imgs).toHaveLength(4);
    expect(imgs[0]!.length).toBe(24 * 24 * 3);
    expect(Math.max(...imgs[0]!)).toBeLessThanOrEqual(1);
  });

  it('train and eval splits share no scene', async () => {
    const tr = await generateMultiviewScenes({ out: join(dir, 'split'), count: 25, views: 2, size: 8, seed: 1, split: 'train' });
    const ev = await generateMultiviewScenes({ out: join(dir, 'split'), count: 25, views: 2, size: 8, seed: 1, split: 'eval' });
    const key = (r: { extra: Record<string, unknown> }) => JSON.stringify(r.extra.objects);
    const trainKeys = new Set((await readMultiviewManifest(tr.manifest)).map(key));
    const evalRecs = await readMultiviewManifest(ev.manifest);
    expect(trainKeys.size).toBe(25);
    for (const r of evalRecs) expect(trainKeys.has(key(r))).toBe(false);
  });

  it('a scene object projected with the saved matrices lands on a pixel of that object', async () => {
    // One object per scene, so nothing occludes it; the centre of a convex solid projects inside its silhouette.
    const res = await generateMultiviewScenes({ out: join(dir, 'proj'), count: 8, views: 5, size: 48, seed: 3, objects: [1, 1], supersample: 1 });
    const recs = await readMultiviewManifest(res.manifest);
    let checked = 0;
    for (const rec of recs) {
      const obj = (rec.extra.objects as { center: [number, number, number]; color: [number, number, number] }[])[0]!;
      const ambient = (rec.extra.light as { ambient: number }).ambient;
      for (const view of rec.views) {
        const { u, v } = projectPoint(view.camera, obj.center);
        const img = await decodeImage(view.image);
        const o = (Math.floor(v) * img.width + Math.floor(u)) * 3;
        const px = [img.data[o]! / 255, img.data[o + 1]! / 255, img.data[o + 2]! / 255];
        // Lambert + ambient scales the albedo: pixel = albedo · shade with shade in [ambient, 1].
        const dot = px[0]! * obj.color[0] + px[1]! * obj.color[1] + px[2]! * obj.color[2];
        const shade = dot / (obj.color[0] ** 2 + obj.color[1] ** 2 + obj.color[2] ** 2);
        const cos = dot / (Math.hypot(...px) * Math.hypot(...obj.color));
        expect(cos).toBeGreaterThan(0.998);
        expect(shade).toBeGreaterThan(ambient - 0.02);
        expect(shade).toBeLessThan(1.02);
        checked++;
      }
    }
    expect(checked).toBe(40);
  });

  it('rejects bad options and bad manifests with typed errors', async () => {
    await expect(generateMultiviewScenes({ out: dir, count: 1, views: 1 })).rejects.toThrow(/views must be an integer ≥ 2/);
    const K = toRows(intrinsicsFromFov(45, 8, 8), 3);
    const good = { id: 's', width: 8, height: 8, views: [{ image: 'a.png', K, c2w: toRows(lookAt([0, 0, 3], [0, 0, 0]), 4) }, { image: 'b.png', K, c2w: toRows(lookAt([3, 0, 0], [0, 0, 0]), 4) }] };
    const write = async (line: unknown) => {
      const p = join(dir, `bad-${Math.random().toString(36).slice(2)}.jsonl`);
      await writeFile(p, JSON.stringify(line) + '\n');
      return readMultiviewManifest(p);
    };
    await expect(write(good)).resolves.toHaveLength(1);
    await expect(write({ ...good, views: [good.views[0]] })).rejects.toThrow(DatasetFormatError);
    const scaled = { ...good, views: [good.views[0], { ...good.views[1], c2w: [[2, 0, 0, 3], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]] }] };
    await expect(write(scaled)).rejects.toThrow(/not orthonormal/);
    const badK = { ...good, views: [{ ...good.views[0], K: [[-1, 0, 4], [0, 5, 4], [0, 0, 1]] }, good.views[1]] };
    await expect(write(badK)).rejects.toThrow(/positive focal lengths/);
    await expect(readMultiviewManifest(join(dir, 'missing.jsonl'))).rejects.toThrow(/cannot read multi-view manifest/);
  });

  it('an OpenGL camera is converted so that it sees what the OpenCV one sees', async () => {
    const cv = lookAt([0.5, 1, 2.5], [0, 0, 0]);
    const gl = [...cv];
    for (const r of [0, 4, 8]) {
      gl[r + 1] = -cv[r + 1]!;
      gl[r + 2] = -cv[r + 2]!;
    }
    const K = toRows(intrinsicsFromFov(45, 8, 8), 3);
    const p = join(dir, 'gl.jsonl');
    await writeFile(p, JSON.stringify({ width: 8, height: 8, convention: 'opengl', views: [{ image: 'x.png', K, c2w: toRows(gl, 4) }, { image: 'y.png', K, c2w: toRows(gl, 4) }] }));
    const [rec] = await readMultiviewManifest(p);
    rec!.views[0]!.camera.c2w.forEach((v, i) => close(v, cv[i]!, 1e-12));
  });
});
