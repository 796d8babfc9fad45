/**
 * Builds every request the engine sends into ONE preallocated Message (`req`), field choices as
 * PROTOCOL.md and hil/host/README.md give them:
 * - financial (0200 sale 000000/22, balance 310000/01, void 200000/23; 0220 refund 200000/25):
 *   2 PAN, 3, 4, 11, 14 + 23 (chip), 22 entry mode (02x swipe, 05x chip, 01x no card; x = 1 with
 *   PIN, 2 without), 25 "00", 26 "12" + 52 + 53 with a PIN, 35/36 tracks, 37/38 original RRN /
 *   auth (void, refund), 41, 42, 49 "156", 55 ICC data, 60 = 60.1 + batch + "000" + "5" + "0",
 *   61 = original batch + trace (+ MMDD for a refund), 64 MAC (added by pack);
 * - sign-in 0800: 11, 41, 42, 60 = "00" + batch + "001"|"004", 63 operator;
 * - settlement 0500: 11, 41, 42, 48 (62 digits), 49, 60 = "00" + batch + "201", 63 operator;
 * - batch upload 0320: 11, 41, 42, 48 items, 60.3 "201"; closing 0320: 48 = count (4), 60.3 "202";
 * - reversal 0400: the request turned into its 0400 image IN PLACE (`reversalImage`: fields that
 *   must never reach flash - 2, 14, 26, 35, 36, 52, 53, 55 - zeroed and dropped, 39 "98"), and
 *   later rebuilt from the stored image with the current reason (`fromStored`).
 * Nothing here allocates after construction: digits for composite fields are assembled in
 * `digits` (64 bytes); field 48 of a 0500 / 0320 comes from a buffer the caller passes (the
 * engine assembles it in its idle receive buffer). Each builder returns ISO_OK or the first
 * codec error code (then nothing is sent).
 */
import { CardData, ENTRY_CHIP } from "./card-data";
import { FieldTable, ISO_OK, Message, UNIONPAY_HEAD_LENGTH, writeAsciiDigits } from "./iso8583/index";
import type { JournalEntry } from "./store/journal";

/** Bytes for request field bodies: a chip sale with tracks 2 and 3 and 255 bytes of ICC data fits. */
export const REQUEST_CAPACITY = 480;
/** Digits assembled here for one field (53, 60, 61) or read from a reply (48 of a 0510: 62). */
export const DIGITS_CAPACITY = 64;

export class RequestBuilder {
  readonly req: Message;
  /** Scratch for composite digit fields (53, 60, 61) and for reading reply digits (48, 60). */
  readonly digits = new Uint8Array(DIGITS_CAPACITY);
  private readonly head = new Uint8Array(UNIONPAY_HEAD_LENGTH);
  private readonly tid = new Uint8Array(8);
  private readonly mid = new Uint8Array(15);
  private readonly operator: Uint8Array;
  private readonly two = new Uint8Array(2);

  /** `tpduDest` / `tpduSrc`: 16-bit numbers (pos.cfg's 4 hex digits). `tid` 8 and `mid` 15 characters. */
  constructor(table: FieldTable, tid: string, mid: string, tpduDest: number, tpduSrc: number, operator: string) {
    if (tid.length !== 8 || mid.length !== 15) throw new Error("RequestBuilder: tid must be 8 and mid 15 characters");
    this.req = new Message(table, REQUEST_CAPACITY);
    for (let i = 0; i < 8; i++) this.tid[i] = tid.charCodeAt(i) & 255;
    for (let i = 0; i < 15; i++) this.mid[i] = mid.charCodeAt(i) & 255;
    const op = operator.length > 8 ? 8 : operator.length;
    this.operator = new Uint8Array(op);
    for (let i = 0; i < op; i++) this.operator[i] = operator.charCodeAt(i) & 255;
    // TPDU 60 DDDD SSSS; header: application 60 (61 for chip), version 31, status/requirement 00, 31 00 00
    const h = this.head;
    h[0] = 0x60;
    h[1] = (tpduDest >> 8) & 255;
    h[2] = tpduDest & 255;
    h[3] = (tpduSrc >> 8) & 255;
    h[4] = tpduSrc & 255;
    h[5] = 0x60;
    h[6] = 0x31;
    h[7] = 0x00;
    h[8] = 0x31;
    h[9] = 0x00;
    h[10] = 0x00;
  }

