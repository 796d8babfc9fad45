/**
 * A PAN as the terminal may keep it: first 6 and last 4 digits plus the length (PROTOCOL.md,
 * ARCHITECTURE.md "PAN is kept masked or truncated"). The middle digits never enter this object,
 * so nothing built from it can leak them. Digits are ASCII codes. On flash (journal, reversal
 * records) it takes MASKED_PAN_BYTES: the length, then first6, then last4. Cleared by
 * `fromPan(any, 0)`; copied field by field where needed (on Espruino each method costs RAM).
 */
export const MASKED_PAN_BYTES = 11; // len + 6 + 4

export class MaskedPan {
  readonly first6 = new Uint8Array(6);
  readonly last4 = new Uint8Array(4);
  /** Digits in the full PAN (0 = none). */
  length = 0;

  /**
   * Keep only first 6 / last 4 of an ASCII PAN (12..19 digits; shorter PANs keep fewer).
   * @hot
   */
  fromPan(pan: Uint8Array, panLen: number): void {
    this.first6.fill(48);
    this.last4.fill(48);
    this.length = panLen;
    const head = panLen < 6 ? panLen : 6;
    for (let i = 0; i < head; i++) this.first6[i] = pan[i];
    const tail = panLen - head < 4 ? panLen - head : 4;
    for (let i = 0; i < tail; i++) this.last4[4 - tail + i] = pan[panLen - tail + i];
  }

  /** "622848******1234" for receipts and slips (off the hot path: builds a string). */
  format(): string {
    if (this.length === 0) return "";
    let s = "";
    const head = this.length < 6 ? this.length : 6;
    for (let i = 0; i < head; i++) s += String.fromCharCode(this.first6[i]);
    for (let i = head; i < this.length - 4; i++) s += "*";
    const tail = this.length - head < 4 ? this.length - head : 4;
    for (let i = 4 - tail; i < 4; i++) s += String.fromCharCode(this.last4[i]);
    return s;
  }
}
