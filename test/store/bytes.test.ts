import { strict as assert } from "node:assert";
import { beN } from "../../firmware/txn/store/bytes";

describe("beN: big-endian unsigned fields of the store's records", () => {
  it("writes 1..6 bytes exactly where asked, as the reference does, and reads them back", () => {
    let seed = 5;
    const r = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 1; n <= 6; n++) {
      const max = 2 ** (8 * n);
      const values = [0, 1, 255, 256, max - 1, Math.floor(max / 2), 0xffffffff % max, 999999 % max];
      for (let i = 0; i < 200; i++) values.push(Math.floor(r() * max));
      for (const v of values.filter((x) => x < max)) {
        const b = new Uint8Array(10).fill(0xee);
        assert.equal(beN(b, 2, n, v), v);
        const want = Buffer.alloc(10, 0xee);
        want.writeUIntBE(v, 2, n);
        assert.deepEqual(Buffer.from(b), want, `n=${n} v=${v}`);
        assert.equal(beN(b, 2, n), v);
      }
    }
  });
});
