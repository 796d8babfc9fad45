/**
 * unpack()'s call into the Thumb-2 field walk (firmware/txn/native/thumb.c), in Node: a stand-in
 * for Espruino's E keeps thumb.c's contract for that job - it checks every argument (the frame's
 * address, the table's spec and its ASCII-prefix bit, the offsets with the lengths right after
 * them, the frame's length, the bitmap's offset, the table size) and answers as the code would,
 * from the interpreted walk of a copy of the frame, writing the offsets and lengths through the
 * addresses (test/native/walk-emulator.ts). unpack() must then give what it gives interpreted,
 * for valid and broken messages;
 * and go the interpreted way when the code cannot be used. (test/native/thumb.test.ts runs the
 * real code on a real ARM Espruino.)
 */
import { strict as assert } from "node:assert";
import { useThumb } from "../../firmware/txn/native/thumb";
import { createUnionPayTable, Message, unpack } from "../../firmware/txn/iso8583/index";
import { unpackCorpus } from "../native/corpus";
import { emulateWalk } from "../native/walk-emulator";
import { FakeMemory } from "../native/fake-memory";

const g = globalThis as any;

function describeResult(e: number, v: Message): string {
  let s = e + " " + v.errorField + " " + v.mti + ":";
  for (let f = 1; f <= v.table.lastField; f++) if (v.has(f)) s += " " + f + "@" + v.off[f] + "+" + v.len[f];
  return s;
}

class FakeE extends FakeMemory {
  walks = 0;
  constructor(readonly table: ReturnType<typeof createUnionPayTable>) {
    super();
  }

  nativeCall(_addr: number, sig: string): any {
    assert.equal(sig, "int(int,int,int,int)");
    const self = this;
    return function (a: number, b: number, c: number, d: number): number {
      assert.equal(b >>> 31, 1, "the field walk: bit 31 of the second argument");
      const t = self.table;
      const mem = (addr: number, len: number) => self.at(addr, len);
      // useThumb's known answer has a spec of its own; unpack() passes its table's
      if ((b & 0x3fffffff) >>> 0 !== self.getAddressOf(t.spec, true)) return emulateWalk(mem, a, b, c, d);
      self.walks++;
      assert.equal((b >>> 30) & 1, t.asciiPrefix ? 1 : 0, "the ASCII-prefix bit");
      const n = d >>> 24;
      assert.equal(n, t.lastField + 1, "the offsets' size");
      assert.equal((d >>> 16) & 0xff, 2 + t.headLength + (t.asciiMti ? 4 : 2), "the bitmap's offset");
      assert.equal(self.bufferAt(c).buf, self.bufferAt(c + 2 * n).buf, "the lengths right after the offsets");
      return emulateWalk(mem, a, b, c, d);
    };
  }
}

describe("unpack's call into the Thumb-2 field walk (Node, a stand-in for E)", () => {
  const table = createUnionPayTable();
  const saved = g.E;
  // made before the stand-in is installed (flashBytes would take it for Espruino's E)
  const corpus = unpackCorpus(400, 0x5eed);
  const [valid] = corpus;
  let fake: FakeE;
  beforeEach(() => {
    fake = new FakeE(table);
    g.E = fake;
    assert.equal(useThumb(), true);
  });
  afterEach(() => {
    g.E = { getAddressOf: () => 0 };
    assert.equal(useThumb(), false);
    g.E = saved;
  });

  function interpreted(frame: Uint8Array, len: number): string {
    const s = g.E;
    g.E = { getAddressOf: () => 0 };
    useThumb();
    const v = new Message(table, 0);
    const r = describeResult(unpack(frame, len, v), v);
    g.E = s;
    assert.equal(useThumb(), true);
    return r;
  }

  it("gives what the interpreted walk gives, for valid and broken messages, through the code", () => {
    const view = new Message(table, 0);
    let accepted = 0;
    for (const b of corpus) {
      const frame = new Uint8Array(b.length + 8);
      frame.set(b);
      const want = interpreted(frame.slice(), b.length);
      const before = fake.walks;
      const got = describeResult(unpack(frame, b.length, view), view);
      assert.equal(got, want, b.toString("hex"));
      if (got.startsWith("0 ")) accepted++;
      // the code is called whenever the frame and bitmap were read (the walk's errors need it)
      const reachedWalk = b.length >= 2 + 11 + 2 + 8 && b.readUInt16BE(0) === b.length - 2 && (b[15] & 0x80) === 0;
      if (reachedWalk) assert.equal(fake.walks, before + 1, "called for " + b.toString("hex"));
    }
    assert.ok(accepted > 30 && accepted < corpus.length - 50, "accepted " + accepted);
  });

  it("goes the interpreted way without a flat address, and with the secondary bitmap the table does not cover", () => {
    const frame = new Uint8Array(valid.length + 8);
    frame.set(valid);
    const want = interpreted(frame.slice(), valid.length);
    fake.noAddress.add(frame.buffer as ArrayBuffer);
    const view = new Message(table, 0);
    assert.equal(describeResult(unpack(frame, valid.length, view), view), want);
    assert.equal(fake.walks, 0);
    // bit 1: fields 65-128 follow; the UnionPay table stops at 64, so the interpreted walk refuses
    // them on its own
    fake.noAddress.clear();
    const wide = Buffer.concat([valid.subarray(0, 23), Buffer.alloc(8), valid.subarray(23)]);
    wide[15] |= 0x80;
    wide.writeUInt16BE(wide.length - 2, 0);
    const f2 = new Uint8Array(wide);
    const want2 = interpreted(f2.slice(), wide.length);
    assert.equal(describeResult(unpack(f2, wide.length, view), view), want2);
    assert.equal(fake.walks, 0, "not called for a bitmap past the table");
  });
});
