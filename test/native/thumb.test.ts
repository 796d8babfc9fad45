/**
 * The Thumb-2 machine code (firmware/txn/native/thumb.c, thumb.gen.ts): DES blocks and unpack's
 * field walk for the Cortex-M boards.
 *
 * - The committed code is what the C source compiles to: its recorded hash is the source's, and
 *   with an ARM compiler on the PATH (or THUMB_CC) compiling again gives the same module.
 * - With ESPRUINO_THUMB_BIN (a command running an ARM Espruino for Linux that can execute code in
 *   its variable pool, as a Cortex-M runs code from flash; bench/espruino/README.md) the code runs
 *   on the real interpreter: DES blocks against the interpreted DES, and a corpus of messages -
 *   every sample message packed, then edited at each field (length prefix at and past its
 *   maximum, first and last byte at the edges of what the field's kind allows, cuts) and at random
 *   (bits, bytes, cuts, insertions, bitmaps), with their length fixed - through unpack()
 *   interpreted and as code, which must agree on every error, error field, MTI, offset and length.
 * (test/crypto/des-thumb.test.ts and test/iso8583/unpack-thumb.test.ts: the TypeScript's calls
 * into the code, in Node.)
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { THUMB_CODE, THUMB_ENTRY, THUMB_LENGTH, THUMB_SOURCE_SHA256 } from "../../firmware/txn/native/thumb.gen";
import { compile, renderModule, sourceHash } from "../../tools/thumb/generate";
import { buildEntry } from "../../bench/espruino/entries/build";
import { pretokenise } from "../../tools/pretokenise";
import { unpackCorpus } from "./corpus";

describe("Thumb-2 machine code: the committed module", () => {
  it("was compiled from the C source as it is now (else run npx tsx tools/thumb/generate.ts)", () => {
    assert.equal(THUMB_SOURCE_SHA256, sourceHash());
  });

  it("is two copies of even length one byte apart, its entry inside, so one copy is on an even address", () => {
    assert.equal(THUMB_LENGTH % 2, 0);
    assert.equal(THUMB_CODE.length, 2 * THUMB_LENGTH + 1);
    assert.equal(THUMB_CODE.slice(0, THUMB_LENGTH), THUMB_CODE.slice(THUMB_LENGTH + 1));
    assert.ok(THUMB_ENTRY % 2 === 0 && THUMB_ENTRY < THUMB_LENGTH);
    for (let i = 0; i < THUMB_CODE.length; i++) assert.ok(THUMB_CODE.charCodeAt(i) < 256);
  });

  it("compiles again to the same module with an ARM compiler (skipped without one)", function () {
    let t;
    try {
      t = compile();
    } catch (e) {
      if (/no ARM compiler/.test((e as Error).message)) this.skip();
      throw e;
    }
    const mod = renderModule(t, sourceHash());
    assert.ok(mod.includes(`THUMB_ENTRY = ${THUMB_ENTRY};`) && mod.includes(`THUMB_LENGTH = ${THUMB_LENGTH};`));
    const lit = /THUMB_CODE =\n {2}"([^"]*)"/.exec(mod)![1];
    assert.equal(Buffer.from(lit.replace(/\\x/g, ""), "hex").toString("latin1"), THUMB_CODE);
  });
});

const THUMB_BIN = process.env.ESPRUINO_THUMB_BIN;

(THUMB_BIN ? describe : describe.skip)("Thumb-2 machine code on a real ARM Espruino (ESPRUINO_THUMB_BIN)", function () {
  this.timeout(600000);
  it("gives the interpreted DES's blocks, and unpack's every result, offset and length, as interpreted", async () => {
    const corpus = unpackCorpus(1600, 0x7e57);
    const code = await buildEntry("test/native/thumb-entry.ts");
    // pretokenised and run from a flat copy, as a board runs its image: the literal keeps the
    // code in one piece at an address
    const tok = Buffer.from(pretokenise(code)).toString("base64");
    // in batches: the interpreter holds a batch's messages and both sets of results in its RAM
    let same = 0;
    let accepted = 0;
    const BATCH = 400;
    for (let from = 0; from < corpus.length; from += BATCH) {
      const batch = corpus.slice(from, from + BATCH);
      const m = batch.map((b) => `atob("${b.toString("base64")}")`).join(",");
      const dir = mkdtempSync(join(tmpdir(), "thumb-"));
      try {
        writeFileSync(join(dir, "t.js"), `var M=[${m}];var c=E.toFlatString(atob("${tok}"));eval(c);c=undefined;\n`);
        const r = spawnSync(THUMB_BIN!, ["t.js"], { cwd: dir, encoding: "latin1", timeout: 540000 });
        const out = (r.stdout || "") + (r.stderr || "");
        const des = /THUMB .*/.exec(out);
        const unp = /UNPACK same .*/.exec(out);
        assert.ok(des && unp, "no result lines:\n" + out.slice(-3000));
        assert.equal(des![0], "THUMB on flat yes same 24/24 fips 3fa40e8a984d4815", out.slice(-3000));
        const got = /UNPACK same (\d+)\/(\d+) accepted (\d+) flat yes/.exec(unp![0]);
        assert.ok(got, unp![0]);
        assert.equal(Number(got![2]), batch.length);
        assert.equal(got![1], got![2], "messages " + from + "..: " + out.slice(-3000));
        same += Number(got![1]);
        accepted += Number(got![3]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const total = corpus.length;
    assert.equal(same, total);
    // the corpus reaches both ends: messages accepted and messages refused in the walk
    assert.ok(accepted >= 30 && accepted < total - 100, "accepted " + accepted);
    console.log(`      ARM Espruino: 24 DES blocks and ${total} messages (${accepted} accepted) the same as code and interpreted`);
  });
});
