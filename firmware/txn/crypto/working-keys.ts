/**
 * Working keys from the sign-in reply (0810) field 62, encrypted under the terminal master key.
 *
 * Layouts accepted (as in public UnionPay terminal code, e.g. LiaoYang_POS pospin.c LogonDivKey):
 * - 24 bytes, single-DES working keys (60.3 = 001): PIN key 8 + KCV 4, MAC key 8 + KCV 4;
 * - 40 bytes, double-length (60.3 = 003/004): PIN key 16 + KCV 4, MAC key 16 + KCV 4, where the
 *   MAC key is 8 encrypted bytes + 8 zero bytes (a single-DES MAC key); when those last 8 bytes
 *   are not zero the MAC key is taken as a 16-byte triple-DES key (the 3DES MAC key variant);
 * - 60 bytes: the 40-byte layout + data (track) key 16 + KCV 4. The data key's check value is
 *   checked like the others; the key itself is not kept (nothing encrypts track data).
 * Each key is decrypted (ECB) under the TMK and its check value, computed on the clear key, must
 * match, else the load is refused with E_KCV_* and the keys held before stay in place.
 *
 * Memory (Espruino): the PIN and MAC key schedules share one 512-byte buffer; the clear keys and
 * the check-value schedules go through `scratch`, a DesKey over bytes the owner lends (the
 * engine lends its request body storage, idle while a reply is handled), wiped after each load:
 * the schedules as an Int32Array view of those bytes from the first 4-byte boundary, the clear
 * keys after them.
 */
import { DesKey, SCHEDULE_WORDS } from "./des";
import { CRYPTO_OK, E_KCV_DATA_KEY, E_KCV_MAC_KEY, E_KCV_PIN_KEY, E_KEY_FIELD_LENGTH, E_NO_KEY } from "./errors";

/** Words of scratch load() uses: schedules of a 16-byte key, then the clear keys at byte PLAIN (56 bytes). */
const SCRATCH_WORDS = 2 * SCHEDULE_WORDS + 14;
/** Scratch bytes a lender needs (3 more than used: the words start at a 4-byte boundary). */
export const WORKING_KEYS_SCRATCH = 4 * SCRATCH_WORDS + 3;
const PLAIN = 8 * SCHEDULE_WORDS;

export class WorkingKeys {
  readonly pinKey: DesKey;
  readonly macKey: DesKey;
  /**
   * Schedules at word 0 (a TMK may be loaded here and passed to load(): load() is done with it
   * before it reuses the room); clear keys at byte PLAIN + 0 (PIN), 16 (MAC), 32 (data), 48..55
   * the check-value block. Zeroed after every load() (scratch.clear()).
   */
  readonly scratch: DesKey;

  /** `scratch`: at least WORKING_KEYS_SCRATCH bytes the owner does not need across a load (else one of its own). */
  constructor(scratch?: Uint8Array) {
    const w = new Int32Array(4 * SCHEDULE_WORDS);
    this.pinKey = new DesKey(0, w.subarray(0, 2 * SCHEDULE_WORDS));
    this.macKey = new DesKey(0, w.subarray(2 * SCHEDULE_WORDS));
    const lent = scratch && scratch.length >= WORKING_KEYS_SCRATCH ? scratch : new Uint8Array(WORKING_KEYS_SCRATCH);
    const at = lent.byteOffset + ((4 - (lent.byteOffset & 3)) & 3);
    this.scratch = new DesKey(0, new Int32Array(lent.buffer, at, SCRATCH_WORDS));
  }

  /** Decrypt, check and install the keys in f62[off, off+len); CRYPTO_OK or an E_* code. */
  load(tmk: DesKey, f62: Uint8Array, off: number, len: number): number {
    const probe = this.scratch;
    let e = CRYPTO_OK;
    if (tmk.size === 0) e = E_NO_KEY;
    else if ((len !== 24 && len !== 40 && len !== 60) || off < 0 || off + len > f62.length) e = E_KEY_FIELD_LENGTH;
    if (e !== CRYPTO_OK) {
      probe.clear();
      return e;
    }
    const single = len === 24;
    const pinLen = single ? 8 : 16;
    const macAt = pinLen + 4;
    let macLen = 8;
    if (!single) for (let i = macAt + 8; i < macAt + 16; i++) if (f62[off + i] !== 0) macLen = 16;
    // the scratch as bytes: a view for this load only (a sign-in, not the sale's path)
    const w = probe.ks;
    const p = new Uint8Array(w.buffer, w.byteOffset, 4 * SCRATCH_WORDS);
    // all three decrypted before the probe reuses the schedules' room (the TMK may be there)
    tmk.decryptEcb(f62, off, pinLen, p, PLAIN);
    tmk.decryptEcb(f62, off + macAt, macLen, p, PLAIN + 16);
    if (len === 60) tmk.decryptEcb(f62, off + 40, 16, p, PLAIN + 32);
    // each key's check value (the first 4 bytes of 8 zero bytes encrypted under the clear key)
    // must match the 4 bytes after it: PIN, MAC, then the data key
    for (let k = 0; k < (len === 60 ? 3 : 2) && e === CRYPTO_OK; k++) {
      const n = k === 0 ? pinLen : k === 1 ? macLen : 16;
      const kcvAt = off + (k === 0 ? pinLen : k === 1 ? macAt + (single ? 8 : 16) : 56);
      probe.load(p, PLAIN + 16 * k, n);
      for (let i = PLAIN + 48; i < PLAIN + 56; i++) p[i] = 0;
      probe.encryptBlock(p, PLAIN + 48, p, PLAIN + 48);
      for (let i = 0; i < 4; i++) if (p[PLAIN + 48 + i] !== f62[kcvAt + i]) e = k === 0 ? E_KCV_PIN_KEY : k === 1 ? E_KCV_MAC_KEY : E_KCV_DATA_KEY;
    }
    if (e === CRYPTO_OK) {
      this.pinKey.load(p, PLAIN, pinLen);
      this.macKey.load(p, PLAIN + 16, macLen);
    }
    probe.clear();
    return e;
  }
}
