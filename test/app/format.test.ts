import { strict as assert } from "node:assert";
import {
  digitCount,
  putUint,
  putMoney,
  moneyLen,
  putMsg,
  putMaskedPan,
  splitTime,
  splitYmdhms,
  putDate,
  putTime,
  putMonthDay,
  str,
} from "../../firmware/ui/format";
import { MSG_RC_51, msgEn } from "../../firmware/ui/messages.gen";
import { wrapText } from "../../firmware/app/fault-screen";

const buf = new Uint8Array(64);
const fields = new Int32Array(6);

function s(end: number, from = 0): string {
  return str(buf, from, end);
}

describe("ui/format: allocation-free writers into byte buffers", () => {
  it("writes unsigned numbers with padding, whole when wider than the width", () => {
    assert.equal(s(putUint(buf, 0, 42, 6, 48)), "000042");
    assert.equal(s(putUint(buf, 0, 7, 3, 32)), "  7");
    assert.equal(s(putUint(buf, 0, 1234567, 3, 48)), "1234567");
    assert.equal(s(putUint(buf, 0, 0, 1, 48)), "0");
    assert.equal(s(putUint(buf, 0, 999999999999, 1, 48)), "999999999999");
    assert.equal(digitCount(0), 1);
    assert.equal(digitCount(100000), 6);
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
    ];
    for (const [fen, text] of cases) {
      assert.equal(s(putMoney(buf, 0, fen)), text);
      assert.equal(moneyLen(fen), text.length);
    }
  });

  it("copies catalogue text by offset, clipped at max", () => {
    assert.equal(s(putMsg(buf, 0, MSG_RC_51, 40)), msgEn(MSG_RC_51));
    assert.equal(s(putMsg(buf, 0, MSG_RC_51, 3)), msgEn(MSG_RC_51).slice(0, 3));
  });

  it("masks a PAN: first 6, last 4", () => {
    const pan = new Uint8Array(Buffer.from("6222021000009873", "latin1"));
    assert.equal(s(putMaskedPan(buf, 0, pan, 16)), "622202******9873");
    const p19 = new Uint8Array(Buffer.from("6214830000000012341", "latin1"));
    assert.equal(s(putMaskedPan(buf, 0, p19, 19)), "621483*********2341");
  });

  it("splits clock time like Date does, over leap years and centuries", () => {
    const times = [0, Date.UTC(2024, 1, 29, 23, 59, 59), Date.UTC(2000, 2, 1), Date.UTC(2100, 11, 31, 12, 0, 1), Date.UTC(2024, 2, 5, 14, 7, 9)];
    for (let k = 0; k < 2000; k++) times.push(Math.floor(k * 86400000 * 23.7 + k * 7919));
    for (const t of times) {
      splitTime(t, fields);
      const d = new Date(t);
      assert.deepEqual(Array.from(fields), [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()], String(t));
    }
  });

  it("formats date, month-day and time", () => {
    splitTime(Date.UTC(2024, 2, 5, 14, 7, 9), fields);
    assert.equal(s(putDate(buf, 0, fields)), "2024-03-05");
    assert.equal(s(putMonthDay(buf, 0, fields)), "03-05");
    assert.equal(s(putTime(buf, 0, fields, false)), "14:07");
    assert.equal(s(putTime(buf, 0, fields, true)), "14:07:09");
  });

  it("reads the engine's YYMMDDhhmmss number", () => {
    splitYmdhms(240305140709, fields);
    assert.deepEqual(Array.from(fields), [2024, 3, 5, 14, 7, 9]);
  });

  it("wraps a configuration error over the LCD rows", () => {
    assert.deepEqual(wrapText("TID MUST BE 8 PRINTABLE CHARACTERS", 16, 3), ["TID MUST BE 8", "PRINTABLE", "CHARACTERS"]);
    assert.deepEqual(wrapText("ABCDEFGHIJKLMNOPQRSTUV X", 10, 9), ["ABCDEFGHIJ", "KLMNOPQRST", "UV X"]);
    assert.deepEqual(wrapText("A B C D E F", 3, 2), ["A B", "C D"]);
  });
});
