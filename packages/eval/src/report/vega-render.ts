import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { ReportError } from '../errors';

/**
 * Renders a Vega-Lite spec offline: vega-lite compiles it to Vega, Vega renders it headless to SVG
 * (renderer 'none', no canvas, no network: data must be inline), sharp (librsvg) rasterises the SVG
 * to PNG at `scale`× its size.
 */
export async function renderVegaLite(spec: TopLevelSpec, scale = 2): Promise<{ svg: string; png: Buffer }> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  let view: InstanceType<typeof vega.View> | null = null;
  try {
    const compiled = vl.compile(spec).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    const svg = await view.toSVG();
    const png = await sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
    return { svg, png };
  } catch (e) {
    throw new ReportError(`could not render chart '${(spec as { title?: unknown }).title ?? 'untitled'}': ${(e as Error).message}`, { cause: e });
  } finally {
    view?.finalize();
  }
}
