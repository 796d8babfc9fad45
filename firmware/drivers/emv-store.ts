/**
 * EMV data elements with a fixed-size slot each, allocated once: the chip reader keeps the
 * terminal's own data (amount, date, capabilities ...) and what the card returns in ONE store,
 * and builds DOL data and field 55 from it (emv-terminal.ts). Only the tags named in the store's
 * spec are kept; everything else a card sends is ignored. Values longer than their slot are
 * refused (the caller reports the card's data as malformed) rather than truncated.
 *
 * The spec is one string, four chars per slot: tag high byte, tag low byte (tags of 1-2 bytes),
 * slot size, flags (SLOT_NUMERIC: EMV format "n", BCD right-aligned; SLOT_CARD: filled from the
 * card, cleared with every read). A string costs a few blocks (one in flash when pretokenised);
 * typed arrays of tags, offsets and sizes cost far more (notes/MEMORY.md). Slot offsets are the
 * sum of the sizes before them, found while searching.
 *
 * The store is a plain shape (TagStore) that the chip reader itself has, with functions over it
 * rather than an object with methods (RAM: a method costs as much as a function).
 *
 * Usage:
 *   const s = { spec: "\x00\x5a\x0a\x03" + "\x00\x57\x02\x02", lens: new Uint8Array(2), pool: new Uint8Array(12), at: 0, cap: 0, si: 0 };
 *   tagPut(s, 0x5a, buf, off, len);    // 1 kept, 0 not a card tag of this store, -1 too long
 *   if (tagFind(s, 0x5a) >= 0 && s.lens[s.si] > 0) use(s.pool, s.at, s.lens[s.si]);
 */

/** Slot flags (the spec's 4th char of each slot). */
export const SLOT_NUMERIC = 1;
export const SLOT_CARD = 2;

export interface TagStore {
  /** Four chars per slot: tag hi, tag lo, size, flags. */
  spec: string;
  /** Current value length per slot; 0 = absent. */
  lens: Uint8Array;
  /** Every slot's bytes, in spec order. */
  pool: Uint8Array;
  /** Set by tagFind: the slot's offset in pool, its size, its index. */
  at: number;
  cap: number;
  si: number;
}

/**
 * Slot of `tag`: its index (also in `si`), with `at` and `cap` set; -1 when the store has no
 * such tag. @hot
 */
export function tagFind(s: TagStore, tag: number): number {
  let at = 0;
  for (let i = 0; i < s.spec.length; i += 4) {
    if (s.spec.charCodeAt(i) * 256 + s.spec.charCodeAt(i + 1) === tag) {
      s.at = at;
      s.cap = s.spec.charCodeAt(i + 2);
      s.si = i >> 2;
      return s.si;
    }
    at += s.spec.charCodeAt(i + 2);
  }
  return -1;
}

/**
 * Keep `len` bytes of `src` at `off` as the value of card tag `tag`: 1 kept, 0 not a card tag of
 * this store (terminal data cannot be overwritten from the card), -1 too long. @hot
 */
export function tagPut(s: TagStore, tag: number, src: Uint8Array, off: number, len: number): number {
  if (tagFind(s, tag) < 0 || !(s.spec.charCodeAt(s.si * 4 + 3) & SLOT_CARD)) return 0;
  if (len > s.cap) return -1;
  for (let k = 0; k < len; k++) s.pool[s.at + k] = src[off + k];
  s.lens[s.si] = len;
  return 1;
}

/**
 * Forget values: the card's slots (flags SLOT_CARD; card data must not linger in RAM), or with
 * `tag` only that one slot. Their bytes are zeroed. @hot
 */
export function tagClear(s: TagStore, tag: number): void {
  let at = 0;
  for (let i = 0; i < s.spec.length; i += 4) {
    const cap = s.spec.charCodeAt(i + 2);
    if (tag ? s.spec.charCodeAt(i) * 256 + s.spec.charCodeAt(i + 1) === tag : s.spec.charCodeAt(i + 3) & SLOT_CARD) {
      for (let k = 0; k < cap; k++) s.pool[at + k] = 0;
      s.lens[i >> 2] = 0;
    }
    at += cap;
  }
}
