import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import ts from "typescript";
import iconv from "iconv-lite";
import { expectedModule } from "../../tools/gb18030/generate";
import { renderModule, GENERATED_PATH, CATALOGUE_PATH } from "../../tools/gb18030/render";
import { parseCatalogue } from "../../tools/gb18030/catalogue";
import { encodeGb18030, escapeBinary } from "../../tools/gb18030/encode";
import * as gen from "../../firmware/ui/messages.gen";

const catalogue = parseCatalogue(readFileSync(CATALOGUE_PATH, "utf8"), CATALOGUE_PATH);

function gbDecode(binary: string): string {
  return iconv.decode(Buffer.from(binary, "latin1"), "gb18030");
}

describe("GB18030 message catalogue, encoded at build time", () => {
  it("the committed firmware/ui/messages.gen.ts is what the generator makes now (not stale)", () => {
    assert.equal(
      readFileSync(GENERATED_PATH, "utf8"),
      expectedModule(),
      "stale: run npx tsx tools/gb18030/generate.ts and commit the result",
    );
  });

  it("a change to the catalogue changes the generated module (the staleness check can fail)", () => {
    const changed = catalogue.map((m) => (m.id === "SALE" ? { id: m.id, en: m.en, zh: "退货" } : m));
    assert.notEqual(renderModule(changed), readFileSync(GENERATED_PATH, "utf8"));
  });

  it("every message's bytes decode back to the catalogue text; ids follow the file order", () => {
    assert.equal(gen.MSG_COUNT, catalogue.length);
    catalogue.forEach((m, i) => {
      assert.equal((gen as unknown as Record<string, number>)["MSG_" + m.id], i);
      assert.equal(gen.msgEn(i), m.en);
      const bytes = gen.msgZhGb(i);
      assert.equal(gbDecode(bytes), m.zh);
      for (let k = 0; k < bytes.length; k++) assert.ok(bytes.charCodeAt(k) <= 0xff, "binary string");
    });
  });

  it("holds the receipt phrases as their GB18030 bytes", () => {
    assert.equal(gen.msgZhGb(gen.MSG_SLIP_TITLE), "\xC7\xA9\xB9\xBA\xB5\xA5"); // 签购单
    assert.equal(gbDecode(gen.msgZhGb(gen.MSG_REVERSAL_FAILED)), "冲正失败 请联系收单机构");
    for (const zh of ["签购单", "商户存根", "持卡人存根", "交易类型", "消费", "金额", "参考号", "授权码", "批次号", "凭证号", "重打印"]) {
      assert.ok(catalogue.some((m) => m.zh === zh), zh);
    }
  });

  it("compiled to ES5 without comments the module is pure ASCII and yields the same bytes", () => {
    const out = ts.transpileModule(readFileSync(GENERATED_PATH, "utf8"), {
      compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS, removeComments: true },
    }).outputText;
    assert.ok(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(out), "only \\xNN escapes reach the bundle");
    const exports: Record<string, unknown> = {};
    runInNewContext(out, { exports, Uint16Array });
    assert.equal(exports.MSG_ZH_GB, gen.MSG_ZH_GB);
    assert.deepEqual(Array.from(exports.MSG_ZH_AT as Uint16Array), Array.from(gen.MSG_ZH_AT));
  });

  describe("encoder", () => {
    it("escapes bytes as \\xNN", () => {
      assert.equal(escapeBinary(encodeGb18030("金额 A")), "\\xBD\\xF0\\xB6\\xEE\\x20\\x41");
    });

    it("refuses characters printer fonts lack (4-byte GB18030) and control characters, naming them", () => {
      assert.throws(() => encodeGb18030("金𠀀额"), /𠀀 \(U\+20000\) needs a 4-byte/);
      assert.throws(() => encodeGb18030("金\n额"), /control character/);
    });
  });

  describe("catalogue checks", () => {
    it("accepts the simple format id -> { en, zh } in file order", () => {
      const m = parseCatalogue('{ "B": { "en": "b", "zh": "乙" }, "A": { "en": "a", "zh": "甲" } }', "x.json");
      assert.deepEqual(m, [
        { id: "B", en: "b", zh: "乙" },
        { id: "A", en: "a", zh: "甲" },
      ]);
    });

    it("lists every problem: bad id, duplicate, non-ASCII en, missing zh, unknown key", () => {
      const bad =
        '{ "lower": { "en": "x", "zh": "甲" }, "DUP": { "en": "a", "zh": "甲" }, "DUP": { "en": "b", "zh": "乙" },' +
        ' "EN": { "en": "金", "zh": "金" }, "NOZH": { "en": "x" }, "EXTRA": { "en": "x", "zh": "甲", "fr": "y" } }';
      assert.throws(
        () => parseCatalogue(bad, "x.json"),
        (e: Error) =>
          /"lower": id must be UPPER_SNAKE_CASE/.test(e.message) &&
          /DUP: defined 2 times/.test(e.message) &&
          /EN: en must be printable ASCII/.test(e.message) &&
          /NOZH: zh must be a non-empty string/.test(e.message) &&
          /EXTRA: unknown keys fr/.test(e.message),
      );
      assert.throws(() => parseCatalogue("{ nope", "x.json"), /x\.json: not valid JSON/);
    });
  });
});
