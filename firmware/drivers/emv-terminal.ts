/**
 * The terminal side of a minimal EMV read: the terminal's own data elements (amount, date,
 * unpredictable number, capabilities ...), which card tags the reader keeps, the DOL builder
 * (PDOL / CDOL1 data, EMV Book 3 5.4) and the field-55 builder (UnionPay ICC data, TLV).
 *
 * Defaults fit a China UnionPay attended online-only POS: country and currency 156,
 * terminal type 22 (attended, merchant-operated, online with offline capability), capabilities
 * E0 F8 C8 (manual key entry, mag stripe, IC; plaintext/enciphered PIN, signature, no CVM;
 * SDA, DDA, CDA) - the app may change any of them through `set()` before a read.
 */
import { EmvTagStore } from "./emv-store";
import { DolReader, TLV_OK, TLV_END, tlvPutHeader } from "./emv-tlv";

/** Terminal data elements: tag, slot bytes, numeric. */
const TERMINAL_SPEC = [
  0x9f02, 6, 1, // amount, authorised (fen)
  0x9f03, 6, 1, // amount, other
  0x9f1a, 2, 1, // terminal country code
  0x5f2a, 2, 1, // transaction currency code
  0x5f36, 1, 1, // transaction currency exponent
  0x9a, 3, 1, // transaction date YYMMDD
  0x9f21, 3, 1, // transaction time HHMMSS
  0x9c, 1, 1, // transaction type
  0x9f37, 4, 0, // unpredictable number
  0x95, 5, 0, // terminal verification results
  0x9b, 2, 0, // transaction status information
  0x9f33, 3, 0, // terminal capabilities
  0x9f35, 1, 1, // terminal type
  0x9f40, 5, 0, // additional terminal capabilities
  0x9f1e, 8, 0, // IFD serial number (an8)
  0x9f09, 2, 0, // application version number (terminal)
  0x9f34, 3, 0, // CVM results
  0x9f41, 4, 1, // transaction sequence counter
  0x9f66, 4, 0, // terminal transaction qualifiers (qPBOC cards may ask in the PDOL)
  0x9f7a, 1, 0, // electronic cash terminal support indicator (PBOC): 0 = not supported
  0x9f4e, 20, 0, // merchant name and location
];

/** Card data elements the reader keeps: tag, slot bytes, numeric. */
export const CARD_SPEC = [
  0x84, 16, 0, // DF name (selected AID)
  0x50, 16, 0, // application label
  0x87, 1, 0, // application priority indicator
  0x9f38, 64, 0, // PDOL
  0x82, 2, 0, // AIP
  0x94, 64, 0, // AFL
  0x57, 19, 0, // track 2 equivalent data
  0x5a, 10, 1, // PAN
  0x5f24, 3, 1, // expiry YYMMDD
  0x5f34, 1, 1, // PAN sequence number
  0x5f30, 2, 1, // service code
  0x5f20, 26, 0, // cardholder name
  0x8c, 64, 0, // CDOL1
  0x9f08, 2, 0, // application version number (card)
  0x9f27, 1, 0, // cryptogram information data
  0x9f36, 2, 0, // ATC
  0x9f26, 8, 0, // application cryptogram
  0x9f10, 32, 0, // issuer application data
];

/**
 * Field 55 for an online request, in the order UnionPay terminal applications send them.
 * A tag neither the card nor the terminal holds is left out.
 */
export const FIELD55_TAGS = [
  0x9f26, 0x9f27, 0x9f10, 0x9f37, 0x9f36, 0x95, 0x9a, 0x9c, 0x9f02, 0x5f2a, 0x82, 0x9f1a, 0x9f03, 0x9f33, 0x9f34,
  0x9f35, 0x9f1e, 0x84, 0x9f09, 0x9f41,
];

/** UnionPay (PBOC) application identifiers this terminal accepts, in preference order. */
export const UNIONPAY_AIDS = ["A000000333010101", "A000000333010102", "A000000333010103", "A000000333010106"];

/** Transaction types for tag 9C. */
export const TXN_SALE = 0x00;
export const TXN_PREAUTH = 0x03;
export const TXN_REFUND = 0x20;
export const TXN_INQUIRY = 0x31;

export function newTerminalStore(): EmvTagStore {
  const t = new EmvTagStore(TERMINAL_SPEC);
  t.set(0x9f1a, [0x01, 0x56]);
  t.set(0x5f2a, [0x01, 0x56]);
  t.set(0x5f36, [0x02]);
  t.set(0x9f03, [0, 0, 0, 0, 0, 0]);
  t.set(0x9f02, [0, 0, 0, 0, 0, 0]);
  t.set(0x9c, [TXN_SALE]);
  // Offline data authentication is not performed by this terminal: TVR byte 1 bit 8.
  t.set(0x95, [0x80, 0, 0, 0, 0]);
  t.set(0x9b, [0, 0]);
  t.set(0x9f33, [0xe0, 0xf8, 0xc8]);
  t.set(0x9f35, [0x22]);
  t.set(0x9f40, [0x60, 0x00, 0xf0, 0xa0, 0x01]);
  t.set(0x9f1e, [0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31]);
  t.set(0x9f09, [0x00, 0x30]);
  // No CVM performed by the reader; the engine sets e.g. 42 03 00 once online PIN is taken.
  t.set(0x9f34, [0x3f, 0x00, 0x00]);
  t.set(0x9f41, [0, 0, 0, 1]);
  t.set(0x9f66, [0x26, 0x00, 0x00, 0x80]);
  t.set(0x9f7a, [0x00]);
  return t;
}

