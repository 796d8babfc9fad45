/**
 * Digits for composite fields. BCD nibble layout (used inline by message.ts and codec.ts, which
 * keep no helper functions for it: each costs RAM on Espruino): a body of n digits takes
 * (n+1)>>1 bytes; with an odd n the pad nibble is the first one (right-aligned) or the last one
 * (left-aligned). Digit i (0 = most significant) sits at nibble i (left-aligned) or i + (n & 1)
 * (right-aligned); nibble k of the body at off is the high half of byte off + (k >> 1) when k is
 * even.
 */

/**
 * Write `value` (an integer 0 <= value < 10^digits, digits <= 15) as ASCII digits into
 * dst[off .. off+digits), zero-padded. For composite fields (60: type + batch + code) that the
 * caller assembles in a scratch buffer before `setDigits`. @hot
 */
export function writeAsciiDigits(dst: Uint8Array, off: number, value: number, digits: number): void {
  let v = value;
  for (let i = digits - 1; i >= 0; i--) {
    const d = v % 10;
    dst[off + i] = 48 + d;
    v = (v - d) / 10;
  }
}