  /** 0800 sign-in; `tripleDes`: ask for double-length working keys (60.3 004, else 001). @hot */
  signIn(stan: number, batch: number, tripleDes: boolean): number {
    let e = this.start(800, false, stan);
    const d = this.digits;
    d[0] = 48;
    d[1] = 48;
    writeAsciiDigits(d, 2, batch, 6);
    writeAsciiDigits(d, 8, tripleDes ? 4 : 1, 3);
    if (e === ISO_OK) e = this.req.setDigits(60, d, 0, 11);
    if (e === ISO_OK && this.operator.length > 0) e = this.req.setAscii(63, this.operator, 0, this.operator.length);
    return e;
  }

  /**
   * A financial request (sale, balance, void, refund). `amount` -1 = no field 4; `card` null =
   * no card fields (entry mode 01x); `pin` an encrypted block or null (`pin3des`: its key is
   * double length). `orig` (void, refund): the original as the journal has it - batch and trace
   * go to 61 (+ `origMmdd` when >= 0), RRN to 37 and auth code to 38 when they are not empty.
   * @hot
   */
  financial(
    mti: number,
    proc: number,
    type60: number,
    amount: number,
    stan: number,
    batch: number,
    card: CardData | null,
    pin: Uint8Array | null,
    pin3des: boolean,
    orig: JournalEntry | null,
    origMmdd: number
  ): number {
    const chip = card !== null && card.entryMode === ENTRY_CHIP;
    const r = this.req;
    const d = this.digits;
    let e = this.start(mti, chip, stan);
    if (e === ISO_OK && card !== null) e = r.setDigits(2, card.pan, 0, card.panLen);
    if (e === ISO_OK) e = r.setNumeric(3, proc);
    if (e === ISO_OK && amount >= 0) e = r.setNumeric(4, amount);
    if (e === ISO_OK && chip && card !== null) {
      e = r.setDigits(14, card.expiry, 0, 4);
      if (e === ISO_OK && card.panSeq >= 0) e = r.setNumeric(23, card.panSeq);
    }
    const entry = card === null ? 1 : chip ? 5 : 2;
    if (e === ISO_OK) e = r.setNumeric(22, entry * 10 + (pin !== null ? 1 : 2));
    if (e === ISO_OK) e = r.setNumeric(25, 0);
    if (e === ISO_OK && pin !== null) e = r.setNumeric(26, 12);
    if (e === ISO_OK && card !== null && card.track2Len > 0) e = r.setDigits(35, card.track2, 0, card.track2Len);
    if (e === ISO_OK && card !== null && card.track3Len > 0) e = r.setDigits(36, card.track3, 0, card.track3Len);
    if (e === ISO_OK && orig !== null && orig.rrn[0] !== 0) e = r.setAscii(37, orig.rrn, 0, 12);
    if (e === ISO_OK && orig !== null && orig.authCode[0] !== 0) e = r.setAscii(38, orig.authCode, 0, 6);
    if (e === ISO_OK) e = r.setText(49, "156");
    if (e === ISO_OK && pin !== null) {
      e = r.setBytes(52, pin, 0, 8);
      d[0] = 50; // "2": format 0 PIN block
      d[1] = pin3des ? 54 : 48; // "6" double-length key, "0" single
      for (let i = 2; i < 16; i++) d[i] = 48;
      if (e === ISO_OK) e = r.setDigits(53, d, 0, 16);
    }
    if (e === ISO_OK && chip && card !== null && card.iccLen > 0) e = r.setBytes(55, card.iccData, 0, card.iccLen);
    if (e === ISO_OK) {
      writeAsciiDigits(d, 0, type60, 2);
      writeAsciiDigits(d, 2, batch, 6);
      writeAsciiDigits(d, 8, 50, 5); // 60.3 "000", 60.4 "5" (chip-capable terminal), 60.5 "0"
      e = r.setDigits(60, d, 0, 13);
    }
    if (e === ISO_OK && orig !== null) {
      writeAsciiDigits(d, 0, orig.batch % 1000000, 6);
      writeAsciiDigits(d, 6, orig.stan % 1000000, 6);
      let n = 12;
      if (origMmdd >= 0) {
        writeAsciiDigits(d, 12, origMmdd, 4);
        n = 16;
      }
      e = r.setDigits(61, d, 0, n);
    }
    return e;
  }

