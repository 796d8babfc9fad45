/**
 * Big-endian unsigned integers of 1..6 bytes in byte buffers, for the store's record layouts
 * (amounts in fen need 6 bytes: up to 12 digits fit below 2^48). Two functions rather than one
 * per width: on Espruino every function costs RAM, its body length nothing. All @hot, no
 * allocation (division, not shifts, so values above 2^32 work).
 */

/** Write `v` (0 <= v < 2^48) into b[at..at+n). @hot */
export function putN(b: Uint8Array, at: number, n: number, v: number): void {
  for (let i = at + n - 1; i >= at; i--) {
    const lo = v % 256;
    b[i] = lo;
    v = (v - lo) / 256;
  }
}

/** Read b[at..at+n) as an unsigned number. @hot */
export function getN(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 256 + b[i];
  return v;
}
