import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { checkBundle, checkScript, decodeMappings, decodeVlq, formatViolation } from "../../tools/es5-guard";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function constructs(code: string): string[] {
  return checkScript(code).map((v) => v.construct);
}

describe("ES5/runtime guard", () => {
  describe("planted violations, one per construct", () => {
    const cases: [string, string, string][] = [
      // [what, code, construct the guard must name]
      ["let", "let a = 1; print(a);", "let"],
      ["const", "const a = 1; print(a);", "const"],
      ["arrow function", "var f = function () { return [1].map(x => x + 1); };", "arrow function"],
      ["class syntax", "var A = class { m() { return 1; } };", "class"],
      ["class declaration", "class B {}", "class"],
      ["Map", "var m = new Map();", "Map"],
      ["Set", "var s = new Set([1]);", "Set"],
      ["WeakMap", "var w = new WeakMap();", "WeakMap"],
      ["Symbol", "var k = Symbol('k');", "Symbol"],
      ["Array.from", "var a = Array.from('abc');", "Array.from"],
      ["Array.of", "var a = Array.of(1, 2);", "Array.of"],
      ["Uint8Array.from", "var a = Uint8Array.from([1]);", "Uint8Array.from"],
      ["Number.isInteger", "if (Number.isInteger(x)) print(x);", "Number.isInteger"],
      ["Number.isNaN (computed string key)", "var ok = Number['isNaN'](x);", "Number.isNaN"],
      ["Promise.allSettled", "Promise.allSettled([p]).then(function (r) { print(r); });", "Promise.allSettled"],
      ["String.raw", "var s = String.raw;", "String.raw"],
      ["object destructuring", "var o = { a: 1 }; var { a } = o;", "destructuring"],
      ["array destructuring", "var [x, y] = [1, 2];", "destructuring"],
      ["spread", "f.apply(null, [...args]);", "spread"],
      ["default param", "function f(a = 1) { return a; }", "default parameter"],
      ["rest param", "function f(a, ...more) { return more; }", "rest parameter"],
      ["exponent", "var x = 2 ** 10;", "exponent operator **"],
      ["optional chaining", "var v = o?.a;", "optional chaining ?."],
      ["nullish coalescing", "var v = o ?? 1;", "nullish coalescing ??"],
      ["template literal", "var s = `n=${n}`;", "template literal"],
      ["computed key", "var o = { [k]: 1 };", "computed key"],
      ["generator", "function* g() { yield 1; }", "generator"],
      ["async function", "async function f() { await p; }", "async function"],
      ["for-of", "for (var x of xs) print(x);", "for-of"],
      ["labelled continue (parses as ES5, fails on Espruino)", "outer: for (var i = 0; i < 3; i++) { for (;;) { continue outer; } }", "labelled continue"],
    ];
    for (const [what, code, construct] of cases) {
      it(`catches ${what} and names it "${construct}"`, () => {
        const found = constructs(code);
        assert.ok(found.indexOf(construct) >= 0, `expected ${construct} in ${JSON.stringify(found)}`);
      });
    }

    it("reports the line and column in the checked file", () => {
      const v = checkScript("var a = 1;\nvar m = new Map();\n", "bundle.js");
      assert.equal(v.length, 1);
      assert.deepEqual([v[0].construct, v[0].kind, v[0].bundle, v[0].line, v[0].column], ["Map", "runtime", "bundle.js", 2, 12]);
      assert.match(formatViolation(v[0]), /^Map \(missing on Espruino\) \[bundle\.js:2:13\]$/);
    });

    it("names a syntax error it cannot classify with acorn's own message", () => {
      const v = checkScript("var s = '\\u{1F600}';");
      assert.equal(v.length, 1);
      assert.equal(v[0].kind, "syntax");
      assert.match(v[0].construct, /^not ES5: /);
    });
  });

  describe("hoisting (Espruino defines a declaration only when its statement runs)", () => {
    it("refuses a function called before its declaration, naming it (bundles are one IIFE)", () => {
      const v = checkScript("(function () {\nstart();\nfunction start() { return 1; }\n})();\n");
      assert.equal(v.length, 1);
      assert.equal(v[0].kind, "hoisting");
      assert.match(v[0].construct, /function 'start' used before its declaration runs/);
      assert.equal(v[0].line, 2);
    });
    it("refuses a var assigned before its declaration inside a function", () => {
      const v = checkScript("function f(c) { if (c) { var s = 1; } s = 2; return s; }\n");
      assert.ok(v.some((x) => x.kind === "hoisting" && /var 's'/.test(x.construct)), JSON.stringify(v));
    });
    it("accepts declarations that come before their use", () => {
      assert.deepEqual(checkScript("function start() { return 1; }\nstart();\nfunction g() { var s = 1; s = 2; return s; }\n"), []);
    });
  });

  describe("clean ES5 passes", () => {
    it("accepts plain ES5 with typed arrays, getters, JSON, Object.keys and Promise", () => {
      const code = [
        "var buf = new Uint8Array(16), ints = new Int32Array(4);",
        "var o = { get n() { return 1; }, set n(v) {}, keys: Object.keys({ a: 1 }) };",
        "function f(a, b) { for (var i = 0; i < a.length; i++) b[i] = a[i] | 0; return JSON.stringify(b); }",
        "Promise.all([Promise.resolve(1)]).then(function (r) { print(r); });",
        "Object.assign({}, o); Math.sign(-1); Array.isArray([]);",
      ].join("\n");
      assert.deepEqual(checkScript(code), []);
    });

    it("does not flag property names, shadowing locals or typeof feature tests", () => {
      const code = [
        "var cfg = { Map: 1, Set: 2 }; cfg.Map = cfg.Symbol; cfg.from = 1;",
        "function f(Map) { return new Map(); }",
        "function g() { var Set = function () {}; return new Set(); }",
        "var hasSym = typeof Symbol === 'function' && Symbol.iterator;",
        "if (typeof Number.isInteger === 'function') Number.isInteger(1);",
        "var from = typeof Array.from;",
      ].join("\n");
      assert.deepEqual(checkScript(code), []);
    });

    it("still flags a global used outside the shadowing function", () => {
      const code = "function f(Map) { return new Map(); }\nvar m = new Map();";
      const v = checkScript(code);
      assert.deepEqual(v.map((x) => [x.construct, x.line]), [["Map", 2]]);
    });
  });

  describe("source maps", () => {
    it("decodes base64 VLQ", () => {
      assert.deepEqual(decodeVlq("AAAA"), [0, 0, 0, 0]);
      assert.deepEqual(decodeVlq("CDEF"), [1, -1, 2, -2]);
      assert.deepEqual(decodeVlq("gB"), [16]);
      assert.deepEqual(decodeVlq("2HwmB"), [123, 616]);
      assert.throws(() => decodeVlq("A!"), /bad base64 digit/);
    });

    it("decodes mappings relative to the previous segment", () => {
      const lines = decodeMappings("AAAA,IAAI;AACA");
      assert.deepEqual(lines, [[[0, 0, 0, 0], [4, 0, 0, 4]], [[0, 0, 1, 4]]]);
    });

    it("maps a violation back to its source file and line", () => {
      // bundle line 2 comes from src/a.js line 3 (0-based 2), column 0
      const map = { version: 3, sources: ["src/a.js"], sourcesContent: ["x;\ny;\nvar m = new Map();\n"], mappings: "AAAA;AAEA" };
      const v = checkBundle("x;\nvar m = new Map();\n", { file: "out.js", map });
      assert.equal(v.length, 1);
      assert.equal(v[0].source!.file, "src/a.js");
      assert.equal(v[0].source!.line, 3);
      assert.match(formatViolation(v[0]), /Map \(missing on Espruino\) in src\/a\.js:3:/);
    });
  });

  describe("through the real rollup config and tools/build.ts", function () {
    this.timeout(60000);
    let dir = "";
    before(() => {
      // The TypeScript plugin only compiles files its tsconfig includes, so the probe gets a
      // tsconfig extending the project's one, in a temp dir that sees the project's packages.
      // Everything else the config may refer to relative to the working directory (other entries'
      // tsconfigs, node_modules) is linked from the project.
      dir = mkdtempSync(join(tmpdir(), "es5-guard-"));
      mkdirSync(join(dir, "probe"));
      for (const name of readdirSync(ROOT)) {
        if (["tsconfig.json", "dist", ".git", "probe", "out"].indexOf(name) >= 0) continue;
        symlinkSync(join(ROOT, name), join(dir, name));
      }
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: join(ROOT, "tsconfig.json"), include: ["probe/**/*.ts", join(ROOT, "types/**/*.d.ts")] }));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    function build(files: Record<string, string>) {
      rmSync(join(dir, "probe"), { recursive: true, force: true });
      mkdirSync(join(dir, "probe"));
      for (const name of Object.keys(files)) writeFileSync(join(dir, "probe", name), files[name]);
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
      const args = ["--import", tsx, join(ROOT, "tools/build.ts"), "--config", join(ROOT, "rollup.config.js"), "--input", "probe/main.ts", "--out-dir", "out"];
      return spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8" });
    }

    it("fails naming each construct and its source file, in both bundles", () => {
      const r = build({
        "main.ts": 'import { makeTable, later } from "./widget";\nimport { legacy } from "./legacy.js";\nprint(makeTable(getTime()));\nprint(legacy(getTime()));\nprint(later());\n',
        "widget.ts": "// A module that slipped a Map past the type checker.\ndeclare var Map: any;\n\nexport function makeTable(n: number): any {\n  const t = new Map();\n  t.set(1, n);\n  return t;\n}\n\nexport function later(): any {\n  return async function () { return 1; };\n}\n",
        "legacy.js": "// vendored ES2015: let and an arrow survive TypeScript and terser\nexport function legacy(n) {\n  let out = [];\n  for (let i = 0; i < n; i++) out.push(() => i + n);\n  return out;\n}\n",
        "legacy.d.ts": "export declare function legacy(n: number): number;\n",
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      const lines = r.stderr.split("\n");
      const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `no line matching ${re} in:\n${r.stderr}`);
      has(/^ {2}Map \(missing on Espruino\) in probe\/widget\.ts:5:17 \[out\/firmware\.debug\.js:/);
      has(/^ {2}Map \(missing on Espruino\) in probe\/widget\.ts:5:17 \[out\/firmware\.js:/);
      // let and the arrow survive minification: terser (ecma 5) does not rewrite them
      has(/^ {2}let \(not ES5 syntax\) in probe\/legacy\.js:3:3 \[out\/firmware\.js:/);
      has(/^ {2}arrow function \(not ES5 syntax\) in probe\/legacy\.js:4:\d+ \[out\/firmware\.js:/);
      // async: TypeScript down-levels it into helpers that need what Espruino lacks
      has(/^ {2}async function \(not supported on Espruino; TypeScript helper __awaiter\) in probe\/widget\.ts:\d+:\d+ \(line in its compiled code\) \[out\/firmware\.debug\.js:/);
      has(/^ {2}async function \(not supported on Espruino; TypeScript helper __awaiter\) in \S*tslib\S* \[out\/firmware\.js:/);
      assert.match(r.stdout, /out\/firmware\.js: \d+ bytes \(\d+ gzipped\)/);
    });

    it("passes a clean TypeScript file and prints the sizes", () => {
      const r = build({ "main.ts": "const buf = new Uint8Array(4);\nfor (let i = 0; i < buf.length; i++) buf[i] = i * 2;\nprint(buf.join(','));\n" });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /out\/firmware\.debug\.js: \d+ bytes \(\d+ gzipped\)/);
      assert.match(r.stdout, /out\/firmware\.js: \d+ bytes \(\d+ gzipped\)/);
    });
  });
});
