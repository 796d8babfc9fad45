/**
 * thumb.c's field walk (the job with bit 31 of the second argument set) answered in TypeScript,
 * for the Node stand-ins of Espruino's E (test/crypto/des-thumb.test.ts,
 * test/iso8583/unpack-thumb.test.ts): the arguments decoded as thumb.c decodes them, the frame
 * walked by the interpreted unpack() over a table made of the spec they point at, the offsets
 * and lengths written back through the address, the result packed as thumb.c packs it.
 */
import { FieldTable } from "../../firmware/txn/iso8583/field-table";
import { E_TRAILING_DATA, ISO_OK, Message, unpack } from "../../firmware/txn/iso8583/index";
import { FakeMemory } from "./fake-memory";

const g = globalThis as any;

/** An E whose addresses are all 0, so unpack() walks in TypeScript; flashBytes copies. */
const INTERPRETED_E = { getAddressOf: () => 0, toArrayBuffer: FakeMemory.prototype.toArrayBuffer };

/** `mem(addr, len)`: a view of the stand-in's memory there. */
export function emulateWalk(mem: (addr: number, len: number) => Uint8Array, a: number, b: number, c: number, d: number): number {
  const len = d & 0xffff;
  const bm = (d >>> 16) & 0xff;
  const n = d >>> 24;
  const spec = mem((b & 0x3fffffff) >>> 0, 3 * n);
  const frame = mem(a >>> 0, len).slice();
  const last = frame[bm] & 0x80 ? 128 : 64;
  const saved = g.E;
  g.E = INTERPRETED_E;
  try {
    const table = new FieldTable({ headLength: bm - 4, asciiMti: false, asciiPrefix: ((b >>> 30) & 1) === 1, fields: Buffer.from(spec).toString("latin1") });
    const v = new Message(table, 0);
    const e = unpack(frame, len, v);
    const out = mem(c >>> 0, 4 * n);
    for (let f = 2; f < n; f++) {
      if (!v.has(f)) continue;
      out[2 * f] = v.off[f] & 255;
      out[2 * f + 1] = v.off[f] >> 8;
      out[2 * (n + f)] = v.len[f] & 255;
      out[2 * (n + f) + 1] = v.len[f] >> 8;
    }
    if (e === ISO_OK) return ((last + 1) << 8) | (len << 16);
    if (e === E_TRAILING_DATA) return ((last + 1) << 8) | ((len - 1) << 16);
    return e | (v.errorField << 8);
  } finally {
    g.E = saved;
  }
}
