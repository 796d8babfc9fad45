/**
 * Target: the real Espruino interpreter built for Linux (path in ESPRUINO_BIN; never built or
 * committed by this project, see shared/ESPRUINO.md).
 *
 * It runs in a working directory of its own (a new temp dir unless `workDir` is given), where its
 * Storage lives in ./espruino.flash. The rig talks to its REPL on stdin/stdout with the console
 * protocol (banner, `>` prompts and `Uncaught` lines are tolerated). Upload goes through the
 * console in answered 1 KiB chunks into Storage (console-upload.ts) and boots from flash, the
 * same layout `npm run flash` gives a board (pretokenised with `form: "tokenised"`, which
 * createTarget picks); a REPL start then boots `.bootcde` by itself.
 * powerCut = SIGKILL and start again on the same espruino.flash. (The interpreter ignores
 * SIGTERM and SIGINT; only SIGKILL stops it.)
 *
 *   ESPRUINO_BIN=/path/to/espruino npm run hil -- --target espruino-linux
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConsoleSession, TargetTimeoutError } from "./console-protocol";
import { uploadOverConsole, waitReady } from "./console-upload";
import { FIRMWARE_FILE, type Target } from "./target";
import { storageForm, type FirmwareForm } from "../../tools/pretokenise";

export interface EspruinoLinuxTargetOptions {
  /** The interpreter; default process.env.ESPRUINO_BIN. */
  bin?: string;
  /** Arguments put before the interpreter's own (tests run a fake interpreter through node). */
  binArgs?: string[];
  /** Where espruino.flash lives; default a new temp dir, removed by close(). */
  workDir?: string;
  /**
   * Eval timeout in real ms; default 30000. Long, since the interpreter is a local process: one
   * that died is seen at once (its exit fails every request), so a reply that is late only
   * means a busy machine (a firmware tick, a boot can take seconds when every core is loaded).
   */
  timeoutMs?: number;
  /** Time allowed for a start, boot or upload step; default 60000 (see timeoutMs). */
  startTimeoutMs?: number;
  /** Extra environment for the interpreter. */
  env?: Record<string, string>;
  /**
   * How upload() stores the bundle: "plain" (default: the text as given) or "tokenised"
   * (tools/pretokenise.ts, as `npm run flash` does; createTarget picks it unless FIRMWARE_FORM=plain).
   */
  form?: FirmwareForm;
  /** Told which form each upload stored (createTarget: console.log). */
  log?: (line: string) => void;
}

export class EspruinoLinuxTarget implements Target {
  readonly name = "espruino-linux";
  readonly workDir: string;
  private readonly ownDir: boolean;
  private readonly bin: string;
  private readonly binArgs: string[];
  private readonly startMs: number;
  private readonly env: Record<string, string> | undefined;
  readonly form: FirmwareForm;
  private readonly log: (line: string) => void;
  /** What the last upload stored: its form and size. */
  uploadNote = "";
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  readonly session: ConsoleSession;

  constructor(opts: EspruinoLinuxTargetOptions = {}) {
    const bin = opts.bin || process.env.ESPRUINO_BIN;
    if (!bin) throw new Error("espruino-linux target: set ESPRUINO_BIN (or --bin) to an Espruino for Linux binary");
    this.bin = bin;
    this.binArgs = opts.binArgs || [];
    this.ownDir = !opts.workDir;
    this.workDir = opts.workDir || mkdtempSync(join(tmpdir(), "espruino-linux-"));
    this.startMs = opts.startTimeoutMs || 60000;
    this.env = opts.env;
    this.form = opts.form || "plain";
    this.log = opts.log || (() => undefined);
    this.session = new ConsoleSession((text) => this.send(text), { timeoutMs: opts.timeoutMs || 30000 });
  }

  /** Start the interpreter if it is not running, and wait until its console answers. */
  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn(this.bin, this.binArgs, { cwd: this.workDir, stdio: ["pipe", "pipe", "pipe"], env: this.env ? { ...process.env, ...this.env } : process.env });
    this.proc = proc;
    proc.stdout!.on("data", (d: Buffer) => this.session.feed(d));
    proc.stderr!.on("data", (d: Buffer) => this.session.feed(d));
    proc.stdin!.on("error", () => undefined); // EPIPE after a kill: the exit handler reports it
    this.exited = new Promise<void>((resolve) => {
      const done = (why: string) => {
        if (this.proc === proc) this.proc = null;
        this.session.failAll(new Error(`espruino-linux: interpreter ${why}`));
        resolve();
      };
      proc.on("exit", (code, signal) => done(`exited (${signal || "code " + code})`));
      proc.on("error", (e) => done(`could not run ${this.bin}: ${e.message}`));
    });
    await waitReady(this.session, this.startMs);
  }

  async upload(bundle: string): Promise<void> {
    const stored = storageForm(bundle, this.form, `espruino-linux: ${FIRMWARE_FILE}`);
    // Espruino for Linux can die in a long console upload: its console input thread appends to
    // the IO event queue while the main loop pops from it, without a lock, and an event's length
    // read mid-append is garbage ("ASSERT(len <= 64) FAILED AT src/jsdevices.c", exit code 1).
    // The same race can also lose input without the crash: a write's line then never ends and
    // the interpreter waits for the rest of it, so a write with no reply is redone the same way,
    // after killing the stuck process. The upload writes fw.js from the start, so one the
    // interpreter died or stuck in is simply redone.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.start();
        // a retry first reclaims what the dead upload had reserved (see ConsoleUploadOptions.compact)
        await uploadOverConsole(this.session, stored.bytes, { timeoutMs: this.startMs, compact: attempt > 1 });
        break;
      } catch (e) {
        const stuck = this.proc !== null && (e instanceof TargetTimeoutError || (e as Error).name === "TargetTimeoutError");
        if (attempt >= 3 || (this.proc !== null && !stuck)) throw e; // still running and answering: a real upload failure
        this.log(`espruino-linux: the interpreter ${stuck ? "stopped answering" : "exited"} during the upload (${(e as Error).message.slice(0, 200)}); uploading again`);
        if (stuck) await this.kill();
      }
    }
    this.uploadNote = stored.note;
    this.log(stored.note);
  }

  eval(js: string): Promise<unknown> {
    if (!this.proc) return Promise.reject(new Error("espruino-linux: not running (upload() or start() first)"));
    return this.session.eval(js);
  }

  async reset(): Promise<void> {
    await this.start();
    await this.session.reboot("load()");
    await waitReady(this.session, this.startMs);
  }

  async powerCut(): Promise<void> {
    await this.kill();
    await this.start();
  }

  wait(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  takeOutput(): string[] {
    return this.session.takeOutput();
  }

  takeErrors(): string[] {
    return this.session.takeErrors();
  }

  async close(): Promise<void> {
    await this.kill();
    if (this.ownDir) rmSync(this.workDir, { recursive: true, force: true });
  }

  /** SIGKILL: the only signal Espruino for Linux does not trap. */
  private async kill(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    p.kill("SIGKILL");
    await this.exited;
  }

  private send(text: string): void {
    const p = this.proc;
    if (!p || !p.stdin || p.stdin.destroyed) throw new Error("espruino-linux: interpreter not running");
    p.stdin.write(Buffer.from(text, "latin1"));
  }
}
