/**
 * Big-endian unsigned integers of 1..6 bytes in byte buffers, for the store's record layouts
 * (amounts in fen need 6 bytes: up to 12 digits fit below 2^48). One function reads and writes:
 * on Espruino every function costs RAM (~7 blocks here), its body length nothing. @hot, no
 * allocation (division, not shifts, so values above 2^32 work).
 */

/**
 * Without `v`: b[at..at+n) as an unsigned number. With `v` (0 <= v < 2^48): v written into
 * b[at..at+n) (returns v). @hot
 */
export function beN(b: Uint8Array, at: number, n: number, v?: number): number {
  if (v === undefined) {
    let r = 0;
    for (let i = at; i < at + n; i++) r = r * 256 + b[i];
    return r;
  }
  let x: number = v;
  for (let i = at + n - 1; i >= at; i--) {
    const lo = x % 256;
    b[i] = lo;
    x = (x - lo) / 256;
  }
  return v;
}
