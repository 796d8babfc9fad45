/**
 * CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320): the same value as zlib's crc32 and Espruino's
 * E.CRC32. Works on a range of a Uint8Array so callers never slice. Four bits at a time from a
 * 16-entry table (Int32Array(16), 64 bytes, built at load): a byte-wise table would hold 1 KiB of
 * RAM for the few hundred bytes a record write or a boot scan checks.
 *
 * Espruino's native E.CRC32 is faster but takes a whole string/array: checking a range with it
 * would need a subarray per call, so the record log uses this one.
 */
const NIBBLE = new Int32Array(16);
(function buildTable(): void {
  for (let n = 0; n < 16; n++) {
    let c = n;
    for (let k = 0; k < 4; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    NIBBLE[n] = c;
  }
})();

/**
 * CRC-32 of data[from..to), unsigned; `crc` continues an earlier one (omit it, or 0, to start).
 * @hot
 */
export function crc32(data: Uint8Array, from: number, to: number, crc?: number): number {
  const t = NIBBLE; // a local: Espruino looks module-level names up by walking its scope
  let c = ~((crc as number) | 0);
  for (let i = from; i < to; i++) {
    c ^= data[i];
    c = t[c & 15] ^ (c >>> 4);
    c = t[c & 15] ^ (c >>> 4);
  }
  return ~c >>> 0;
}

/** Continue a CRC over data[from..to): crc32 with a starting value (pass 0 to start). */
export function crc32Update(crc: number, data: Uint8Array, from: number, to: number): number {
  return crc32(data, from, to, crc);
}
