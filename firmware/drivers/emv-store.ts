/**
 * A fixed set of EMV data elements with a fixed-size slot each, allocated once: the chip
 * reader keeps what the card returns (one store) and the terminal's own data (another store)
 * here, and builds DOL data and field 55 from them. Only the tags named at construction are
 * kept; everything else a card sends is ignored. Values longer than their slot are refused
 * (the caller reports the card's data as malformed) rather than truncated.
 *
 * Usage:
 *   const s = new EmvTagStore([0x5a, 10, 1, 0x57, 19, 0]); // tag, slot bytes, numeric (1/0)
 *   s.put(0x5a, buf, off, len);    // 1 kept, 0 not a tag of this store, -1 too long
 *   const i = s.find(0x5a); if (i >= 0 && s.lens[i] > 0) use(s.pool, s.offs[i], s.lens[i]);
 */
export class EmvTagStore {
  readonly tags: Int32Array;
  readonly offs: Int32Array;
  readonly caps: Int32Array;
  /** Current value length per slot; 0 = absent. */
  readonly lens: Int32Array;
  /** 1 when the element has EMV format "n" (BCD, right-aligned: pad/truncate on the left). */
  readonly numeric: Uint8Array;
  readonly pool: Uint8Array;
  readonly count: number;

  /** `spec`: flat [tag, slotBytes, numeric(1/0), ...]. Built once at boot. */
  constructor(spec: number[]) {
    const n = spec.length / 3;
    this.count = n;
    this.tags = new Int32Array(n);
    this.offs = new Int32Array(n);
    this.caps = new Int32Array(n);
    this.lens = new Int32Array(n);
    this.numeric = new Uint8Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      this.tags[i] = spec[i * 3];
      this.caps[i] = spec[i * 3 + 1];
      this.numeric[i] = spec[i * 3 + 2];
      this.offs[i] = total;
      total += spec[i * 3 + 1];
    }
    this.pool = new Uint8Array(total);
  }

  /** Slot index of `tag`, or -1. @hot */
  find(tag: number): number {
    for (let i = 0; i < this.count; i++) if (this.tags[i] === tag) return i;
    return -1;
  }

  /** Length of the value held for `tag` (0 = absent or not a tag of this store). @hot */
  lenOf(tag: number): number {
    const i = this.find(tag);
    return i < 0 ? 0 : this.lens[i];
  }

  /** Keep `len` bytes of `src` at `off` as the value of `tag`: 1 kept, 0 not ours, -1 too long. @hot */
  put(tag: number, src: Uint8Array, off: number, len: number): number {
    const i = this.find(tag);
    if (i < 0) return 0;
    if (len > this.caps[i]) return -1;
    const base = this.offs[i];
    for (let k = 0; k < len; k++) this.pool[base + k] = src[off + k];
    this.lens[i] = len;
    return 1;
  }

  /** Set a value from a byte list (configuration, not the hot path). */
  set(tag: number, bytes: number[]): boolean {
    const i = this.find(tag);
    if (i < 0 || bytes.length > this.caps[i]) return false;
    for (let k = 0; k < bytes.length; k++) this.pool[this.offs[i] + k] = bytes[k] & 0xff;
    this.lens[i] = bytes.length;
    return true;
  }

  /** Drop one value (zeroing its bytes). @hot */
  remove(tag: number): void {
    const i = this.find(tag);
    if (i < 0) return;
    const base = this.offs[i];
    for (let k = 0; k < this.caps[i]; k++) this.pool[base + k] = 0;
    this.lens[i] = 0;
  }

  /** Forget every value and zero the pool (card data must not linger in RAM). @hot */
  clear(): void {
    this.pool.fill(0);
    this.lens.fill(0);
  }
}
