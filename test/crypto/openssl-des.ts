/**
 * Node's OpenSSL as the DES reference for the tests: des-ede3-ecb, a single-DES key as K1=K2=K3
 * and a 16-byte key as K1 K2 K1 (plain 'des-ecb' is disabled in OpenSSL 3's default provider).
 */
import { createCipheriv, createDecipheriv } from "node:crypto";

/** OpenSSL's EDE3 key for an 8/16/24-byte key. */
export function ede3Key(k: Buffer): Buffer {
  if (k.length === 8) return Buffer.concat([k, k, k]);
  if (k.length === 16) return Buffer.concat([k, k.subarray(0, 8)]);
  return k;
}

/** ECB over `data` (a multiple of 8 bytes) under an 8/16/24-byte key. */
export function nodeEcb(k: Buffer, data: Buffer, decrypt: boolean): Buffer {
  const c = decrypt ? createDecipheriv("des-ede3-ecb", ede3Key(k), null) : createCipheriv("des-ede3-ecb", ede3Key(k), null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}
