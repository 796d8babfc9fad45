/**
 * Host-side cryptography for the UnionPay terminal profile (PROTOCOL.md "Security"), written
 * independently of firmware/txn so one bug cannot hide in both.
 *
 * DES comes from node:crypto. OpenSSL 3 refuses plain 'des-ecb' (legacy provider), so single
 * DES is done as two-key 3DES with K1 = K2 ('des-ede-ecb'), which is mathematically E(K) D(K)
 * E(K) = E(K). Keys: 8 bytes = single DES, 16 = 2-key 3DES, 24 = 3-key 3DES.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";

function cipherParams(key: Buffer): { alg: string; key: Buffer } {
  if (key.length === 8) return { alg: "des-ede-ecb", key: Buffer.concat([key, key]) };
  if (key.length === 16) return { alg: "des-ede-ecb", key: key };
  if (key.length === 24) return { alg: "des-ede3-ecb", key: key };
  throw new Error("DES key must be 8, 16 or 24 bytes, got " + key.length);
}

function checkBlocks(data: Buffer): void {
  if (data.length % 8 !== 0) throw new Error("DES data must be a multiple of 8 bytes, got " + data.length);
}

/** ECB-encrypts whole 8-byte blocks (no padding). */
export function ecbEncrypt(key: Buffer, data: Buffer): Buffer {
  checkBlocks(data);
  const p = cipherParams(key);
  const c = createCipheriv(p.alg, p.key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** ECB-decrypts whole 8-byte blocks (no padding). */
export function ecbDecrypt(key: Buffer, data: Buffer): Buffer {
  checkBlocks(data);
  const p = cipherParams(key);
  const d = createDecipheriv(p.alg, p.key, null);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

/** Key check value: the first 4 bytes of the key encrypting 8 zero bytes. */
export function checkValue(key: Buffer): Buffer {
  return ecbEncrypt(key, Buffer.alloc(8)).subarray(0, 4);
}

/** Sets odd parity on every byte (DES ignores the low bit; real key generators set it). */
export function withOddParity(key: Buffer): Buffer {
  const out = Buffer.from(key);
  for (let i = 0; i < out.length; i++) {
    let b = out[i] & 0xfe;
    let ones = 0;
    for (let v = b; v; v >>= 1) ones += v & 1;
    if (ones % 2 === 0) b |= 1;
    out[i] = b;
  }
  return out;
}

/**
 * UnionPay "ECB" MAC (PROTOCOL.md): XOR the input in 8-byte blocks (last block zero-padded);
 * take the 16 upper-case hex characters of the result; encrypt the first 8 characters with the
 * MAC key; XOR with the last 8 characters; encrypt again; the MAC is the first 8 upper-case
 * hex characters of that, sent as 8 ASCII bytes in field 64.
 */
export function unionPayMac(macKey: Buffer, data: Buffer): Buffer {
  const x = Buffer.alloc(8);
  for (let i = 0; i < data.length; i++) x[i % 8] ^= data[i];
  const hex = Buffer.from(x.toString("hex").toUpperCase(), "ascii");
  const left = ecbEncrypt(macKey, hex.subarray(0, 8));
  for (let i = 0; i < 8; i++) left[i] ^= hex[8 + i];
  const out = ecbEncrypt(macKey, left);
  return Buffer.from(out.toString("hex").toUpperCase().slice(0, 8), "ascii");
}

/** The 12 rightmost PAN digits excluding the check digit (ISO 9564 format 0 account field). */
export function panDigitsForPinBlock(pan: string): string {
  if (!/^[0-9]{13,19}$/.test(pan)) throw new Error("PAN must be 13..19 digits");
  return pan.slice(pan.length - 13, pan.length - 1);
}

/** Clear ISO 9564 format 0 PIN block for a PIN of 4..12 digits. */
export function pinBlockFormat0(pin: string, pan: string): Buffer {
  if (!/^[0-9]{4,12}$/.test(pin)) throw new Error("PIN must be 4..12 digits");
  const pinField = Buffer.from(("0" + pin.length.toString(16) + pin).padEnd(16, "F"), "hex");
  const panField = Buffer.from("0000" + panDigitsForPinBlock(pan), "hex");
  for (let i = 0; i < 8; i++) pinField[i] ^= panField[i];
  return pinField;
}

export type PinBlockResult = { ok: true; pin: string } | { ok: false; reason: string };

/** Checks a clear format 0 PIN block against the PAN and extracts the PIN. */
export function parsePinBlockFormat0(block: Buffer, pan: string): PinBlockResult {
  if (block.length !== 8) return { ok: false, reason: "PIN block must be 8 bytes" };
  let panField: Buffer;
  try {
    panField = Buffer.from("0000" + panDigitsForPinBlock(pan), "hex");
  } catch (e) {
    return { ok: false, reason: "PAN unusable for PIN block" };
  }
  const clear = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) clear[i] = block[i] ^ panField[i];
  const hex = clear.toString("hex").toUpperCase();
  if (hex[0] !== "0") return { ok: false, reason: "not format 0" };
  const len = parseInt(hex[1], 16);
  if (len < 4 || len > 12) return { ok: false, reason: "PIN length out of range" };
  const pin = hex.slice(2, 2 + len);
  if (!/^[0-9]+$/.test(pin)) return { ok: false, reason: "PIN digits invalid" };
  if (!/^F*$/.test(hex.slice(2 + len))) return { ok: false, reason: "PIN block padding invalid" };
  return { ok: true, pin: pin };
}

/** Working keys as the host hands them out at sign-in (clear, kept only in host memory). */
export interface WorkingKeys {
  /** 8 bytes (single DES, 60.3 = 001) or 16 bytes (2-key 3DES, 60.3 = 003/004). */
  pinKey: Buffer;
  /** Always 8 bytes: the UnionPay MAC above is single DES. */
  macKey: Buffer;
}

/**
 * Field 62 of the sign-in reply: working keys encrypted under the TMK, each followed by the
 * check value of the CLEAR key.
 *   single DES: PIN key 8 + KCV 4 + MAC key 8 + KCV 4                 (24 bytes)
 *   3DES:       PIN key 16 + KCV 4 + MAC key 8 + 8 zero bytes + KCV 4 (40 bytes)
 * (Layout as parsed by public UnionPay terminal code, e.g. LiaoYang_POS pospin.c LogonDivKey.)
 */
export function wrapWorkingKeys(tmk: Buffer, keys: WorkingKeys): Buffer {
  if (keys.macKey.length !== 8) throw new Error("MAC key must be 8 bytes");
  const pinEnc = ecbEncrypt(tmk, keys.pinKey);
  const macEnc = ecbEncrypt(tmk, keys.macKey);
  if (keys.pinKey.length === 8) {
    return Buffer.concat([pinEnc, checkValue(keys.pinKey), macEnc, checkValue(keys.macKey)]);
  }
  if (keys.pinKey.length === 16) {
    return Buffer.concat([pinEnc, checkValue(keys.pinKey), macEnc, Buffer.alloc(8), checkValue(keys.macKey)]);
  }
  throw new Error("PIN key must be 8 or 16 bytes");
}

export type UnwrapResult = { ok: true; keys: WorkingKeys } | { ok: false; reason: string };

/** The terminal's side of `wrapWorkingKeys` (used by the test client): decrypt and check KCVs. */
export function unwrapWorkingKeys(tmk: Buffer, field62: Buffer): UnwrapResult {
  let pinKey: Buffer, pinKcv: Buffer, macKey: Buffer, macKcv: Buffer;
  if (field62.length === 24) {
    pinKey = ecbDecrypt(tmk, field62.subarray(0, 8));
    pinKcv = field62.subarray(8, 12);
    macKey = ecbDecrypt(tmk, field62.subarray(12, 20));
    macKcv = field62.subarray(20, 24);
  } else if (field62.length === 40) {
    pinKey = ecbDecrypt(tmk, field62.subarray(0, 16));
    pinKcv = field62.subarray(16, 20);
    macKey = ecbDecrypt(tmk, field62.subarray(20, 28));
    macKcv = field62.subarray(36, 40);
  } else {
    return { ok: false, reason: "field 62 must be 24 or 40 bytes, got " + field62.length };
  }
  if (!checkValue(pinKey).equals(pinKcv)) return { ok: false, reason: "PIN key check value mismatch" };
  if (!checkValue(macKey).equals(macKcv)) return { ok: false, reason: "MAC key check value mismatch" };
  return { ok: true, keys: { pinKey: pinKey, macKey: macKey } };
}

/** Parses a TMK given as 16 or 32 hex digits. */
export function parseKeyHex(hex: string): Buffer {
  if (!/^([0-9A-Fa-f]{16}|[0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})$/.test(hex)) {
    throw new Error("key must be 16, 32 or 48 hex digits");
  }
  return Buffer.from(hex, "hex");
}
