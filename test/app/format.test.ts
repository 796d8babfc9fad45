import { strict as assert } from "node:assert";
import { putNum, stampOf, str, F_ZEROS, F_SPACES, F_MONEY, F_DATE, F_HM, F_MD_HM, F_DATETIME } from "../../firmware/ui/format";
import { showFault } from "../../firmware/app/fault-screen";

const buf = new Uint8Array(64);

function s(end: number, from = 0): string {
  return str(buf, from, end);
}

describe("ui/format: allocation-free writers into byte buffers", () => {
  it("writes unsigned numbers with padding, whole when wider than the width", () => {
    assert.equal(s(putNum(buf, 0, F_ZEROS, 42, 6)), "000042");
    assert.equal(s(putNum(buf, 0, F_SPACES, 7, 3)), "  7");
    assert.equal(s(putNum(buf, 0, F_ZEROS, 1234567, 3)), "1234567");
    assert.equal(s(putNum(buf, 0, F_ZEROS, 0, 1)), "0");
    assert.equal(s(putNum(buf, 0, F_ZEROS, 999999999999, 1)), "999999999999");
    assert.equal(s(putNum(buf, 0, F_SPACES, 100000, 2)), "100000");
    assert.equal(s(putNum(buf, 4, F_ZEROS, 5, 2), 4), "05", "from an offset, returning the end");
  });

  it("formats fen as money with the decimal point placed", () => {
    const cases: [number, string][] = [
      [0, "0.00"],
      [5, "0.05"],
      [12, "0.12"],
      [123, "1.23"],
      [12345, "123.45"],
      [100, "1.00"],
      [999999999999, "9999999999.99"],
      [-5, "0.00"],
    ];
    for (const [fen, text] of cases) assert.equal(s(putNum(buf, 0, F_MONEY, fen, 0)), text);
  });

  it("turns clock time into the yyyymmddhhmmss stamp like Date does, over leap years and centuries", () => {
    const times = [0, Date.UTC(2024, 1, 29, 23, 59, 59), Date.UTC(2000, 2, 1), Date.UTC(2100, 11, 31, 12, 0, 1), Date.UTC(2024, 2, 5, 14, 7, 9)];
    for (let k = 0; k < 2000; k++) times.push(Math.floor(k * 86400000 * 23.7 + k * 7919));
    const two = (n: number) => String(n).padStart(2, "0");
    for (const t of times) {
      const d = new Date(t);
      const want = String(d.getUTCFullYear()).padStart(4, "0") + two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds());
      assert.equal(String(stampOf(t)).padStart(14, "0"), want, String(t));
    }
  });

  it("formats date, month-day and time from the stamp", () => {
    const t = stampOf(Date.UTC(2024, 2, 5, 14, 7, 9));
    assert.equal(t, 20240305140709);
    assert.equal(s(putNum(buf, 0, F_DATE, t, 0)), "2024-03-05");
    assert.equal(s(putNum(buf, 0, F_MD_HM, t, 0)), "03-05 14:07");
    assert.equal(s(putNum(buf, 0, F_HM, t, 0)), "14:07");
    assert.equal(s(putNum(buf, 0, F_DATETIME, t, 0)), "2024-03-05 14:07:09");
    assert.equal(s(putNum(buf, 0, F_DATETIME, 20991231235958, 0)), "2099-12-31 23:59:58");
  });

  it("wraps a configuration error over the LCD rows", () => {
    function shown(reason: string, cols: number, rows: number): string[] {
      const lines: string[] = [];
      showFault({ rows, cols, setLine: (r: number, text: string) => ((lines[r] = text), text.length) }, "CONFIG ERROR", reason);
      return lines;
    }
    assert.deepEqual(shown("tid must be 8 printable characters", 16, 4), ["CONFIG ERROR", "TID MUST BE 8", "PRINTABLE", "CHARACTERS"]);
    assert.deepEqual(shown("ABCDEFGHIJKLMNOPQRSTUV X", 10, 10).slice(1, 4), ["ABCDEFGHIJ", "KLMNOPQRST", "UV X"]);
    assert.deepEqual(shown("A B C D E F", 3, 3), ["CONFIG ERROR", "A B", "C D"]);
    assert.deepEqual(shown("short", 16, 4), ["CONFIG ERROR", "SHORT", "", ""]);
  });
});
