/**
 * Runs on an ARM Espruino that can execute code in its memory (see test/crypto/des-thumb.test.ts):
 * every block through DesKey twice, as desBlock() in the interpreter and as des-thumb.c's machine
 * code, and prints one line per block with both results, then a summary line.
 */
import { DesKey, useThumbDes } from "../../../firmware/txn/crypto/des";

declare function print(...text: any[]): void;
declare const E: { getAddressOf(v: any, flat: boolean): number };

const hex = "0123456789abcdef";
function toHex(b: Uint8Array, off: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += hex[b[off + i] >> 4] + hex[b[off + i] & 15];
  return s;
}

// deterministic bytes (xorshift), the same on every run
let seed = 0x2545f491;
function next(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed & 255;
}

const key = new Uint8Array(24);
const big = new Uint8Array(96); // flat: Espruino gives it one piece, at an address
const small = new Uint8Array(8); // in one block: Espruino gives its bytes an address too
const out = new Uint8Array(96);
const cases: string[] = [];

function run(thumb: boolean): string[] {
  const lines: string[] = [];
  seed = 0x2545f491;
  for (let c = 0; c < 24; c++) {
    const size = c % 3 === 0 ? 8 : c % 3 === 1 ? 16 : 24;
    for (let i = 0; i < 24; i++) key[i] = next();
    for (let i = 0; i < 96; i++) big[i] = next();
    const k = new DesKey(24);
    k.load(key, 0, size);
    // odd offsets too: the code reads words at any byte
    const so = c % 5;
    const dOff = 40 + (c % 7);
    k.encryptBlock(big, so, out, dOff);
    let line = size + " enc " + toHex(out, dOff, 8);
    k.decryptEcb(big, so, 24, out, dOff);
    line += " dec " + toHex(out, dOff, 24);
    // in place, as the MAC and the PIN block use it
    k.encryptBlock(big, 8, big, 8);
    line += " inplace " + toHex(big, 8, 8);
    for (let i = 0; i < 8; i++) small[i] = big[i];
    k.encryptBlock(small, 0, small, 0);
    line += " small " + toHex(small, 0, 8);
    lines.push(line);
  }
  return lines;
}

const js = run(false);
const on = useThumbDes();
const native = run(true);
let same = 0;
for (let i = 0; i < js.length; i++) {
  if (js[i] === native[i]) same++;
  else cases.push("DIFF " + i + "\n js     " + js[i] + "\n native " + native[i]);
}
// FIPS 81 / common test vector: key 0123456789ABCDEF, plaintext "Now is t" -> 3fa40e8a984d4815
const fk = new DesKey();
const fb = new Uint8Array(32);
const kb = new Uint8Array(24);
const kv = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
const pv = [0x4e, 0x6f, 0x77, 0x20, 0x69, 0x73, 0x20, 0x74];
for (let i = 0; i < 8; i++) {
  kb[i] = kv[i];
  fb[i] = pv[i];
}
fk.load(kb, 0, 8);
fk.encryptBlock(fb, 0, fb, 8);
for (let i = 0; i < cases.length; i++) print(cases[i]);
// the buffers the blocks go through have flat addresses: with the code on, they ran as code
const flat = E.getAddressOf(big, true) !== 0 && E.getAddressOf(out, true) !== 0;
print("THUMB " + (on ? "on" : "off") + " flat " + (flat ? "yes" : "no") + " same " + same + "/" + js.length + " fips " + toHex(fb, 8, 8));
