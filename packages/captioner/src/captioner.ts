/**
 * The one interface every captioning backend implements. A backend turns a batch of images into
 * one caption per image; `captionSettled` reports each image's outcome separately so that a batch
 * job can keep the successes of a batch in which some images failed.
 */

/** Decoded pixels, row-major, interleaved channels (1 = grey, 3 = RGB, 4 = RGBA), 8 bits each. */
export interface RawPixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** An image given as a file path, as encoded bytes (PNG, JPEG, WebP, GIF …) or as decoded pixels. */
export type CaptionImage = string | Uint8Array | RawPixels;

export interface CaptionOptions {
  /** The instruction sent with the image (see `promptFor`). Backends that take no prompt ignore it. */
  prompt: string;
  /** Upper bound on the number of generated tokens per caption. */
  maxTokens: number;
  /** Aborts requests in flight (the batch then rejects with the abort reason). */
  signal?: AbortSignal;
}

export type CaptionResult = { ok: true; caption: string } | { ok: false; error: Error };

export interface Captioner {
  /** Backend name written to the output's provenance ('openai', 'transformers', 'template'). */
  readonly backend: string;
  /** Model identifier written to the output's provenance. */
  readonly model: string;
  /** One caption per image, in order; rejects with the first failure. */
  caption(images: readonly CaptionImage[], options: CaptionOptions): Promise<string[]>;
  /** One outcome per image, in order; never rejects for a single image's failure. */
  captionSettled(images: readonly CaptionImage[], options: CaptionOptions): Promise<CaptionResult[]>;
  /** Releases models, sockets and sessions. */
  close?(): Promise<void>;
}

/** Implements `caption` on top of `captionSettled`. */
export abstract class BaseCaptioner implements Captioner {
  abstract readonly backend: string;
  abstract readonly model: string;
  abstract captionSettled(images: readonly CaptionImage[], options: CaptionOptions): Promise<CaptionResult[]>;

  async caption(images: readonly CaptionImage[], options: CaptionOptions): Promise<string[]> {
    const results = await this.captionSettled(images, options);
    return results.map((r) => {
      if (!r.ok) throw r.error;
      return r.caption;
    });
  }
}

/** Turns a thrown value into an Error (so that CaptionResult always carries one). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
