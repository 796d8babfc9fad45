/**
 * Running the real Espruino for Linux interpreter (ESPRUINO_BIN) for the bench and the
 * test/inside tests, the way a board runs the firmware: the bundles are written to Storage
 * (./espruino.flash of the working directory) and a `.bootcde` evals them from flash, so the
 * function code stays in flash and only the interpreter's objects take RAM.
 *
 * The bundles go in pretokenised, as `npm run flash` writes them (bundleForInterpreter; set
 * FIRMWARE_FORM=plain for the text).
 *
 * Two steps, two interpreter processes:
 *   1. installStorage(): `espruino install.js` copies each file from the working directory into
 *      Storage in 1 KiB pieces (E.openFile / Storage.write at offsets), so no bundle ever sits in
 *      RAM whole (a 5100-block build could not hold one), writes `.bootcde`, and exits.
 *   2. startInterpreter(): the interpreter with no file: it boots `.bootcde` as a board does at
 *      power-on, then its console answers the rig's one-line requests (hil/rig/console-protocol).
 *
 * Notes from running it: the interpreter ignores SIGTERM/SIGINT (only SIGKILL stops it), and
 * with stdin at end of file its console reads 0xFF forever, so stdin is always a pipe kept open.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EspruinoLinuxTarget } from "../../hil/rig/espruino-linux-target";
import { fixForEspruino } from "../../hil/inside/espruino-fixes.js";
import { firmwareForm, storageForm, type FirmwareForm } from "../../tools/pretokenise";

/** A file to put in Storage: its Storage name and its bytes (a binary string or UTF-8 text). */
export interface StorageFile {
  name: string;
  data: string | Buffer;
}

/** `.bootcde` that evals each named Storage file in order, from flash. */
export function bootCodeFor(names: string[]): string {
  return names.map((n) => `eval(require("Storage").read(${JSON.stringify(n)}));`).join("");
}

export function espruinoBin(): string | null {
  const bin = process.env.ESPRUINO_BIN;
  return bin && bin.trim() !== "" ? bin : null;
}

export function newWorkDir(prefix = "espruino-bench-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Run `bin file` in `dir` to completion (it exits when no timers remain); returns its output. */
export function runFile(bin: string, dir: string, file: string, timeoutMs = 30000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, [file], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const take = (d: Buffer) => {
      out += d.toString("latin1");
    };
    p.stdout.on("data", take);
    p.stderr.on("data", take);
    p.stdin.on("error", () => undefined);
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`${file} did not finish within ${timeoutMs} ms; it printed:\n${out.slice(-2000)}`));
    }, timeoutMs);
    p.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${bin}: ${e.message}`));
    });
    p.on("exit", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

const INSTALLED = "@@INSTALLED";

/**
 * Empty Storage in `dir` (a fresh espruino.flash), then write `files` and `.bootcde` (when
 * `boot` is given) into it. Throws with the interpreter's output when a write failed.
 */
export async function installStorage(bin: string, dir: string, files: StorageFile[], boot: string | null): Promise<void> {
  const flash = join(dir, "espruino.flash");
  if (existsSync(flash)) unlinkSync(flash);
  const lines = [
    'var S=require("Storage");',
    "function copy(src,name,size){var f=E.openFile(src,\"r\"),off=0,c;while(off<size){c=f.read(1024);if(!c)break;if(!S.write(name,c,off,size))throw new Error(\"Storage full writing \"+name);off+=c.length;}f.close();if(off!==size)throw new Error(name+\": copied \"+off+\" of \"+size);}",
  ];
  files.forEach((f, i) => {
    const bytes = typeof f.data === "string" ? Buffer.from(f.data, "latin1") : f.data;
    const src = `in${i}.bin`;
    writeFileSync(join(dir, src), bytes);
    lines.push(`copy(${JSON.stringify(src)},${JSON.stringify(f.name)},${bytes.length});`);
  });
  if (boot !== null) lines.push(`S.write(".bootcde",${JSON.stringify(boot)});`);
  lines.push(`print("${INSTALLED.slice(0, 2)}"+"${INSTALLED.slice(2)}",S.getFree());`);
  writeFileSync(join(dir, "install.js"), lines.join("\n") + "\n");
  const out = await runFile(bin, dir, "install.js");
  if (out.indexOf(INSTALLED) < 0) throw new Error("installing into Storage failed:\n" + out.slice(-3000));
  files.forEach((_f, i) => rmSync(join(dir, `in${i}.bin`), { force: true }));
}

/** Start the interpreter in `dir` with no file: it boots `.bootcde` from Storage, then answers its console. */
export async function startInterpreter(bin: string, dir: string, timeoutMs = 10000): Promise<EspruinoLinuxTarget> {
  const t = new EspruinoLinuxTarget({ bin, workDir: dir, timeoutMs, startTimeoutMs: 30000 });
  await t.start();
  return t;
}

/** Printed lines that say the interpreter ran out of memory. */
export function memoryErrors(lines: string[]): string[] {
  return lines.filter((l) => /OUT OF MEMORY|LOW_MEMORY|MEMORY,|interpreter error: MEMORY|Out of Memory/i.test(l));
}

export interface FirmwareBundle {
  /** What goes to Storage: a binary string (one char per byte) when pretokenised, else the text. */
  code: string;
  /** Which form `code` is: pretokenised (as `npm run flash` writes it) or plain text (FIRMWARE_FORM=plain). */
  form: FirmwareForm;
  /** Bytes of `code` in Storage, and of the plain text. */
  bytes: number;
  plainBytes: number;
  /** What hil/inside/espruino-fixes.js changed: functions given a leading `var`, trailing returns. */
  hoisted: number;
  trailingReturns: number;
  /** Uses of a function declaration before its statement: not fixable here (should be 0). */
  functionHazards: number;
  /** One line saying what was changed and which form is loaded, for the output. */
  note: string;
}

/**
 * A bundle as it goes to Storage here, the way `npm run flash` loads it on a board: with the
 * Espruino fixes of hil/inside/espruino-fixes.js applied when the build has not applied them,
 * then pretokenised (tools/pretokenise.ts; FIRMWARE_FORM=plain keeps the text). The note says
 * what was changed and which form it is.
 */
export function bundleForInterpreter(path: string, form: FirmwareForm = firmwareForm()): FirmwareBundle {
  const r = fixForEspruino(readBundle(path));
  const changed = r.hoisted + r.trailingReturns;
  const fixes = changed === 0 ? "no Espruino fixes needed" : `Espruino fixes applied before upload (${r.hoisted} functions given a leading var, ${r.trailingReturns} trailing bare return) - see hil/inside/espruino-fixes.js`;
  const stored = storageForm(r.code, form, path);
  return {
    code: stored.bytes.toString("latin1"),
    form: form,
    bytes: stored.bytes.length,
    plainBytes: Buffer.byteLength(r.code, "utf8"),
    hoisted: r.hoisted,
    trailingReturns: r.trailingReturns,
    functionHazards: r.functionHazards,
    note: `${stored.note}; ${fixes}`,
  };
}

export function readBundle(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build`);
  return readFileSync(path, "utf8");
}
