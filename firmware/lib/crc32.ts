/**
 * CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320): the same value as zlib's crc32 and Espruino's
 * E.CRC32. Works on a range of a Uint8Array so callers never slice. Four bits at a time from a
 * 16-entry table (Int32Array(16), 64 bytes, built at load): a byte-wise table would hold 1 KiB of
 * RAM for the few hundred bytes a record write or a boot scan checks.
 *
 * On Espruino a range goes to the native E.CRC32 through a subarray view: one block for the
 * length of the call, against ~76,000 instructions a byte for this loop (a 100-byte record:
 * 87,000 instructions instead of 7.6 million). The loop stays for Node and for continuing a CRC.
 */
const NIBBLE = new Int32Array(16);
(function buildTable(): void {
  for (let n = 0; n < 16; n++) {
    let c = n;
    for (let k = 0; k < 4; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    NIBBLE[n] = c;
  }
})();

declare const E: { CRC32(data: Uint8Array): number } | undefined;

/**
 * CRC-32 of data[from..to), unsigned; `crc` continues an earlier one (omit it, or 0, to start).
 * Not marked hot: the native path makes a view (above).
 */
export function crc32(data: Uint8Array, from: number, to: number, crc?: number): number {
  if (!crc && to > from && typeof E !== "undefined" && E) return E.CRC32(data.subarray(from, to)) >>> 0;
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
