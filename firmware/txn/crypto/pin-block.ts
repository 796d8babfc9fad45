/**
 * ISO 9564-1 format 0 PIN block: `0L PPPP..FF` XOR `0000` + the 12 rightmost PAN digits excluding
 * the check digit (left-padded with 0 when the PAN is shorter). PIN and PAN come as ASCII digits
 * (keypad buffer, CardData.pan). The clear block lives only in the caller's buffer: encrypt it at
 * once (`pinBlockEncrypted`) and wipe the PIN digits.
 *
 * One function in the firmware (each costs RAM on Espruino): pinBlockEncrypted builds the block
 * and encrypts it; pinBlockFormat0 (the clear block, for tests) is it without a key.
 */
import { DesKey } from "./des";
import { CRYPTO_OK, E_NO_KEY, E_PAN_FORMAT, E_PIN_FORMAT } from "./errors";

/**
 * Format-0 PIN block encrypted under the PIN key (null: left clear), into out[outOff..+8).
 * CRYPTO_OK, E_NO_KEY, E_PIN_FORMAT or E_PAN_FORMAT (and then `out` is not touched). @hot
 */
export function pinBlockEncrypted(
  pinKey: DesKey | null,
  pin: Uint8Array,
  pinOff: number,
  pinLen: number,
  pan: Uint8Array,
  panOff: number,
  panLen: number,
  out: Uint8Array,
  outOff: number
): number {
  if (pinKey !== null && pinKey.size === 0) return E_NO_KEY;
  if (pinLen < 4 || pinLen > 12) return E_PIN_FORMAT;
  for (let i = 0; i < pinLen; i++) if ((pin[pinOff + i] - 48) >>> 0 > 9) return E_PIN_FORMAT;
  if (panLen < 2 || panLen > 19) return E_PAN_FORMAT;
  for (let i = 0; i < panLen; i++) if ((pan[panOff + i] - 48) >>> 0 > 9) return E_PAN_FORMAT;
  // A byte (two nibbles) a statement: on Espruino every statement costs ~10,000 instructions.
  // PIN field: nibble 0 = 0 (format), nibble 1 = length, then digits, then F fill (16 nibbles).
  out[outOff] = pinLen;
  for (let b = 1, n = 0; b < 8; b++, n += 2) out[outOff + b] = ((n < pinLen ? pin[pinOff + n] - 48 : 15) << 4) | (n + 1 < pinLen ? pin[pinOff + n + 1] - 48 : 15);
  // PAN field XORed in: nibbles 4..15 = PAN digits panLen-13 .. panLen-2 (check digit excluded),
  // 0 before the PAN's first; byte b's first digit is at k = panLen - 17 + 2b
  for (let b = 2, k = panOff + panLen - 13; b < 8; b++, k += 2) out[outOff + b] ^= ((k >= panOff ? pan[k] - 48 : 0) << 4) | (k + 1 >= panOff ? pan[k + 1] - 48 : 0);
  if (pinKey !== null) pinKey.encryptBlock(out, outOff, out, outOff);
  return CRYPTO_OK;
}

/** Clear format-0 PIN block into out[outOff..+8); CRYPTO_OK, E_PIN_FORMAT or E_PAN_FORMAT. @hot */
export function pinBlockFormat0(
  pin: Uint8Array,
  pinOff: number,
  pinLen: number,
  pan: Uint8Array,
  panOff: number,
  panLen: number,
  out: Uint8Array,
  outOff: number
): number {
  return pinBlockEncrypted(null, pin, pinOff, pinLen, pan, panOff, panLen, out, outOff);
}
