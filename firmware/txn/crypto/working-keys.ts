/**
 * Working keys from the sign-in reply (0810) field 62, encrypted under the terminal master key.
 *
 * Layouts accepted (as in public UnionPay terminal code, e.g. LiaoYang_POS pospin.c LogonDivKey):
 * - 24 bytes, single-DES working keys (60.3 = 001): PIN key 8 + KCV 4, MAC key 8 + KCV 4;
 * - 40 bytes, double-length (60.3 = 003/004): PIN key 16 + KCV 4, MAC key 16 + KCV 4, where the
 *   MAC key is 8 encrypted bytes + 8 zero bytes (a single-DES MAC key); when those last 8 bytes
 *   are not zero the MAC key is taken as a 16-byte triple-DES key (the 3DES MAC key variant);
 * - 60 bytes: the 40-byte layout + data (track) key 16 + KCV 4.
 * Each key is decrypted (ECB) under the TMK and its check value, computed on the clear key, must
 * match, else the load is refused with E_KCV_* and the keys held before stay in place.
 */
import { DesKey } from "./des";
import { CRYPTO_OK, E_KCV_DATA_KEY, E_KCV_MAC_KEY, E_KCV_PIN_KEY, E_KEY_FIELD_LENGTH, E_NO_KEY } from "./errors";

export class WorkingKeys {
  readonly pinKey = new DesKey();
  readonly macKey = new DesKey();
  /** Data (track encryption) key when field 62 carries one, else size 0. */
  readonly dataKey = new DesKey();
  /** Clear keys at 0 (PIN), 16 (MAC), 32 (data); 48..55: the check-value block. */
  private readonly plain = new Uint8Array(56);
  private readonly probe = new DesKey();

  /** Decrypt, check and install the keys in f62[off, off+len); CRYPTO_OK or an E_* code. */
  load(tmk: DesKey, f62: Uint8Array, off: number, len: number): number {
    if (tmk.size === 0) return E_NO_KEY;
    if ((len !== 24 && len !== 40 && len !== 60) || off < 0 || off + len > f62.length) return E_KEY_FIELD_LENGTH;
    const single = len === 24;
    const pinLen = single ? 8 : 16;
    const macAt = pinLen + 4;
    let macLen = 8;
    if (!single) for (let i = macAt + 8; i < macAt + 16; i++) if (f62[off + i] !== 0) macLen = 16;
    const p = this.plain;
    tmk.decryptEcb(f62, off, pinLen, p, 0);
    tmk.decryptEcb(f62, off + macAt, macLen, p, 16);
    if (len === 60) tmk.decryptEcb(f62, off + 40, 16, p, 32);
    // each key's check value (the first 4 bytes of 8 zero bytes encrypted under the clear key)
    // must match the 4 bytes after it: PIN, MAC, then the data key
    let e = CRYPTO_OK;
    for (let k = 0; k < (len === 60 ? 3 : 2) && e === CRYPTO_OK; k++) {
      const n = k === 0 ? pinLen : k === 1 ? macLen : 16;
      const kcvAt = off + (k === 0 ? pinLen : k === 1 ? macAt + (single ? 8 : 16) : 56);
      this.probe.load(p, 16 * k, n);
      for (let i = 48; i < 56; i++) p[i] = 0;
      this.probe.encryptBlock(p, 48, p, 48);
      for (let i = 0; i < 4; i++) if (p[48 + i] !== f62[kcvAt + i]) e = k === 0 ? E_KCV_PIN_KEY : k === 1 ? E_KCV_MAC_KEY : E_KCV_DATA_KEY;
    }
    if (e === CRYPTO_OK) {
      this.pinKey.load(p, 0, pinLen);
      this.macKey.load(p, 16, macLen);
      if (len === 60) this.dataKey.load(p, 32, 16);
      else this.dataKey.clear();
    }
    p.fill(0);
    this.probe.clear();
    return e;
  }
}
