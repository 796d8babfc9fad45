import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { minify } from "terser";
import { cachedManglePlan, computeManglePlan, propertyMangleOptions, stringsOf, type ManglePlan } from "../../tools/mangle-plan";
import ts from "typescript";
import { firmwareTerserOptions, forbiddenGlobals, namesAvoiding, renameTopLevel, unwrapClassIifes } from "../../tools/bundle-options.js";
import { fixForEspruino, hoistingHazards } from "../../hil/inside/espruino-fixes.js";

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
declare var global: any;
global.T = 1;
`,
      "hil/scenario.ts": `export const probe = "T.screenRows()";\n`,
      "hil/inside/tsconfig.json": JSON.stringify({ extends: "../../tsconfig.json", include: ["./**/*.ts"] }),
      "hil/inside/main.ts": `import { term } from "../../firmware/rig";\nterm.resetAll();\n`,
    });
    assert.match(keptReason(plan, "screenRows"), /Node-side string/);
    // and names that may be globals beside a global-scope bundle: the rig's, and global.X
    assert.ok(plan.globals.indexOf("T") >= 0 && plan.globals.indexOf("probe") < 0, plan.globals.join(" "));
    assert.match(keptReason(plan, "resetAll"), /used by the other bundle at hil\/inside\/main\.ts:2/);
    assert.deepEqual(plan.mangle, ["secretCount"]);
  });

  it("reads strings and templates with the scanner, regular expressions aside", () => {
    assert.deepEqual(stringsOf('const a = "x.y()"; const b = `a${c + `q${d}r`}b.t()`; const r = /"/g; const z = x / 2 / "w.v";'), ["x.y()", "a", "q", "r", "b.t()", "w.v"]);
  });

  it("terser with the plan renames exactly the planned names, consistently", async () => {
    const plan: ManglePlan = { mangle: ["pending", "flushQueue"], kept: [{ name: "write", reason: "interface" }], files: 1, globals: [] };
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
    assert.equal(propertyMangleOptions({ mangle: [], kept: [], files: 0, globals: [] }), false);
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

describe("tools/bundle-options: the flashed bundle's top level is the global scope", function () {
  this.timeout(30000);

  const es5 = (src: string, unwrap: boolean) =>
    ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.ESNext }, transformers: unwrap ? { after: [unwrapClassIifes] } : undefined }).outputText;

  it("unwraps TypeScript's class IIFEs into plain statements, and leaves a subclass wrapped", () => {
    const src = "export class Counter { n = 0; static START = 5; add(k: number): number { this.n += k; return this.n; } get twice(): number { return this.n * 2; } }\n";
    const out = es5(src, true);
    assert.doesNotMatch(out, /@class|\(function \(\)/);
    assert.match(out, /^function Counter\(\) \{/m);
    const C = new Function(out.replace(/export \{[^}]*\};?/, "") + "; return Counter;")();
    const c = new C();
    assert.equal(c.add(3), 3);
    assert.equal(c.twice, 6);
    assert.equal(C.START, 5);
    const sub = es5("class A { a = 1; }\nexport class B extends A { b = 2; }\n", true);
    assert.match(sub, /var B = \/\*\* @class \*\/ \(function \(_super\)/);
    assert.doesNotMatch(sub, /var A = /);
  });

  it("draws names that no global may take, for every board's pins and Espruino's objects", () => {
    const forbidden = forbiddenGlobals({ mangle: [], kept: [], files: 0, globals: ["T", "a"] });
    for (const n of ["E", "A0", "B15", "D31", "LED1", "BTN", "Serial1", "I2C2", "SPI1", "Storage", "Pin", "USB", "print", "setWatch", "T", "a", "global"]) assert.ok(forbidden.has(n), n);
    const gen = namesAvoiding(forbidden);
    const names: string[] = [];
    for (let i = 0; i < 4000; i++) names.push(gen.get(i));
    assert.equal(new Set(names).size, names.length, "distinct");
    for (const n of names) assert.ok(!forbidden.has(n) && /^[A-Za-z$_][\w$]*$/.test(n), n);
    assert.equal(names[0], "b", "a is taken, b is the first free name");
  });

  it("names the top level (left unmangled by the first pass) avoiding the globals; behaviour unchanged", async () => {
    const code = "var E=2,t=3;function A0(t){return t*E}function keepGoing(){var E=5,q=1;return E+q+A0(t)}";
    const out = (await renameTopLevel(code, new Set(["E", "A0", "t", "a"]))).code;
    const top = /^var (\w+)=2,(\w+)=3;function (\w+)\(\w+\)\{[^}]*\}function (\w+)\(\)/.exec(out);
    assert.ok(top, out);
    for (const n of top.slice(1)) assert.ok(["E", "A0", "t", "a", "keepGoing", "q"].indexOf(n) < 0, n + " in " + out);
    assert.match(out, /,q=1;/, "a local that meets no top-level name keeps its name");
    assert.equal(new Function(out + ";return " + top[4] + "()")(), new Function(code + ";return keepGoing()")());
  });

  it("the Espruino fixes treat the global top level as a function body (no hoisting there either)", () => {
    assert.deepEqual(hoistingHazards("a();function a(){}").map((h) => h.kind + " " + h.name), ["function a"]);
    const fixed = fixForEspruino("if(x)var s=1;s=2;");
    assert.equal(fixed.code, "var s;if(x)var s=1;s=2;");
    assert.equal(fixForEspruino("(function(){var a=1})()").code, "(function(){var a=1})()", "an IIFE bundle's top level is left alone");
  });
});
