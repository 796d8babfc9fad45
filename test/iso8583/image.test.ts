// pack()'s second frame: a request and its reversal image in one pass. The image must be exactly
// what packing the request again without the dropped fields, with the image's MTI and no MAC,
// gives: every message type of PROTOCOL.md, each field dropped in turn.
import { strict as assert } from "node:assert";
import { Mac, MAC_UNIONPAY_ECB } from "../../firmware/txn/crypto/mac";
import {
  createUnionPayTable,
  E_MAC_PLACEMENT,
  E_OUTPUT_FULL,
  isoErrorName,
  Message,
  pack,
} from "../../firmware/txn/iso8583/index";
import { fill, samples, type Fields, type Sample } from "./helpers";

const table = createUnionPayTable();
const mac = new Mac(MAC_UNIONPAY_ECB);
mac.key.load(Buffer.from("1C2D3E4F5A6B7C8D", "hex"), 0, 8);

/** A primary bitmap with every field but 1, 64 and `drop`. */
function keepAllBut(drop: number[]): Uint8Array {
  const k = new Uint8Array(8).fill(0xff);
  for (const f of drop.concat([1, 64])) k[(f - 1) >> 3] &= ~(0x80 >> ((f - 1) & 7));
  return k;
}

/** The image the slow way: the request again, without the dropped fields, MTI `mti`, no MAC. */
function repacked(s: Sample, drop: number[], mti: number): Buffer {
  const fields: Fields = {};
  for (const k of Object.keys(s.fields)) if (drop.indexOf(Number(k)) < 0 && Number(k) !== 64) fields[Number(k)] = s.fields[Number(k)];
  const m = new Message(table, 1024);
  fill(m, mti, fields);
  const out = new Uint8Array(2048);
  assert.equal(isoErrorName(pack(m, out, null)), "OK");
  return Buffer.from(out.subarray(0, m.packedLength));
}

describe("ISO 8583 pack: the request and its reversal image in one pass", () => {
  for (const s of samples().filter((x) => x.mti < 800)) {
    it(`${s.name}: the image equals the request packed again without the dropped fields`, () => {
      const present = Object.keys(s.fields).map(Number).filter((f) => f !== 64 && f <= 64);
      for (const drop of [[], [2, 14, 26, 35, 36, 52, 53, 55]].concat(present.map((f) => [f]))) {
        const msg = new Message(table, 1024);
        fill(msg, s.mti, s.fields);
        const out = new Uint8Array(2048);
        const img = new Uint8Array(2048);
        assert.equal(isoErrorName(pack(msg, out, s.mac ? mac : null, img, keepAllBut(drop), 400)), "OK");
        // the request itself is as without an image
        const alone = new Uint8Array(2048);
        const len = msg.packedLength;
        assert.equal(isoErrorName(pack(msg, alone, s.mac ? mac : null)), "OK");
        assert.deepEqual(Buffer.from(out.subarray(0, len)), Buffer.from(alone.subarray(0, msg.packedLength)));
        const imgLen = ((img[0] << 8) | img[1]) + 2;
        assert.deepEqual(Buffer.from(img.subarray(0, imgLen)), repacked(s, drop, 400), "dropping " + drop.join(","));
      }
    });
  }

  it("an image buffer too small is E_OUTPUT_FULL; a secondary bitmap is refused", () => {
    const s = samples().find((x) => x.mti === 200)!;
    const msg = new Message(table, 1024);
    fill(msg, s.mti, s.fields);
    const out = new Uint8Array(2048);
    assert.equal(pack(msg, out, mac, new Uint8Array(30), keepAllBut([]), 400), E_OUTPUT_FULL);
    assert.equal(pack(msg, out, mac, new Uint8Array(10), keepAllBut([]), 400), E_OUTPUT_FULL);
    msg.bitmap[8] |= 0x40; // field 66: a secondary bitmap
    assert.equal(pack(msg, out, null, new Uint8Array(2048), keepAllBut([]), 400), E_MAC_PLACEMENT);
  });
});
