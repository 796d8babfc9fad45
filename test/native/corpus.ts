/**
 * Seeded ISO 8583 frames for the field walk's tests (test/native/thumb.test.ts on the real
 * interpreter, test/iso8583/unpack-thumb.test.ts in Node).
 */
import { strict as assert } from "node:assert";
import { Mac, MAC_UNIONPAY_ECB } from "../../firmware/txn/crypto/mac";
import { createUnionPayTable, ISO_OK, Message, unpack } from "../../firmware/txn/iso8583/index";
import { fieldAttr } from "../../firmware/txn/iso8583/field-table";
import { packedSamples } from "../iso8583/helpers";
import { prng } from "../prng";

/** Seeded messages for the walk: every sample packed (with and without MAC), then mutated. */
export function unpackCorpus(count: number, seed: number): Buffer[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const table = createUnionPayTable();
  const mac = new Mac(MAC_UNIONPAY_ECB);
  mac.key.load(Buffer.from("0123456789ABCDEF", "hex"), 0, 8);
  const valid = packedSamples(table, mac);
  const corpus = valid.slice();
  // targeted edits at every field of every valid message: its length prefix at the maximum, one
  // past it, or not a number; its first or last byte at the edges of what its kind allows (BCD
  // nibbles 9/A/D/F, an 0x20/0x7e and one outside, digits, '='); the message cut at the field
  const view = new Message(table, 0);
  const edges = [0x1f, 0x20, 0x7e, 0x7f, 0x2f, 0x30, 0x39, 0x3a, 0x3d, 0x99, 0x9a, 0xa9, 0xd0, 0x0d, 0xdd, 0xf0, 0x0f, 0xff];
  const targeted: Buffer[] = [];
  for (const v of valid) {
    const frame = new Uint8Array(v);
    assert.equal(unpack(frame, frame.length, view), ISO_OK);
    for (let f = 2; f <= 64; f++) {
      if (!view.has(f)) continue;
      const a = fieldAttr(table, f);
      const lt = (a >> 3) & 3;
      const max = (table.spec[3 * f + 1] << 8) | table.spec[3 * f + 2];
      const at = view.off[f];
      const end = f < 64 && view.has(f + 1) ? view.off[f + 1] : frame.length;
      const edit = (fn: (b: Buffer) => Buffer | void) => {
        const b = Buffer.from(v);
        targeted.push((fn(b) as Buffer) || b);
      };
      if (lt === 1) {
        for (const n of [max, max + 1, 0]) edit((b) => void (b[at - 1] = ((Math.floor(n / 10) % 10) << 4) | n % 10));
        edit((b) => void (b[at - 1] = 0x1a));
      } else if (lt === 2) {
        for (const n of [max, max + 1, 0]) edit((b) => void ((b[at - 2] = Math.floor(n / 100)), (b[at - 1] = ((Math.floor(n / 10) % 10) << 4) | n % 10)));
        edit((b) => void (b[at - 2] = 0x10));
      }
      for (const e of edges) {
        edit((b) => void (b[at] = e));
        if (end - 1 > at) edit((b) => void (b[end - 1] = e));
      }
      edit((b) => b.subarray(0, at));
      edit((b) => b.subarray(0, end - 1));
    }
  }
  for (const b of targeted) if (b.length >= 2) b.writeUInt16BE((b.length - 2) & 0xffff, 0);
  // a seeded sample of them, then random edits
  while (corpus.length < count / 2 && targeted.length > 0) corpus.push(targeted.splice(int(targeted.length), 1)[0]);
  while (corpus.length < count) {
    let b = Buffer.from(valid[int(valid.length)]);
    const edits = 1 + int(3);
    for (let k = 0; k < edits && b.length > 0; k++) {
      const what = int(8);
      const at = 23 + int(Math.max(1, b.length - 23)); // past the bitmap mostly: the walk's bytes
      if (what === 0) b[at] ^= 1 << int(8);
      else if (what === 1) b[at] = int(256);
      else if (what === 2) b = b.subarray(0, at);
      else if (what === 3) b = Buffer.concat([b.subarray(0, at), Buffer.from([int(256), int(256)]), b.subarray(at)]);
      else if (what === 4) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(6)))]);
      else if (what === 5 && b.length > 23) b[15 + int(8)] ^= 1 << int(8); // a field in or out of the bitmap
      else if (what === 6 && b.length > 24) b[at] = [0x99, 0xff, 0x00, 0x10, 0x9a, 0xa9][int(6)];
      else b[at] = [0x0a, 0xd0, 0xf0, 0x3d, 0x0f, 0xdd][int(6)];
    }
    if (b.length >= 2 && rnd() < 0.9) b.writeUInt16BE((b.length - 2) & 0xffff, 0);
    corpus.push(b);
  }
  return corpus;
}
