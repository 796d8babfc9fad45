/**
 * The terminal side of a minimal EMV read: which data elements the chip reader keeps (the
 * terminal's own: amount, date, unpredictable number, capabilities ...; and the card's), their
 * defaults, the DOL builder (PDOL / CDOL1 data, EMV Book 3 5.4) and the field-55 builder
 * (UnionPay ICC data, TLV).
 *
 * Defaults fit a China UnionPay attended online-only POS: country and currency 156,
 * terminal type 22 (attended, merchant-operated, online with offline capability), capabilities
 * E0 F8 C8 (manual key entry, mag stripe, IC; plaintext/enciphered PIN, signature, no CVM;
 * SDA, DDA, CDA).
 *
 * Tables are strings (one string costs a few blocks, an array of numbers a block per number:
 * notes/MEMORY.md): the store spec (emv-store.ts format), the defaults as tag, length, value
 * entries, field 55's tags as two bytes each.
 */
import { TagStore, tagFind, SLOT_NUMERIC } from "./emv-store";

/**
 * Every data element the chip reader keeps: tag (2 bytes), slot size, flags (1 numeric, 2 the
 * card's). The terminal's first, then the card's.
 */
export const EMV_SPEC =
  "\x9f\x02\x06\x01" + // 9F02 amount, authorised (fen)
  "\x9f\x03\x06\x01" + // 9F03 amount, other
  "\x9f\x1a\x02\x01" + // 9F1A terminal country code
  "\x5f\x2a\x02\x01" + // 5F2A transaction currency code
  "\x5f\x36\x01\x01" + // 5F36 transaction currency exponent
  "\x00\x9a\x03\x01" + // 9A transaction date YYMMDD (9F21 must follow it: read() writes both at once)
  "\x9f\x21\x03\x01" + // 9F21 transaction time HHMMSS
  "\x00\x9c\x01\x01" + // 9C transaction type
  "\x9f\x37\x04\x00" + // 9F37 unpredictable number
  "\x00\x95\x05\x00" + // 95 terminal verification results
  "\x00\x9b\x02\x00" + // 9B transaction status information
  "\x9f\x33\x03\x00" + // 9F33 terminal capabilities
  "\x9f\x35\x01\x01" + // 9F35 terminal type
  "\x9f\x40\x05\x00" + // 9F40 additional terminal capabilities
  "\x9f\x1e\x08\x00" + // 9F1E IFD serial number (an8)
  "\x9f\x09\x02\x00" + // 9F09 application version number (terminal)
  "\x9f\x34\x03\x00" + // 9F34 CVM results
  "\x9f\x41\x04\x01" + // 9F41 transaction sequence counter
  "\x9f\x66\x04\x00" + // 9F66 terminal transaction qualifiers (qPBOC cards may ask in the PDOL)
  "\x9f\x7a\x01\x00" + // 9F7A electronic cash terminal support indicator (PBOC): 0 = not supported
  "\x9f\x4e\x14\x00" + // 9F4E merchant name and location
  // the card's (cleared with every read)
  "\x00\x84\x10\x02" + // 84 DF name (selected AID)
  "\x00\x50\x10\x02" + // 50 application label
  "\x00\x87\x01\x02" + // 87 application priority indicator
  "\x9f\x38\x40\x02" + // 9F38 PDOL
  "\x00\x82\x02\x02" + // 82 AIP
  "\x00\x94\x40\x02" + // 94 AFL
  "\x00\x57\x13\x02" + // 57 track 2 equivalent data
  "\x00\x5a\x0a\x03" + // 5A PAN
  "\x5f\x24\x03\x03" + // 5F24 expiry YYMMDD
  "\x5f\x34\x01\x03" + // 5F34 PAN sequence number
  "\x5f\x30\x02\x03" + // 5F30 service code
  "\x5f\x20\x1a\x02" + // 5F20 cardholder name
  "\x00\x8c\x40\x02" + // 8C CDOL1
  "\x9f\x08\x02\x02" + // 9F08 application version number (card)
  "\x9f\x27\x01\x02" + // 9F27 cryptogram information data
  "\x9f\x36\x02\x02" + // 9F36 ATC
  "\x9f\x26\x08\x02" + // 9F26 application cryptogram
  "\x9f\x10\x20\x02"; // 9F10 issuer application data

/** The terminal's data element values at boot: tag (2 bytes), length, value. */
export const EMV_DEFAULTS =
  "\x9f\x1a\x02\x01\x56" + // 9F1A China
  "\x5f\x2a\x02\x01\x56" + // 5F2A CNY
  "\x5f\x36\x01\x02" + // 5F36
  "\x9f\x03\x06\x00\x00\x00\x00\x00\x00" + // 9F03
  "\x9f\x02\x06\x00\x00\x00\x00\x00\x00" + // 9F02
  "\x00\x9c\x01\x00" + // 9C
  "\x00\x95\x05\x80\x00\x00\x00\x00" + // 95 offline data authentication is not performed by this terminal: TVR byte 1 bit 8
  "\x00\x9b\x02\x00\x00" + // 9B
  "\x9f\x33\x03\xe0\xf8\xc8" + // 9F33 manual key entry, mag stripe, IC; plaintext/enciphered PIN, signature, no CVM; SDA, DDA, CDA
  "\x9f\x35\x01\x22" + // 9F35 attended, merchant-operated, online with offline capability
  "\x9f\x40\x05\x60\x00\xf0\xa0\x01" + // 9F40
  "\x9f\x1e\x08\x30\x30\x30\x30\x30\x30\x30\x31" + // 9F1E "00000001"
  "\x9f\x09\x02\x00\x30" + // 9F09
  "\x9f\x34\x03\x3f\x00\x00" + // 9F34 no CVM performed by the reader; the engine sets e.g. 42 03 00 once online PIN is taken
  "\x9f\x41\x04\x00\x00\x00\x01" + // 9F41
  "\x9f\x66\x04\x26\x00\x00\x80" + // 9F66
  "\x9f\x7a\x01\x00"; // 9F7A

