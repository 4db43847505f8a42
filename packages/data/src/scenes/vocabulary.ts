/**
 * The vocabulary of the built-in spatial-scenes dataset: shape classes (mask ids), colours, sizes,
 * image regions, background textures.
 */

/** Shape classes; the class-mask id of SHAPES[i] is i + 1 (0 = background). */
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'hexagon', 'diamond', 'cross', 'ring'] as const;
export type ShapeName = (typeof SHAPES)[number];

/** Names of the class-mask ids: index = id. */
export const MASK_CLASSES: readonly string[] = ['background', ...SHAPES];

export const COLOURS = {
  red: [215, 38, 38],
  green: [38, 160, 60],
  blue: [36, 84, 215],
  yellow: [240, 205, 35],
  purple: [135, 55, 175],
  orange: [245, 135, 25],
  white: [245, 245, 240],
  black: [28, 28, 30],
} as const satisfies Record<string, readonly [number, number, number]>;
export type ColourName = keyof typeof COLOURS;
export const COLOUR_NAMES = Object.keys(COLOURS) as ColourName[];

/** Background tones (muted, so that every object colour stands out on some of them). */
export const BACKGROUND_COLOURS = {
  grey: [150, 150, 150],
  beige: [215, 200, 170],
  'light blue': [170, 200, 225],
  'dark green': [45, 80, 55],
  brown: [120, 85, 60],
  pink: [230, 185, 195],
  navy: [35, 45, 85],
} as const satisfies Record<string, readonly [number, number, number]>;
export type BackgroundColourName = keyof typeof BACKGROUND_COLOURS;
export const BACKGROUND_COLOUR_NAMES = Object.keys(BACKGROUND_COLOURS) as BackgroundColourName[];

/** Background textures and how captions name them ("on a striped beige background"). */
export const TEXTURES = { plain: 'plain', stripes: 'striped', checker: 'checkered', dots: 'dotted', noise: 'grainy', gradient: 'shaded' } as const;
export type TextureName = keyof typeof TEXTURES;
export const TEXTURE_NAMES = Object.keys(TEXTURES) as TextureName[];

/**
 * Size classes by the object's radius (half extent) as a fraction of the image's shorter side: the
 * ranges radii are drawn from in the default scenes. With `perspective`, radii follow depth instead and
 * `sizeOf` names them (boundaries at the lower ends of medium and large).
 */
export const SIZES = { small: [0.07, 0.11], medium: [0.12, 0.17], large: [0.18, 0.25] } as const;
export type SizeName = keyof typeof SIZES;
export const SIZE_NAMES = Object.keys(SIZES) as SizeName[];

/** The size class (caption word) of a radius given as a fraction of the image's shorter side. */
export function sizeOf(radiusFraction: number): SizeName {
  return radiusFraction < SIZES.medium[0] ? 'small' : radiusFraction < SIZES.large[0] ? 'medium' : 'large';
}

/** The 3×3 image regions, row-major (top-left first), as caption phrases. */
export const REGIONS = [
  'in the upper left', 'at the top', 'in the upper right',
  'on the left', 'in the center', 'on the right',
  'in the lower left', 'at the bottom', 'in the lower right',
] as const;

/** Region index (0..8) of a point in a width × height image. */
export function regionOf(x: number, y: number, width: number, height: number): number {
  const col = Math.min(2, Math.max(0, Math.floor((3 * x) / width)));
  const row = Math.min(2, Math.max(0, Math.floor((3 * y) / height)));
  return row * 3 + col;
}
