/** UTF-8 helpers that follow SentencePiece's string_util (src/util.h, util.cc). */

const ONE_CHAR_LEN = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4];

/** Length of the UTF-8 character starting with `lead`, from its first byte only (string_util::OneCharLen). */
export function oneCharLen(lead: number): number {
  return ONE_CHAR_LEN[(lead & 0xff) >> 4]!;
}

const isTrail = (b: number | undefined): boolean => b !== undefined && (b & 0xc0) === 0x80;

/**
 * Decodes one character at `pos` (string_util::DecodeUTF8 + IsValidDecodeUTF8): returns its byte
 * length and whether it is well-formed. A malformed sequence has length 1 and valid = false.
 */
export function decodeUtf8Char(bytes: Uint8Array, pos: number, end = bytes.length): { length: number; valid: boolean } {
  const b0 = bytes[pos]!;
  const left = end - pos;
  if (b0 < 0x80) return { length: 1, valid: true };
  if (left >= 2 && (b0 & 0xe0) === 0xc0 && isTrail(bytes[pos + 1])) {
    const cp = ((b0 & 0x1f) << 6) | (bytes[pos + 1]! & 0x3f);
    if (cp >= 0x80) return { length: 2, valid: true };
  } else if (left >= 3 && (b0 & 0xf0) === 0xe0 && isTrail(bytes[pos + 1]) && isTrail(bytes[pos + 2])) {
    const cp = ((b0 & 0x0f) << 12) | ((bytes[pos + 1]! & 0x3f) << 6) | (bytes[pos + 2]! & 0x3f);
    if (cp >= 0x800 && (cp < 0xd800 || cp >= 0xe000)) return { length: 3, valid: true };
  } else if (left >= 4 && (b0 & 0xf8) === 0xf0 && isTrail(bytes[pos + 1]) && isTrail(bytes[pos + 2]) && isTrail(bytes[pos + 3])) {
    const cp = ((b0 & 0x07) << 18) | ((bytes[pos + 1]! & 0x3f) << 12) | ((bytes[pos + 2]! & 0x3f) << 6) | (bytes[pos + 3]! & 0x3f);
    if (cp >= 0x10000 && cp <= 0x10ffff) return { length: 4, valid: true };
  }
  return { length: 1, valid: false };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

export function utf8Decode(bytes: Uint8Array, begin = 0, end = bytes.length): string {
  return decoder.decode(bytes.subarray(begin, end));
}

/** "▁" (U+2581), SentencePiece's escaped whitespace, as UTF-8. */
export const SPACE_SYMBOL = Uint8Array.of(0xe2, 0x96, 0x81);

/** U+FFFD REPLACEMENT CHARACTER as UTF-8. */
export const REPLACEMENT_CHAR = Uint8Array.of(0xef, 0xbf, 0xbd);

/** A growable byte array. */
export class ByteBuilder {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  push(byte: number): void {
    this.reserve(1);
    this.buf[this.length++] = byte;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  endsWith(suffix: Uint8Array): boolean {
    if (suffix.length > this.length) return false;
    const off = this.length - suffix.length;
    for (let i = 0; i < suffix.length; i++) if (this.buf[off + i] !== suffix[i]) return false;
    return true;
  }

  truncate(length: number): void {
    this.length = Math.max(0, Math.min(this.length, length));
  }

  /** A copy of the bytes written so far. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
