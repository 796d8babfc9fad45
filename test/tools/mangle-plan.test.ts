import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { minify } from "terser";
import { cachedManglePlan, computeManglePlan, propertyMangleOptions, stringsOf, type ManglePlan } from "../../tools/mangle-plan";
import { firmwareTerserOptions } from "../../tools/bundle-options.js";

/** A throwaway project: tsconfig.json over firmware/ plus the given files. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mangle-plan-"));
  const all: Record<string, string> = {
    "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES5", lib: ["ES5"], types: [], strict: true, skipLibCheck: true, noEmit: true }, include: ["firmware/**/*.ts"] }),
    ...files,
  };
  for (const name of Object.keys(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), all[name]);
  }
  return dir;
}

function planOf(files: Record<string, string>): ManglePlan {
  const dir = project(files);
  try {
    return computeManglePlan({ root: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function keptReason(plan: ManglePlan, name: string): string {
  const k = plan.kept.find((x) => x.name === name);
  assert.ok(k, `${name} should be kept; renamed: ${plan.mangle.join(" ")}`);
  return k.reason;
}

const HAL = `
export interface SerialPort {
  write(data: string): void;
  baudRate: number;
}
`;

describe("tools/mangle-plan: which property names the firmware bundle may rename", function () {
  this.timeout(60000);

  it("renames a name declared only by firmware classes, and keeps the names interfaces declare", () => {
    const plan = planOf({
      "firmware/hal.ts": HAL,
      "firmware/driver.ts": `
import type { SerialPort } from "./hal";
export class Printer {
  private pending = 0;
  private readonly port: SerialPort;
  constructor(port: SerialPort, private columnCount: number) { this.port = port; }
  flushQueue(): void { this.pending = 0; this.port.write("x" + this.port.baudRate + this.columnCount); }
}
export class FakePort implements SerialPort {
  baudRate = 9600;
  write(data: string): void { this.lastData = data; }
  lastData = "";
}
`,
    });
    for (const n of ["pending", "port", "columnCount", "flushQueue", "lastData"]) assert.ok(plan.mangle.indexOf(n) >= 0, `${n} renamed: ${plan.mangle.join(" ")}`);
    // a class member implementing an interface member keeps its name: the interface crosses
    assert.match(keptReason(plan, "write"), /interface SerialPort/);
    assert.match(keptReason(plan, "baudRate"), /interface SerialPort/);
  });

  it("keeps a name a class shares with an object literal, a lib type or a value of type any", () => {
    const plan = planOf({
      "firmware/mix.ts": `
export class Box {
  shared = 1;
  push(n: number): number { return n; }
  peeked = 0;
  onlyMine = 2;
}
export const options = { shared: 2 };
export function read(x: any): number { return x.peeked; }
`,
    });
    assert.match(keptReason(plan, "shared"), /object literal/);
    assert.match(keptReason(plan, "push"), /lib\.es5\.d\.ts/);
    assert.match(keptReason(plan, "peeked"), /untyped or foreign value at firmware\/mix\.ts:9/);
    assert.deepEqual(plan.mangle, ["onlyMine"]);
  });

  it("keeps names written as strings, and every name of a class whose values escape to untyped code", () => {
    const plan = planOf({
      "firmware/esc.ts": `
export class Record { amount = 0; stanNo = 1; inner = new Inner(); }
export class Inner { depth = 2; }
export class Parsed { field = 0; }
export class Keyed { quoted = 0; plainName = 0; }
export function save(r: Record): string { return JSON.stringify(r); }
export function load(s: string): Parsed { return JSON.parse(s) as Parsed; }
export function has(k: Keyed): boolean { return "quoted" in k && k.plainName > 0; }
`,
    });
    assert.match(keptReason(plan, "amount"), /passed where the type is any/);
    assert.match(keptReason(plan, "depth"), /passed where the type is any/, "reachable from the escaping Record");
    assert.match(keptReason(plan, "field"), /untyped value asserted/);
    assert.match(keptReason(plan, "quoted"), /a string in firmware\/esc\.ts/);
    assert.deepEqual(plan.mangle, ["plainName"]);
  });

  it("keeps names the Node side may evaluate on the interpreter, and names another bundle reaches", () => {
    const plan = planOf({
      "firmware/rig.ts": `
export class Term { screenRows(): string[] { return []; } resetAll(): void {} private secretCount = 0; }
export const term = new Term();
`,
      "hil/scenario.ts": `export const probe = "T.screenRows()";\n`,
      "hil/inside/tsconfig.json": JSON.stringify({ extends: "../../tsconfig.json", include: ["./**/*.ts"] }),
      "hil/inside/main.ts": `import { term } from "../../firmware/rig";\nterm.resetAll();\n`,
    });
    assert.match(keptReason(plan, "screenRows"), /Node-side string/);
    assert.match(keptReason(plan, "resetAll"), /used by the other bundle at hil\/inside\/main\.ts:2/);
    assert.deepEqual(plan.mangle, ["secretCount"]);
  });

  it("reads strings and templates with the scanner, regular expressions aside", () => {
    assert.deepEqual(stringsOf('const a = "x.y()"; const b = `a${c + `q${d}r`}b.t()`; const r = /"/g; const z = x / 2 / "w.v";'), ["x.y()", "a", "q", "r", "b.t()", "w.v"]);
  });

  it("terser with the plan renames exactly the planned names, consistently", async () => {
    const plan: ManglePlan = { mangle: ["pending", "flushQueue"], kept: [{ name: "write", reason: "interface" }], files: 1 };
    const src = `(function(){function P(s){this.pending=0;this.port=s}P.prototype.flushQueue=function(){this.pending++;this.port.write("x")};
P.prototype.write=function(){};global.p=new P({write:function(){}});global.p.flushQueue();})();`;
    const out = (await minify(src, firmwareTerserOptions(plan) as object)).code!;
    assert.doesNotMatch(out, /pending|flushQueue/);
    assert.match(out, /\.write/);
    assert.match(out, /\.port/);
    const g: { p?: Record<string, unknown> } = {};
    new Function("global", out)(g);
    assert.equal(Object.keys(g.p!).length, 2);
    assert.equal(Object.values(g.p!).indexOf(1) >= 0, true, "flushQueue ran on the renamed field");
    assert.equal(propertyMangleOptions({ mangle: [], kept: [], files: 0 }), false);
  });

  it("on the real firmware: keeps every HAL, rig and config name", () => {
    const plan = cachedManglePlan();
    const renamed = new Set(plan.mangle);
    assert.ok(plan.mangle.length > 100, `only ${plan.mangle.length} names renamed`);
    // firmware/hal interfaces, what Espruino's objects are called with, the rig API (global.T), pos.cfg keys
    for (const n of ["writeTo", "readFrom", "write", "read", "setup", "on", "mode", "erase", "screen", "state", "last", "journal", "pendingReversal", "tid", "mid", "hostIp", "hostPort"]) {
      assert.ok(!renamed.has(n), `${n} must keep its name`);
    }
  });
});
