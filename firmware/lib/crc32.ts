/**
 * CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320): the same value as zlib's crc32 and Espruino's
 * E.CRC32. Works on a range of a Uint8Array so callers never slice; the 256-entry table is built
 * once, at module load, into an Int32Array (1 KiB).
 *
 * Espruino's native E.CRC32 is faster but takes a whole string/array: checking a range with it
 * would need a subarray per call, so the record log uses this one.
 */
const TABLE = new Int32Array(256);
(function buildTable(): void {
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    TABLE[n] = c;
  }
})();

/**
 * Continue a CRC over data[from..to): pass 0 to start. Returns the CRC as an unsigned number.
 * @hot
 */
export function crc32Update(crc: number, data: Uint8Array, from: number, to: number): number {
  let c = ~crc;
  for (let i = from; i < to; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * CRC-32 of data[from..to), unsigned.
 * @hot
 */
export function crc32(data: Uint8Array, from: number, to: number): number {
  return crc32Update(0, data, from, to);
}
