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
  if (n <= 4 && v >= 0 && v < 4294967296) {
    // up to 32 bits by shifts, no loop (most fields: trace, times, lengths, CRCs; on Espruino a
    // loop step with its three statements costs ~40,000 instructions a byte)
    const e = at + n - 1;
    b[e] = v & 255;
    if (n > 1) b[e - 1] = (v >>> 8) & 255;
    if (n > 2) b[e - 2] = (v >>> 16) & 255;
    if (n > 3) b[e - 3] = v >>> 24;
    return v;
  }
  let x: number = v;
  for (let i = at + n - 1; i >= at; i--) {
    const lo = x % 256;
    b[i] = lo;
    x = (x - lo) / 256;
  }
  return v;
}
