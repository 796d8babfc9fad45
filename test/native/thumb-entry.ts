/**
 * Runs on an ARM Espruino that can execute code in its memory (see test/native/thumb.test.ts):
 * every DES block through DesKey and every message of the corpus `M` (binary strings, set before
 * this loads) through unpack(), first interpreted, then with thumb.c's machine code on; prints
 * each difference, then a summary line for each.
 */
import { DesKey } from "../../firmware/txn/crypto/des";
import { useThumb } from "../../firmware/txn/native/thumb";
import { createUnionPayTable, Message, unpack } from "../../firmware/txn/iso8583/index";

declare function print(...text: any[]): void;
declare const E: { getAddressOf(v: any, flat: boolean): number };
declare const M: string[];

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

// unpack: every field's offset and length, the error, the field it was in, the MTI
const table = createUnionPayTable();
const view = new Message(table, 0);
const frame = new Uint8Array(2048);
function unpackAll(): string[] {
  const lines: string[] = [];
  for (let m = 0; m < M.length; m++) {
    const s = M[m];
    for (let i = 0; i < s.length; i++) frame[i] = s.charCodeAt(i);
    const e = unpack(frame, s.length, view);
    let line = e + " " + view.errorField + " " + view.mti + ":";
    for (let f = 1; f <= table.lastField; f++) if (view.has(f)) line += " " + f + "@" + view.off[f] + "+" + view.len[f];
    lines.push(line);
  }
  return lines;
}

const js = run(false);
const jsUnpack = unpackAll();
const on = useThumb();
const native = run(true);
const nativeUnpack = unpackAll();
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
let unpackSame = 0;
let accepted = 0;
for (let i = 0; i < jsUnpack.length; i++) {
  if (jsUnpack[i] === nativeUnpack[i]) unpackSame++;
  else print("UNPACK DIFF " + i + "\n js     " + jsUnpack[i] + "\n native " + nativeUnpack[i]);
  if (jsUnpack[i].charAt(0) === "0" && jsUnpack[i].charAt(1) === " ") accepted++;
}
print("UNPACK same " + unpackSame + "/" + jsUnpack.length + " accepted " + accepted + " flat " + (E.getAddressOf(frame, true) !== 0 ? "yes" : "no"));
print("THUMB " + (on ? "on" : "off") + " flat " + (flat ? "yes" : "no") + " same " + same + "/" + js.length + " fips " + toHex(fb, 8, 8));
