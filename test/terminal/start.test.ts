import { strict as assert } from "node:assert";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firmwareCode, isBootScreen, showsProbeReaction } from "./helpers";

const TSX = join("node_modules", ".bin", "tsx");

/** The LCD frames `npm start` printed as plain text (stdout not a terminal). */
function lcdFrames(text: string): string[][] {
  const frames: string[][] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("+- LCD")) continue;
    const f: string[] = [];
    for (let j = i + 1; j < lines.length && lines[j].startsWith("|"); j++) f.push(lines[j].slice(1, -1));
    frames.push(f);
  }
  return frames;
}

interface Run {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  exit: Promise<number | null>;
  waitFor: (pred: (out: string) => boolean, ms: number) => Promise<void>;
}

function start(args: string[]): Run {
  const child = spawn(TSX, ["hil/start.ts", ...args], { stdio: "pipe" });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = (pred: (o: string) => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const h = setInterval(() => {
        if (pred(out)) {
          clearInterval(h);
          resolve();
        } else if (Date.now() - t0 > ms || child.exitCode !== null) {
          clearInterval(h);
          reject(new Error("npm start did not show what was expected; stdout:\n" + out + "\nstderr:\n" + err));
        }
      }, 50);
    });
  return { child, out: () => out, exit, waitFor };
}

describe("npm start (hil/start.ts) without a terminal", function () {
  this.timeout(120000);
  let dir = "";
  before(() => {
    firmwareCode();
    dir = mkdtempSync(join(tmpdir(), "vt-start-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the boot screen from the LCD model, exits 0 after --exit-after, keeps the flash image", async () => {
    const flash = join(dir, "a.flash");
    const run = start(["--exit-after", "3000", "--flash", flash, "--no-host", "--host-port", "5999"]);
    run.child.stdin.end();
    assert.equal(await run.exit, 0);
    const out = run.out();
    assert.match(out, /external host 127\.0\.0\.1:5999/);
    assert.match(out, /mag-debit 622202\*\*\*\*\*\*9873/, "the test cards are listed, PANs masked");
    assert.ok(lcdFrames(out).some(isBootScreen), out);
    assert.match(out, /stopped\. LCD showed:/);
    assert.ok(existsSync(flash));
  });

  it("types piped keys on the keypad and quits cleanly on q, with its own host", async () => {
    const run = start(["--exit-after", "60000", "--flash", join(dir, "b.flash")]);
    await run.waitFor((o) => lcdFrames(o).some(isBootScreen), 30000);
    assert.match(run.out(), /host simulator 127\.0\.0\.1:\d+/);
    run.child.stdin.write("m"); // F1
    await run.waitFor((o) => lcdFrames(o).some(showsProbeReaction), 10000);
    assert.match(run.out(), /\*\*\* key F1/);
    run.child.stdin.write("q");
    assert.equal(await run.exit, 0);
  });

  it("exits 0 on SIGINT (Ctrl-C when stdin is not a terminal)", async () => {
    const run = start(["--exit-after", "60000", "--flash", join(dir, "c.flash")]);
    await run.waitFor((o) => lcdFrames(o).some(isBootScreen), 30000);
    run.child.kill("SIGINT");
    assert.equal(await run.exit, 0);
    assert.match(run.out(), /stopped\. LCD showed:/);
  });
});
