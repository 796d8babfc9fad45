import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { UsageError, flashCommand, parseFlashArgs } from "../../tools/flash";
import { pretokenise } from "../../tools/pretokenise";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

describe("npm run flash (tools/flash.ts)", function () {
  this.timeout(30000);
  let dir = "";
  let bundle = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "flash-"));
    bundle = join(dir, "firmware.js");
    writeFileSync(bundle, "print('fw');\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], env: Record<string, string> = {}) {
    const e = Object.assign({}, process.env, env);
    if (!env.FIRMWARE_FORM) delete e.FIRMWARE_FORM;
    return spawnSync(process.execPath, ["--import", TSX, join(ROOT, "tools/flash.ts"), ...args], { cwd: ROOT, encoding: "utf8", env: e });
  }

  it("--dry-run prints the exact espruino CLI invocation: fw.js from the pretokenised bundle, .bootcde from the boot file", () => {
    const r = run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", bundle, "--dry-run"]);
    assert.equal(r.status, 0, r.stderr);
    const bootFile = join(dir, "boot.js");
    const tok = join(dir, "firmware.tok");
    assert.equal(r.stdout.trim(), `node_modules/.bin/espruino --port /dev/ttyACM0 -b 9600 --no-ble --storage fw.js:${tok} --storage .bootcde:- ${bootFile}`);
    assert.deepEqual(readFileSync(tok), pretokenise("print('fw');\n"), "the .tok beside the bundle holds its pretokenised bytes");
    assert.match(r.stderr, /flash: would store .*firmware\.tok: pretokenised from .*firmware\.js, 12 bytes \(plain 13\)/);
    assert.equal(readFileSync(bootFile, "utf8"), 'eval(require("Storage").read("fw.js"));\n');
  });

  it("--form plain and FIRMWARE_FORM=plain store the text as it is", () => {
    for (const r of [run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", bundle, "--dry-run", "--form", "plain"]), run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", bundle, "--dry-run"], { FIRMWARE_FORM: "plain" })]) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`--storage fw\\.js:${bundle.replace(/[.\\/]/g, "\\$&")} `));
      assert.match(r.stderr, /firmware\.js: plain text, 13 bytes/);
    }
  });

  it("refuses a bundle it cannot pretokenise, saying why and how to upload it anyway", () => {
    const bad = join(dir, "es6.js");
    writeFileSync(bad, "let x = () => 1;\n");
    const r = run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", bad, "--dry-run"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /es6\.js cannot be pretokenised \(--form plain uploads the text\): pretokenise: not ES5: Unexpected token \(line 1, column 5\)/);
    assert.equal(r.stdout, "");
    const unknown = run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", bundle, "--dry-run", "--form", "zip"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /flash: --form "zip": use plain or tokenised/);
  });

  it("takes --baud and --opt=value forms", () => {
    const o = parseFlashArgs(["--port=/dev/ttyUSB0", "--board=WIFI", "-b", "115200", "--file", bundle], {});
    assert.deepEqual(o, { port: "/dev/ttyUSB0", board: "wifi", baud: 115200, file: bundle, form: "tokenised", layout: "auto", dryRun: false });
    assert.equal(parseFlashArgs(["--port=/dev/ttyUSB0", "--board=WIFI", "--form=plain"], {}).form, "plain");
    assert.equal(parseFlashArgs(["--port=/dev/ttyUSB0", "--board=WIFI"], { FIRMWARE_FORM: "plain" }).form, "plain");
    const c = flashCommand(o);
    assert.deepEqual(c.args.slice(0, 4), ["--port", "/dev/ttyUSB0", "-b", "115200"]);
  });

  it("a bundle too big for the Pico's Storage beside the logs goes to its free flash as an image (upload script instead of --storage)", () => {
    const big = join(dir, "big.js");
    writeFileSync(big, `var s="${"0123456789".repeat(2000)}";print(s.length);\n`);
    const r = run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", big, "--dry-run"]);
    assert.equal(r.status, 0, r.stderr);
    const writer = join(dir, "flash-image.js");
    assert.equal(r.stdout.trim(), `node_modules/.bin/espruino --port /dev/ttyACM0 -b 9600 --no-ble ${writer}`);
    assert.match(r.stderr, /-> image at 0x8060000 \(20 KB of the 128 KB free flash; Storage's 48 KB left to the logs\)/);
    const script = readFileSync(writer, "utf8");
    const tok = readFileSync(join(dir, "big.tok"));
    assert.match(script, new RegExp(`^// npm run flash: firmware image, ${tok.length} bytes`));
    // the script carries the .tok bytes, 512 per line
    const chunks = [...script.matchAll(/F\.write\(atob\("([^"]*)"\),A\+(\d+)\)/g)];
    const rebuilt = Buffer.concat(chunks.map((m) => Buffer.from(m[1], "base64"))).subarray(0, tok.length);
    assert.deepEqual(rebuilt, tok);
    assert.deepEqual(chunks.map((m) => Number(m[2])), chunks.map((_, i) => i * 512));
    // --layout storage puts it in Storage anyway; --layout image takes even a small bundle to the free flash
    const forced = run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", big, "--dry-run", "--layout", "storage"]);
    assert.equal(forced.status, 2);
    assert.match(forced.stderr, /does not fit the storage layout: its Storage is 48 KB, 32 KB of it for the transaction logs/);
    const small = run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", bundle, "--dry-run", "--layout", "image"]);
    assert.equal(small.status, 0, small.stderr);
    assert.match(small.stdout, /--no-ble .*flash-image\.js$/m);
  });

  it("refuses a bundle that fits neither the board's Storage nor its free flash, and a bad --layout", () => {
    const huge = join(dir, "huge.js");
    writeFileSync(huge, `var s="${"0123456789".repeat(6000)}";\n`);
    const r = run(["--port", "/dev/ttyACM0", "--board", "wifi", "--file", huge, "--dry-run"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /flash: the firmware \(\d+ bytes stored\) does not fit this board: its Storage is 64 KB, 32 KB of it for the transaction logs, and its free flash outside Storage is 48 KB/);
    assert.equal(r.stdout, "");
    const bad = run(["--port", "/dev/ttyACM0", "--board", "pico", "--file", bundle, "--dry-run", "--layout", "ram"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--layout "ram": use auto, storage or image/);
  });

  it("refuses a missing port with a clear message and exit code 2", () => {
    const r = run(["--board", "pico", "--dry-run"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /flash: missing --port \(the board's serial port, e\.g\. \/dev\/ttyACM0/);
    assert.equal(r.stdout, "");
  });

  it("refuses an unknown board, listing the known ones", () => {
    const r = run(["--port", "/dev/ttyACM0", "--board", "arduino", "--dry-run"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown board "arduino": known boards are pico \(Espruino Pico\), wifi \(Espruino WiFi\)/);
  });

  it("refuses a missing board, unknown options, bad baud and a missing bundle", () => {
    assert.throws(() => parseFlashArgs(["--port", "/dev/x"]), (e: unknown) => e instanceof UsageError && /missing --board/.test(e.message));
    assert.throws(() => parseFlashArgs(["--port", "/dev/x", "--board", "pico", "--force"]), /unknown option "--force"/);
    assert.throws(() => parseFlashArgs(["--port", "/dev/x", "--board", "pico", "--baud", "0"]), /--baud must be a positive integer/);
    assert.throws(() => parseFlashArgs(["--port", "--board", "pico"]), /--port needs a value/);
    assert.throws(() => flashCommand(parseFlashArgs(["--port", "/dev/x", "--board", "pico", "--file", join(dir, "none.js")])), /does not exist: run npm run build first/);
  });
});
