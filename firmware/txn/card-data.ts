/**
 * One card as read by either reader, preallocated once and refilled per read.
 * Holds sensitive data only in RAM, only until the transaction is built: `wipe()` zeroes it.
 * Digits are stored as ASCII codes ('0'..'9'); track 2 uses '=' as its separator.
 *
 * Memory: the six byte fields are views into one 422-byte buffer (one allocation instead of six;
 * about 7 blocks less per record on Espruino), so wipe is one fill. There is one record: the
 * chip reader's, which the terminal also uses; the MSR fills it on `take` (no copying).
 */
export const ENTRY_SWIPE = 2; // POS entry mode 02x (magnetic stripe)
export const ENTRY_CHIP = 5; // POS entry mode 05x (contact chip)

/** Bytes of all the byte fields: PAN 19, expiry 4, service code 3, track 2 37, track 3 104, ICC 255. */
const CARD_BYTES = 19 + 4 + 3 + 37 + 104 + 255;

export class CardData {
  /** The byte fields below, one after the other. */
  private readonly bytes = new Uint8Array(CARD_BYTES);
  readonly pan = this.bytes.subarray(0, 19);
  panLen = 0;
  /** Expiry YYMM as 4 ASCII digits. */
  readonly expiry = this.bytes.subarray(19, 23);
  /** Service code, 3 ASCII digits (e.g. "201" = chip card, use chip). */
  readonly serviceCode = this.bytes.subarray(23, 26);
  /** Track 2 (or chip tag 57 track-2 equivalent), ASCII, separator '='. */
  readonly track2 = this.bytes.subarray(26, 63);
  track2Len = 0;
  /** Track 3, ASCII, when the stripe has one. */
  readonly track3 = this.bytes.subarray(63, 167);
  track3Len = 0;
  /** PAN sequence number (chip tag 5F34), -1 when absent. */
  panSeq = -1;
  /** ICC data for field 55 (TLV), chip cards only. */
  readonly iccData = this.bytes.subarray(167, CARD_BYTES);
  iccLen = 0;
  entryMode = 0;

  wipe(): void {
    this.bytes.fill(0);
    this.panLen = 0;
    this.track2Len = 0;
    this.track3Len = 0;
    this.panSeq = -1;
    this.iccLen = 0;
    this.entryMode = 0;
  }
}