/**
 * Field 55 for an online request, in the order UnionPay terminal applications send them, two
 * bytes a tag. A tag neither the card nor the terminal holds is left out.
 */
export const FIELD55 = "\x9f\x26\x9f\x27\x9f\x10\x9f\x37\x9f\x36\x00\x95\x00\x9a\x00\x9c\x9f\x02\x5f\x2a\x00\x82\x9f\x1a\x9f\x03\x9f\x33\x9f\x34\x9f\x35\x9f\x1e\x00\x84\x9f\x09\x9f\x41";
/** The same tags as numbers, for tests and tools (the firmware does not keep this array). */
export const FIELD55_TAGS = /*#__PURE__*/ tagNumbers(FIELD55);

/** Transaction types for tag 9C. */
export const TXN_SALE = 0x00;
export const TXN_PREAUTH = 0x03;
export const TXN_REFUND = 0x20;
export const TXN_INQUIRY = 0x31;

/** buildDol's result for a malformed DOL. */
export const DOL_ERR = -2;

/** Two-byte tags of a string as numbers (declared before its use: Espruino does not hoist). */
function tagNumbers(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < s.length; i += 2) out.push(s.charCodeAt(i) * 256 + s.charCodeAt(i + 1));
  return out;
}

/**
 * The date and time of local wall-clock milliseconds (Clock.now()) as 6 BCD bytes YYMMDD HHMMSS
 * at out[off] (tags 9A and 9F21), with integer civil-date arithmetic (Howard Hinnant's
 * days-from-civil, inverted). @hot
 */
export function putDateTime(out: Uint8Array, off: number, ms: number): void {
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
  const y = (yoe + era * 400 + (m <= 2 ? 1 : 0)) % 100;
  out[off] = (((y / 10) | 0) << 4) | y % 10;
  out[off + 1] = (((m / 10) | 0) << 4) | m % 10;
  out[off + 2] = (((d / 10) | 0) << 4) | d % 10;
  const hh = Math.floor(secs / 3600);
  secs -= hh * 3600;
  const mm = Math.floor(secs / 60);
  secs -= mm * 60;
  out[off + 3] = (((hh / 10) | 0) << 4) | hh % 10;
  out[off + 4] = (((mm / 10) | 0) << 4) | mm % 10;
  out[off + 5] = (((secs / 10) | 0) << 4) | secs % 10;
}

/**
 * Build the data a DOL (tag + one-byte length entries, at s.pool[dolOff, dolOff + dolLen)) asks
 * for into `out` from `pos`: each entry's value from the store, else zeros; values of another
 * length are fitted as EMV Book 3 5.4 says (numeric: pad/truncate on the left; others: on the
 * right). Returns the position after the data, -1 when it would pass `cap`, DOL_ERR when the DOL
 * itself is malformed (an entry cut short, a tag of more than 3 bytes). @hot
 */
export function buildDol(s: TagStore, dolOff: number, dolLen: number, out: Uint8Array, pos: number, cap: number): number {
  const end = dolOff + dolLen;
  let p = dolOff;
  while (p < end) {
    let tag = s.pool[p++];
    if ((tag & 0x1f) === 0x1f) {
      do {
        if (p >= end || tag > 0xffff) return DOL_ERR;
        tag = tag * 256 + s.pool[p++];
      } while (s.pool[p - 1] & 0x80);
    }
    if (p >= end) return DOL_ERR;
    // A DOL length is always a single byte (EMV Book 3, 5.4), even above 127.
    const want = s.pool[p++];
    if (pos + want > cap) return -1;
    let have = 0;
    if (tagFind(s, tag) >= 0) have = s.lens[s.si];
    if (have > 0 && s.spec.charCodeAt(s.si * 4 + 3) & SLOT_NUMERIC) {
      // Right-aligned: the rightmost min(have, want) bytes, zero-filled on the left.
      for (let k = 0; k < want; k++) out[pos + k] = k < want - have ? 0 : s.pool[s.at + have - want + k];
    } else {
      for (let k = 0; k < want; k++) out[pos + k] = k < have ? s.pool[s.at + k] : 0;
    }
    pos += want;
  }
  return pos;
}

/**
 * Append a TLV for each tag of `tags` (two bytes a tag) the store holds a value for to `out`
 * from `pos`; absent ones are skipped. Returns the new position or -1 when `cap` would be
 * passed. @hot
 */
export function buildTlvList(s: TagStore, tags: string, out: Uint8Array, pos: number, cap: number): number {
  for (let t = 0; t < tags.length; t += 2) {
    const tag = tags.charCodeAt(t) * 256 + tags.charCodeAt(t + 1);
    if (tagFind(s, tag) < 0 || s.lens[s.si] === 0) continue;
    const len = s.lens[s.si];
    // tag (1 or 2 bytes), length (short form, or 0x81 and one byte), value
    if (pos < 0 || pos + (tag > 0xff ? 2 : 1) + (len > 0x7f ? 2 : 1) + len > cap) return -1;
    if (tag > 0xff) out[pos++] = tag >> 8;
    out[pos++] = tag & 0xff;
    if (len > 0x7f) out[pos++] = 0x81;
    out[pos++] = len;
    for (let k = 0; k < len; k++) out[pos++] = s.pool[s.at + k];
  }
  return pos;
}
