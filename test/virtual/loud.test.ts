import { strict as assert } from "node:assert";
import { boardWith } from "./helpers";

describe("virtual board: fails loudly on what it does not provide", () => {
  const b = boardWith("");
  const cases: Array<[string, RegExp]> = [
    ["analogRead(A0)", /virtual board does not provide analogRead/],
    ["Wifi.connect('x')", /virtual board does not provide Wifi/],
    ["save()", /virtual board does not provide save/],
    ["new Graphics()", /virtual board does not provide Graphics/],
    ["require('http')", /virtual board: module 'http' is not provided/],
    ["Serial1.foo()", /virtual board does not provide Serial1.foo/],
    ["E.getTemperature()", /virtual board does not provide E.getTemperature/],
    ["I2C1.readReg(1, 2)", /virtual board does not provide I2C1.readReg/],
    ["A0.analog", /virtual board does not provide A0.analog/],
    ["require('Storage').open('f', 'r')", /virtual board does not provide Storage.open/],
    ["require('net').createConnection", /virtual board does not provide net.createConnection/],
    ["process.env.RAM", /virtual board does not provide process.env.RAM/],
    ["new Map()", /Espruino has no Map/],
    ["typeof Symbol", /Espruino has no Symbol/],
    ["Array.from([1])", /Espruino has no Array.from/],
    ["Number.isInteger(1)", /Espruino has no Number.isInteger/],
  ];
  for (const [code, msg] of cases) {
    it(code, () => {
      assert.throws(() => b.eval(code), (e: Error) => msg.test(e.message) && e instanceof (b.eval("Error") as ErrorConstructor));
    });
  }

  it("harmless probes do not throw (JSON, printing, promises)", () => {
    assert.equal(b.eval("JSON.stringify({ s: typeof Serial1.toJSON, t: typeof E.then })"), '{"s":"undefined","t":"undefined"}');
    assert.equal(b.eval("process.env.BOARD"), process.env.BOARD || "VIRTUAL");
    assert.equal(b.eval("process.env.NOT_A_KEY"), undefined);
  });

  it("an uncaught one prints the name on the console", () => {
    const c = boardWith("setTimeout(function () { digitalPulse(A0, 1, 5); }, 1);");
    c.sched.advance(1);
    assert.equal(c.console.output, "Uncaught Error: virtual board does not provide digitalPulse\r\n");
  });
});