/** Write `value` (>= 0, integer) as `bytes` bytes of BCD into the store's slot for `tag`. */
export function setBcd(store: EmvTagStore, tag: number, value: number, bytes: number): void {
  const i = store.find(tag);
  if (i < 0 || bytes > store.caps[i]) return;
  putBcd(store.pool, store.offs[i], bytes, value);
  store.lens[i] = bytes;
}

/** BCD digits of a non-negative integer, right-aligned in `bytes` bytes at `off`. @hot */
export function putBcd(out: Uint8Array, off: number, bytes: number, value: number): void {
  let v = Math.floor(value);
  for (let k = bytes - 1; k >= 0; k--) {
    const lo = v % 10;
    v = Math.floor(v / 10);
    const hi = v % 10;
    v = Math.floor(v / 10);
    out[off + k] = (hi << 4) | lo;
  }
}

/**
 * Set 9A (YYMMDD) and 9F21 (HHMMSS) from local wall-clock milliseconds (Clock.now()), with
 * integer civil-date arithmetic (Howard Hinnant's days-from-civil, inverted). @hot
 */
export function setDateTime(store: EmvTagStore, ms: number): void {
  const days = Math.floor(ms / 86400000);
  let secs = Math.floor((ms - days * 86400000) / 1000);
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const di = store.find(0x9a);
  if (di >= 0) {
    const o = store.offs[di];
    putBcd(store.pool, o, 1, y % 100);
    putBcd(store.pool, o + 1, 1, m);
    putBcd(store.pool, o + 2, 1, d);
    store.lens[di] = 3;
  }
  const ti = store.find(0x9f21);
  if (ti >= 0) {
    const o = store.offs[ti];
    const hh = Math.floor(secs / 3600);
    secs -= hh * 3600;
    const mm = Math.floor(secs / 60);
    putBcd(store.pool, o, 1, hh);
    putBcd(store.pool, o + 1, 1, mm);
    putBcd(store.pool, o + 2, 1, secs - mm * 60);
    store.lens[ti] = 3;
  }
}

/** buildDol's result for a malformed DOL. */
export const DOL_ERR = -2;

/**
 * Build the data a DOL asks for into `out` from `pos`: each entry's value from the terminal
 * store, else the card store, else zeros; values of another length are fitted as EMV Book 3
 * 5.4 says (numeric: pad/truncate on the left; others: on the right). Returns the position
 * after the data, -1 when it would pass `cap`, DOL_ERR when the DOL itself is malformed. @hot
 */
export function buildDol(
  dolReader: DolReader,
  dol: Uint8Array,
  dolOff: number,
  dolLen: number,
  terminal: EmvTagStore,
  card: EmvTagStore,
  out: Uint8Array,
  pos: number,
  cap: number,
): number {
  dolReader.reset(dol, dolOff, dolOff + dolLen);
  let rc = dolReader.next();
  while (rc === TLV_OK) {
    const want = dolReader.len;
    if (pos + want > cap) return -1;
    let store = terminal;
    let i = terminal.find(dolReader.tag);
    if (i < 0 || terminal.lens[i] === 0) {
      store = card;
      i = card.find(dolReader.tag);
      if (i >= 0 && card.lens[i] === 0) i = -1;
    }
    if (i < 0) {
      for (let k = 0; k < want; k++) out[pos + k] = 0;
    } else {
      const have = store.lens[i];
      const src = store.offs[i];
      if (store.numeric[i]) {
        // Right-aligned: copy the rightmost min(have, want) bytes, zero-fill on the left.
        const n = have < want ? have : want;
        const lead = want - n;
        for (let k = 0; k < lead; k++) out[pos + k] = 0;
        for (let k = 0; k < n; k++) out[pos + lead + k] = store.pool[src + have - n + k];
      } else {
        for (let k = 0; k < want; k++) out[pos + k] = k < have ? store.pool[src + k] : 0;
      }
    }
    pos += want;
    rc = dolReader.next();
  }
  return rc === TLV_END ? pos : DOL_ERR;
}

/**
 * Append TLVs for `tags` (card store first, then terminal) to `out` from `pos`; absent ones
 * are skipped. Returns the new position or -1 when `cap` would be passed. @hot
 */
export function buildTlvList(
  tags: number[],
  card: EmvTagStore,
  terminal: EmvTagStore,
  out: Uint8Array,
  pos: number,
  cap: number,
): number {
  for (let t = 0; t < tags.length; t++) {
    const tag = tags[t];
    let store = card;
    let i = card.find(tag);
    if (i < 0 || card.lens[i] === 0) {
      store = terminal;
      i = terminal.find(tag);
      if (i < 0 || terminal.lens[i] === 0) continue;
    }
    const len = store.lens[i];
    pos = tlvPutHeader(out, pos, cap, tag, len);
    if (pos < 0) return -1;
    const src = store.offs[i];
    for (let k = 0; k < len; k++) out[pos + k] = store.pool[src + k];
    pos += len;
  }
  return pos;
}
