import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readdirSync } from "node:fs";
import { checkBufferEquality, checkHotPaths, formatHotViolation, listedHotFiles } from "../../tools/hot-path-guard";

describe("hot-path guard", function () {
  this.timeout(60000);

  it("finds no allocation in the @hot functions of the files in tools/hot-files.json", () => {
    const r = checkHotPaths();
    const listing = r.violations.map(formatHotViolation).join("\n");
    assert.equal(r.violations.length, 0, `allocation on the hot path:\n${listing}`);
    assert.ok(r.functions >= listedHotFiles().length, `only ${r.functions} @hot functions found`);
  });

  it("finds no equality between two typed arrays anywhere in firmware/ (Espruino compares contents)", () => {
    const files = (readdirSync("firmware", { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => join("firmware", f));
    assert.ok(files.length > 50, `only ${files.length} firmware files found`);
    const found = checkBufferEquality(files);
    assert.deepEqual(found.map(formatHotViolation), []);
    // and it does find one
    const planted = join(mkdtempSync(join(tmpdir(), "buf-eq-")), "eq.ts");
    writeFileSync(planted, "export function same(a: Uint8Array, b: Uint8Array | null): boolean {\n  return a === b || b === null;\n}\n");
    const hit = checkBufferEquality([planted]);
    rmSync(join(planted, ".."), { recursive: true, force: true });
    assert.equal(hit.length, 1, "one typed-array comparison; the one with null is fine");
    assert.equal(hit[0].line, 2);
  });

  describe("planted violations", () => {
    let dir = "";
    let n = 0;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "hot-path-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Writes a class with one @hot method whose body is `body`; returns the violations. */
    function plant(body: string, prelude = "") {
      const file = join(dir, `planted${n++}.ts`);
      const src = `${prelude}\nexport class Parser {\n  buf = new Uint8Array(8);\n  n = 0;\n  s = "";\n  /** Parse one byte. @hot */\n  step(b: number, text: string): any {\n    ${body}\n    return 0;\n  }\n}\n`;
      writeFileSync(file, src);
      return checkHotPaths([file]);
    }

    const cases: [string, string, RegExp][] = [
      ["object literal", "const o = { a: b };", /^object literal$/],
      ["array literal", "const a = [b];", /^array literal$/],
      ["new", "const e = new Uint8Array(4);", /^new Uint8Array$/],
      ["arrow closure", "const f = () => b;", /^closure \(arrow function\)$/],
      ["function expression", "const f = function () { return b; };", /^closure \(function expression\)$/],
      ["string concatenation with +", "this.s = text + b;", /^string concatenation \(\+\)$/],
      ["string concatenation with +=", "this.s += b;", /^string concatenation \(\+=\)$/],
      ["concatenation with a string literal", "const x: any = b; const y = 'n=' + x;", /^string concatenation \(\+\)$/],
      ["template literal", "this.s = `${b}`;", /^template literal$/],
      ["slice", "const t = text.slice(1);", /^call to \.slice\(\) \(allocates\)$/],
      ["substr", "const t = text.substr(1);", /^call to \.substr\(\) \(allocates\)$/],
      ["substring", "const t = text.substring(1);", /^call to \.substring\(\) \(allocates\)$/],
      ["concat", "const t = text.concat('x');", /^call to \.concat\(\) \(allocates\)$/],
      ["split", "const t = text.split(',');", /^call to \.split\(\) \(allocates\)$/],
      ["map", "const xs: number[] = this.buf as any; xs.map(this.step, this);", /^call to \.map\(\) \(allocates\)$/],
      ["filter", "const xs: number[] = this.buf as any; xs.filter(Boolean);", /^call to \.filter\(\) \(allocates\)$/],
      ["reduce", "const xs: number[] = this.buf as any; xs.reduce(Math.max);", /^call to \.reduce\(\) \(allocates\)$/],
      ["join", "const xs: number[] = this.buf as any; xs.join();", /^call to \.join\(\) \(allocates\)$/],
      ["toString", "const t = b.toString(16);", /^call to \.toString\(\) \(allocates\)$/],
      ["subarray", "const t = this.buf.subarray(1);", /^call to \.subarray\(\) \(allocates\)$/],
      ["JSON.stringify", "const t = JSON.stringify(b);", /^call to JSON\.stringify\(\) \(allocates\)$/],
      ["JSON.parse", "const t = JSON.parse(text);", /^call to JSON\.parse\(\) \(allocates\)$/],
      ["String.fromCharCode", "const t = String.fromCharCode(b);", /^call to String\.fromCharCode\(\) \(allocates\)$/],
      ["Object.keys", "const t = Object.keys(this);", /^call to Object\.keys\(\) \(allocates\)$/],
      ["Array()", "const t = Array(4);", /^call to Array\(\) \(allocates\)$/],
      ["throw", "if (b < 0) throw 1;", /^throw/],
      ["typed-array equality", "const v: Uint8Array = this.buf; if (v !== this.buf) return 1;", /^typed arrays compared with ===/],
    ];
    for (const [what, body, expected] of cases) {
      it(`reports ${what} with file:line:col`, () => {
        const r = plant(body);
        assert.equal(r.functions, 1);
        assert.equal(r.violations.length, 1, r.violations.map(formatHotViolation).join("\n"));
        const v = r.violations[0];
        assert.match(v.what, expected);
        assert.equal(v.line, 8); // the body line of the planted method
        assert.ok(v.col > 4, "column points into the line");
        assert.equal(v.fn, "Parser.step");
        assert.match(formatHotViolation(v), new RegExp(`planted\\d+\\.ts:8:${v.col}: `));
      });
    }

    it("passes a clean hot function: index loops, typed arrays, numeric codes", () => {
      const r = plant("for (let i = 0; i < this.buf.length; i++) this.buf[i] = (this.buf[i] + b) & 255;\n    this.n = text.charCodeAt(0) | 0;\n    if (this.n > 9) return -1;\n    this.buf.fill(0);");
      assert.deepEqual(r.violations, []);
      assert.equal(r.functions, 1);
    });

    it("does not mistake the project's own methods for allocating built-ins (ring.push)", () => {
      const prelude = "class Ring { push(a: number): boolean { return a > 0; } join(): number { return 0; } }\nconst ring = new Ring();";
      const r = plant("ring.push(b); ring.join();", prelude);
      assert.deepEqual(r.violations, []);
    });

    it("does not check functions without the marker, and accepts // @hot line comments", () => {
      const file = join(dir, "markers.ts");
      writeFileSync(file, [
        "export function cold(): string { return [1, 2].join('') + 'x'; }",
        "// scanned every 5 ms @hot",
        "export function scan(x: number): number { return x + 1; }",
        "/** @hot */",
        "export const pack = function (x: number): string { return '' + x; };",
      ].join("\n"));
      const r = checkHotPaths([file]);
      assert.equal(r.functions, 2);
      assert.deepEqual(r.violations.map((v) => [v.line, v.what, v.fn]), [[5, "string concatenation (+)", "pack"]]);
    });

    it("reports a listed hot file that has no @hot function, and a missing file", () => {
      const file = join(dir, "nothing-hot.ts");
      writeFileSync(file, "export function f(): number { return 1; }\n");
      const r = checkHotPaths([file, join(dir, "gone.ts")]);
      assert.equal(r.functions, 0);
      assert.deepEqual(r.violations.map((v) => v.what).sort(), ["hot file not found (fix tools/hot-files.json)", "listed as a hot file but has no @hot function"]);
    });

    it("lists every offending line, not just the first", () => {
      const r = plant("const o = { a: b };\n    const t = text.slice(1) + `x`;");
      assert.deepEqual(r.violations.map((v) => [v.line, v.what]), [
        [8, "object literal"],
        [9, "call to .slice() (allocates)"],
        [9, "string concatenation (+)"],
        [9, "template literal"],
      ]);
    });
  });
});