  /** 0500 with field 48 = ASCII digits f48[0, n48). @hot */
  settlement(stan: number, batch: number, f48: Uint8Array, n48: number): number {
    let e = this.start(500, false, stan);
    if (e === ISO_OK) e = this.req.setDigits(48, f48, 0, n48);
    if (e === ISO_OK) e = this.req.setText(49, "156");
    if (e === ISO_OK) e = this.net60(batch, 201);
    if (e === ISO_OK && this.operator.length > 0) e = this.req.setAscii(63, this.operator, 0, this.operator.length);
    return e;
  }

  /** 0320 batch upload with field 48 = ASCII digits f48[0, n48). @hot */
  upload(stan: number, batch: number, f48: Uint8Array, n48: number): number {
    let e = this.start(320, false, stan);
    if (e === ISO_OK) e = this.req.setDigits(48, f48, 0, n48);
    if (e === ISO_OK) e = this.net60(batch, 201);
    return e;
  }

  /** Closing 0320: field 48 = number of records uploaded (4 digits), 60.3 "202". @hot */
  uploadClose(stan: number, batch: number, count: number): number {
    let e = this.start(320, false, stan);
    writeAsciiDigits(this.digits, 0, count % 10000, 4);
    if (e === ISO_OK) e = this.req.setDigits(48, this.digits, 0, 4);
    if (e === ISO_OK) e = this.net60(batch, 202);
    return e;
  }

  /**
   * Turn the (already packed) request into its reversal image in place: sensitive fields zeroed
   * and dropped, MTI 0400, 39 "98". Fields 11 and 41 stay, so the message still matches the
   * reply to the original once its MTI is put back. @hot
   */
  reversalImage(): number {
    this.wipeSensitive();
    this.req.remove(64);
    this.req.mti = 400;
    this.two[0] = 57;
    this.two[1] = 56;
    return this.req.setAscii(39, this.two, 0, 2);
  }

  /** Zero and drop PAN, expiry, tracks, PIN block, security control and ICC data. @hot */
  wipeSensitive(): void {
    this.drop(2);
    this.drop(14);
    this.drop(26);
    this.drop(35);
    this.drop(36);
    this.drop(52);
    this.drop(53);
    this.drop(55);
  }

  /**
   * Rebuild a stored 0400 (unpacked into `view`, a view over `frame`) with field 39 = `reason`
   * ((c0 << 8) | c1). @hot
   */
  fromStored(view: Message, frame: Uint8Array, reason: number): number {
    const r = this.req;
    r.clear();
    r.setHead(frame, 2);
    r.mti = 400;
    let e = ISO_OK;
    for (let f = 2; f < 64 && e === ISO_OK; f++) if (f !== 39 && view.has(f)) e = r.copyField(view, f);
    this.two[0] = (reason >> 8) & 255;
    this.two[1] = reason & 255;
    if (e === ISO_OK) e = r.setAscii(39, this.two, 0, 2);
    return e;
  }

  // ---------------------------------------------------------------- internals

  /** @hot */
  private start(mti: number, chip: boolean, stan: number): number {
    const r = this.req;
    r.clear();
    this.head[5] = chip ? 0x61 : 0x60;
    r.setHead(this.head, 0);
    r.mti = mti;
    let e = r.setNumeric(11, stan);
    if (e === ISO_OK) e = r.setAscii(41, this.tid, 0, 8);
    if (e === ISO_OK) e = r.setAscii(42, this.mid, 0, 15);
    return e;
  }

  /** 60 = "00" + batch + network management code. @hot */
  private net60(batch: number, code: number): number {
    const d = this.digits;
    d[0] = 48;
    d[1] = 48;
    writeAsciiDigits(d, 2, batch, 6);
    writeAsciiDigits(d, 8, code, 3);
    return this.req.setDigits(60, d, 0, 11);
  }

  /** @hot */
  private drop(field: number): void {
    const r = this.req;
    if (!r.has(field) || r.src !== r.data) return;
    const at = r.off[field];
    const n = r.bodyBytes(field);
    for (let i = 0; i < n; i++) r.data[at + i] = 0;
    r.remove(field);
  }
}
