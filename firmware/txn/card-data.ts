/**
 * One card as read by either reader, preallocated once and refilled per read.
 * Holds sensitive data only in RAM, only until the transaction is built: `wipe()` zeroes it.
 * Digits are stored as ASCII codes ('0'..'9'); track 2 uses '=' as its separator.
 */
export const ENTRY_SWIPE = 2; // POS entry mode 02x (magnetic stripe)
export const ENTRY_CHIP = 5; // POS entry mode 05x (contact chip)

export class CardData {
  readonly pan = new Uint8Array(19);
  panLen = 0;
  /** Expiry YYMM as 4 ASCII digits. */
  readonly expiry = new Uint8Array(4);
  /** Service code, 3 ASCII digits (e.g. "201" = chip card, use chip). */
  readonly serviceCode = new Uint8Array(3);
  /** Track 2 (or chip tag 57 track-2 equivalent), ASCII, separator '='. */
  readonly track2 = new Uint8Array(37);
  track2Len = 0;
  /** Track 3, ASCII, when the stripe has one. */
  readonly track3 = new Uint8Array(104);
  track3Len = 0;
  /** PAN sequence number (chip tag 5F34), -1 when absent. */
  panSeq = -1;
  /** ICC data for field 55 (TLV), chip cards only. */
  readonly iccData = new Uint8Array(255);
  iccLen = 0;
  entryMode = 0;

  wipe(): void {
    this.pan.fill(0);
    this.panLen = 0;
    this.expiry.fill(0);
    this.serviceCode.fill(0);
    this.track2.fill(0);
    this.track2Len = 0;
    this.track3.fill(0);
    this.track3Len = 0;
    this.panSeq = -1;
    this.iccData.fill(0);
    this.iccLen = 0;
    this.entryMode = 0;
  }

  /** Copy another record into this one (e.g. the reader's record into the engine's). */
  copyFrom(o: CardData): void {
    this.pan.set(o.pan);
    this.panLen = o.panLen;
    this.expiry.set(o.expiry);
    this.serviceCode.set(o.serviceCode);
    this.track2.set(o.track2);
    this.track2Len = o.track2Len;
    this.track3.set(o.track3);
    this.track3Len = o.track3Len;
    this.panSeq = o.panSeq;
    this.iccData.set(o.iccData);
    this.iccLen = o.iccLen;
    this.entryMode = o.entryMode;
  }
}
