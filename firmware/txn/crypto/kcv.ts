/** Key check values: the first 4 bytes of the key encrypting 8 zero bytes (single DES or EDE). */
import { DesKey } from "./des";

export const KCV_LENGTH = 4;
const block = new Uint8Array(8);

/** Write the 4-byte check value of `key` to out[outOff..]. */
export function keyCheckValue(key: DesKey, out: Uint8Array, outOff: number): void {
  block.fill(0);
  key.encryptBlock(block, 0, block, 0);
  for (let i = 0; i < KCV_LENGTH; i++) out[outOff + i] = block[i];
  block.fill(0);
}

/** True when the 4 bytes at kcv[off] are the check value of `key`. */
export function kcvMatches(key: DesKey, kcv: Uint8Array, off: number): boolean {
  block.fill(0);
  key.encryptBlock(block, 0, block, 0);
  let diff = 0;
  for (let i = 0; i < KCV_LENGTH; i++) diff |= block[i] ^ kcv[off + i];
  block.fill(0);
  return diff === 0;
}
