/** Big-endian integers in byte buffers, for the store's record layouts. All @hot, no allocation. */

/** @hot */
export function putU16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 255;
  b[at + 1] = v & 255;
}

/** @hot */
export function getU16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

/** @hot */
export function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 255;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}

/** @hot */
export function getU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** A non-negative integer below 2^48 (amounts in fen: up to 12 digits fit). @hot */
export function putU48(b: Uint8Array, at: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  putU16(b, at, hi);
  putU32(b, at + 2, v - hi * 4294967296);
}

/** @hot */
export function getU48(b: Uint8Array, at: number): number {
  return getU16(b, at) * 4294967296 + getU32(b, at + 2);
}
