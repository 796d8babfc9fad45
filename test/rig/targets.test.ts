import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, readFileSync, unlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BoardTarget, type SerialLink } from "../../hil/rig/board-target";
import { EspruinoLinuxTarget } from "../../hil/rig/espruino-linux-target";
import { createTarget, targetOptionsFromArgv } from "../../hil/rig/targets";
import { VirtualTarget } from "../../hil/rig/virtual-target";
import { FakeEspruino } from "./fake-espruino";
import { TINY_BUNDLE, targetContract } from "./target-contract";

const HERE = dirname(fileURLToPath(import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const FAKE = join(HERE, "fake-espruino.ts");

/** Fake boards made so far: their firmware's timers are stopped after the tests. */
const fakeBoards: FakeEspruino[] = [];

/** The board target wired to an in-process fake board: a fake serial port and a fake CLI. */
function fakeBoard(opts: { failOpens?: number; powerCutCommand?: string } = {}) {
  const board = new FakeEspruino({ board: "PICO_R1_3", echo: true });
  fakeBoards.push(board);
  board.start();
  let failOpens = opts.failOpens || 0;
  const cliCalls: string[][] = [];
  let opens = 0;
  let cutMarker: string | null = null;
  const open = async (path: string): Promise<SerialLink> => {
    if (path !== "/dev/fake0") throw new Error("no such port " + path);
    if (failOpens > 0) {
      failOpens--;
      throw new Error("port busy (re-enumerating)");
    }
    if (cutMarker && existsSync(cutMarker)) {
      unlinkSync(cutMarker); // the power-cut command ran: the board restarts with its flash
      board.start({ info: false });
    }
    opens++;
    let listener: ((b: Buffer) => void) | null = null;
    let closed = false;
    board.onOutput((text) => {
      if (!closed && listener) listener(Buffer.from(text, "latin1"));
    });
    return {
      write: async (data) => void setImmediate(() => board.input(data)),
      onData: (cb) => void (listener = cb),
      close: async () => void (closed = true),
    };
  };
  // What the espruino CLI does with `--storage fw.js:<file> --storage .bootcde:- <boot.js>`.
  const runCli = async (args: string[]) => {
    cliCalls.push(args);
    const files = board.storage.files;
    const fw = args[args.indexOf("--storage") + 1].split(":");
    files[fw[0]] = readFileSync(fw[1], "latin1");
    files[".bootcde"] = readFileSync(args[args.length - 1], "latin1");
    board.input("\x10load()\n");
    await new Promise((r) => setTimeout(r, 150)); // the CLI exits once the output has been quiet a while
    return { code: 0, output: "Upload Complete\n" };
  };
  const target = new BoardTarget({ port: "/dev/fake0", open, runCli, powerCutCommand: opts.powerCutCommand, startTimeoutMs: 5000 });
  return {
    board,
    target,
    cliCalls,
    opens: () => opens,
    setCutMarker: (f: string) => void (cutMarker = f),
  };
}

describe("rig targets", () => {
  after(() => fakeBoards.forEach((b) => b.stop()));
  targetContract("virtual", () => new VirtualTarget());
  targetContract("espruino-linux over a fake interpreter (output in 7-byte chunks)", () => new EspruinoLinuxTarget({ bin: process.execPath, binArgs: ["--import", TSX, FAKE], env: { FAKE_CHUNK: "7" } }));
  targetContract("board over a fake serial port and CLI", () => fakeBoard().target);

  const bin = process.env.ESPRUINO_BIN;
  if (bin && existsSync(bin)) {
    targetContract(`espruino-linux, the real interpreter at ${bin}`, () => new EspruinoLinuxTarget({ bin }));
    describe("board target against the real interpreter's telnet console, uploading with the real espruino CLI", function () {
      this.timeout(120000);
      let esp: ChildProcess | null = null;
      let dir = "";
      before(async () => {
        dir = mkdtempSync(join(tmpdir(), "rig-telnet-"));
        esp = spawn(bin, ["--telnet"], { cwd: dir, stdio: "ignore" });
        await new Promise((r) => setTimeout(r, 1000));
      });
      after(() => {
        if (esp) esp.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      });
      it("uploads fw.js + .bootcde, evaluates, and reboots from flash", async () => {
        const t = new BoardTarget({ port: "tcp://127.0.0.1:2323" });
        try {
          await t.upload(TINY_BUNDLE + "\n// more than 512 bytes, or the CLI waits: " + "x".repeat(512));
          assert.equal(await t.eval("boots"), 1);
          assert.equal(await t.eval('require("Storage").read(".bootcde")'), 'eval(require("Storage").read("fw.js"));\n');
          await t.reset();
          assert.equal(await t.eval("boots"), 2);
          assert.deepEqual(t.takeErrors(), []);
        } finally {
          await t.close();
        }
      });
    });
  } else it("espruino-linux on the real interpreter: set ESPRUINO_BIN to run the contract on it");

  describe("virtual target", () => {
    it("steps simulated time exactly", async () => {
      const t = new VirtualTarget();
      await t.upload(TINY_BUNDLE);
      await t.wait(1000);
      assert.equal(await t.eval("ticks"), 20);
      await t.close();
    });

    it("fails at once, not after a timeout, when the board is off", async () => {
      const t = new VirtualTarget();
      await assert.rejects(t.eval("1"), /powered off/);
    });

    it("can store the bundle in the board's flash as fw.js + .bootcde", async () => {
      const t = new VirtualTarget({ storeBundle: true });
      await t.upload(TINY_BUNDLE);
      assert.deepEqual(((await t.eval('require("Storage").list()')) as string[]).sort(), [".bootcde", "boots", "fw.js"]);
      assert.equal(await t.eval('require("Storage").read("fw.js").length'), TINY_BUNDLE.length);
    });
  });

  describe("espruino-linux target", () => {
    it("keeps Storage in espruino.flash of its working directory across instances", async function () {
      this.timeout(30000);
      const dir = mkdtempSync(join(tmpdir(), "rig-linux-"));
      try {
        const a = new EspruinoLinuxTarget({ bin: process.execPath, binArgs: ["--import", TSX, FAKE], workDir: dir });
        await a.upload(TINY_BUNDLE);
        await a.close();
        assert.ok(existsSync(join(dir, "espruino.flash")));
        const b = new EspruinoLinuxTarget({ bin: process.execPath, binArgs: ["--import", TSX, FAKE], workDir: dir });
        await b.start();
        assert.equal(await b.eval("boots"), 2); // booted fw.js from the same flash
        await b.close();
        assert.ok(existsSync(dir), "a given workDir is not removed");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("uploads again when the interpreter dies during the upload (Espruino for Linux's IO queue race)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "rig-crash-"));
      const lines: string[] = [];
      try {
        const t = new EspruinoLinuxTarget({ bin: process.execPath, binArgs: ["--import", TSX, FAKE], workDir: dir, env: { FAKE_CRASH_ONCE: "crashed" }, log: (l) => lines.push(l) });
        await t.upload(TINY_BUNDLE);
        assert.ok(existsSync(join(dir, "crashed")), "the first interpreter did die");
        assert.ok(existsSync(join(dir, "compacted")), "the retry compacted Storage: the dead upload's reserved space comes back");
        assert.ok(lines.some((l) => /exited during the upload .*code 1.*uploading again/.test(l)), lines.join("\n"));
        assert.ok(((await t.eval("boots")) as number) >= 1, "the uploaded bundle runs (the upload checked its CRC)");
        await t.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("uploads again when the interpreter stops answering during the upload (the same race losing input)", async () => {
      const dir = mkdtempSync(join(tmpdir(), "rig-hang-"));
      const lines: string[] = [];
      const t = new EspruinoLinuxTarget({ bin: process.execPath, binArgs: ["--import", TSX, FAKE], workDir: dir, env: { FAKE_HANG_ONCE: "hung" }, log: (l) => lines.push(l), startTimeoutMs: 3000 });
      try {
        await t.upload(TINY_BUNDLE);
        assert.ok(existsSync(join(dir, "hung")), "the first interpreter did stop answering");
        assert.ok(lines.some((l) => /stopped answering during the upload .*no reply.*uploading again/.test(l)), lines.join("\n"));
        assert.ok(((await t.eval("boots")) as number) >= 1, "the uploaded bundle runs (the upload checked its CRC)");
      } finally {
        await t.close(); // a failed upload leaves the stuck process running otherwise
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("says clearly when the binary cannot run", async () => {
      const t = new EspruinoLinuxTarget({ bin: "/nonexistent/espruino", startTimeoutMs: 2000 });
      await assert.rejects(t.start(), /could not run \/nonexistent\/espruino|did not answer/);
      await t.close();
    });

    it("needs ESPRUINO_BIN or bin", () => {
      const saved = process.env.ESPRUINO_BIN;
      delete process.env.ESPRUINO_BIN;
      try {
        assert.throws(() => new EspruinoLinuxTarget(), /ESPRUINO_BIN/);
      } finally {
        if (saved !== undefined) process.env.ESPRUINO_BIN = saved;
      }
    });
  });

  describe("board target", () => {
    it("uploads with the CLI as fw.js + .bootcde, closing its own port meanwhile", async () => {
      const f = fakeBoard();
      await f.target.upload(TINY_BUNDLE);
      const args = f.cliCalls[0];
      assert.deepEqual(args.slice(0, 5), ["--port", "/dev/fake0", "-b", "9600", "--no-ble"]);
      assert.match(args.join(" "), /--storage fw\.js:\S+firmware\.js --storage \.bootcde:- \S+boot\.js$/);
      assert.equal(f.board.storage.files[".bootcde"], 'eval(require("Storage").read("fw.js"));\n');
      assert.equal(await f.target.eval("process.env.BOARD"), "PICO_R1_3");
      await f.target.close();
    });

    it("reports a failed CLI upload with its output", async () => {
      const t = new BoardTarget({ port: "/dev/fake0", open: fakeBoard().target["open"], runCli: async () => ({ code: 1, output: "Unable to connect!" }) });
      await assert.rejects(t.upload(TINY_BUNDLE), /upload with the espruino CLI failed \(exit 1\):\nUnable to connect!/);
    });

    it("retries opening the port while it re-enumerates", async () => {
      const f = fakeBoard({ failOpens: 3 });
      assert.equal(await f.target.eval("1+1"), 2);
      assert.equal(f.opens(), 1);
      await f.target.close();
    });

    it("runs powerCutCommand for a power cut, then reconnects", async () => {
      const dir = mkdtempSync(join(tmpdir(), "rig-board-"));
      const marker = join(dir, "cut");
      const f = fakeBoard({ powerCutCommand: `touch '${marker}'` });
      f.setCutMarker(marker);
      try {
        await f.target.upload(TINY_BUNDLE);
        await f.target.powerCut();
        assert.equal(existsSync(marker), false, "the fake board saw the cut");
        assert.equal(await f.target.eval("boots"), 2);
      } finally {
        await f.target.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("needs a port", () => {
      assert.throws(() => new BoardTarget({ port: "" }), /--port is required/);
    });
  });

  describe("createTarget", () => {
    it("builds each kind from argv-like options", async () => {
      assert.equal(createTarget({ target: "virtual" }).name, "virtual");
      const linux = createTarget({ target: "espruino-linux", bin: "/x/espruino" });
      assert.equal(linux.name, "espruino-linux");
      await linux.close();
      assert.equal(createTarget({ target: "board", port: "/dev/ttyACM0" }).name, "board");
      assert.throws(() => createTarget({ target: "board" }), /--port is required/);
      assert.throws(() => createTarget({ target: "pico" }), /unknown target "pico"/);
    });

    it("parses --target/--port/--baud/--bin from argv", () => {
      assert.deepEqual(targetOptionsFromArgv(["--target", "board", "--port=/dev/ttyACM0", "--baud", "115200", "--other"]), { target: "board", port: "/dev/ttyACM0", baud: 115200 });
      assert.deepEqual(targetOptionsFromArgv([]), { target: "virtual" });
      assert.throws(() => targetOptionsFromArgv(["--baud", "fast"]), /--baud must be a positive integer/);
      assert.throws(() => targetOptionsFromArgv(["--target"]), /--target needs a value/);
      assert.throws(() => targetOptionsFromArgv(["--target", "nope"]), /unknown target/);
    });
  });
});
