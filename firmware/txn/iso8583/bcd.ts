/**
 * Digit <-> BCD nibble helpers shared by the message setters/getters and unpack. A body of n
 * digits takes (n+1)>>1 bytes; with an odd n the pad nibble is the first one (right-aligned) or
 * the last one (left-aligned). Digit i (0 = most significant) sits at nibble i (left-aligned) or
 * i + (n & 1) (right-aligned).
 */

/** @hot */
export function digitNibble(i: number, n: number, left: boolean): number {
  return left ? i : i + (n & 1);
}

/** Nibble `nib` of the body at buf[off]. @hot */
export function getNibble(buf: Uint8Array, off: number, nib: number): number {
  const b = buf[off + (nib >> 1)];
  return nib & 1 ? b & 15 : b >> 4;
}

/** Set nibble `nib` of the body at buf[off] (the other nibble of the byte is kept). @hot */
export function setNibble(buf: Uint8Array, off: number, nib: number, v: number): void {
  const at = off + (nib >> 1);
  buf[at] = nib & 1 ? (buf[at] & 0xf0) | v : (buf[at] & 0x0f) | (v << 4);
}

/**
 * True when the n-digit BCD body at buf[off] holds only digits (and, for track data, the
 * separator nibble D), with a pad nibble of 0 or F. The caller has checked the bytes exist.
 * @hot
 */
export function validBcd(buf: Uint8Array, off: number, n: number, left: boolean, track: boolean): boolean {
  const nibbles = ((n + 1) >> 1) * 2;
  const pad = n & 1 ? (left ? nibbles - 1 : 0) : -1;
  for (let k = 0; k < nibbles; k++) {
    const v = getNibble(buf, off, k);
    if (k === pad) {
      if (v !== 0 && v !== 15) return false;
    } else if (v > 9 && !(track && v === 13)) return false;
  }
  return true;
}

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
