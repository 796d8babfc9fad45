/**
 * A stand-in for Espruino's console, so the espruino-linux and board targets can be tested in
 * CI without the interpreter or hardware. It imitates what the rig meets on the real thing
 * (checked against Espruino 2v29 for Linux): "espruino: ..." info lines and the banner, a `>`
 * prompt after every line, echo plus "=result" for plain lines and neither for "\x10" lines,
 * "Uncaught ..." followed by indented trace lines and a blank line, SIGTERM/SIGINT ignored,
 * Storage persisted in ./espruino.flash (here JSON) so a SIGKILL keeps it, `.bootcde` run at
 * start and by `load()`, `reset()` clearing RAM and printing the banner, and input that arrives
 * while a reboot is under way losing its first bytes.
 *
 * In-process: `new FakeEspruino({ storage })`, `input(text)`, `onOutput(cb)`.
 * As a process: `node --import tsx test/rig/fake-espruino.ts` (stdin/stdout console);
 * FAKE_CHUNK=n splits every write into n-byte pieces, FAKE_NO_BOOT=1 skips the boot file,
 * FAKE_CRASH_ONCE=file: the first run (while `file` does not exist in the working directory)
 * prints an ASSERT and exits with code 1 at its second Storage.write, as Espruino for Linux can
 * in a long console upload. FAKE_HANG_ONCE=file: the same, but instead of exiting it stops
 * answering (input lost mid-line leaves the real one waiting for the rest of it).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createContext, runInContext, type Context } from "node:vm";
import { crc32 } from "node:zlib";

export const BANNER =
  "\r\n ____                 _ \r\n|  __|___ ___ ___ _ _|_|___ ___ \r\n|  __|_ -| . |  _| | | |   | . |\r\n|____|___|  _|_| |___|_|_|_|___|\r\n         |_| espruino.com\r\n 2v29 (c) 2026 G.Williams\r\n\r\nEspruino is Open Source. Our work is supported\r\nonly by sales of official boards and donations:\r\nhttp://espruino.com/Donate\r\n\r\n>";

/** Storage files by name (byte strings); `save` persists them (called after every change). */
export interface FakeStorage {
  files: Record<string, string>;
  save(): void;
}

export function memoryStorage(): FakeStorage {
  return { files: {}, save() {} };
}

export function fileStorage(path: string): FakeStorage {
  const files = existsSync(path) ? (JSON.parse(readFileSync(path, "latin1")) as Record<string, string>) : {};
  return {
    files,
    save() {
      writeFileSync(path, JSON.stringify(files), "latin1");
    },
  };
}

export interface FakeEspruinoOptions {
  storage?: FakeStorage;
  /** process.env.BOARD; default "LINUX". */
  board?: string;
  /** Echo plain (non-"\x10") lines, as Espruino does; default true. */
  echo?: boolean;
}

export class FakeEspruino {
  readonly storage: FakeStorage;
  /** Every line the console evaluated, in order (what the rig sent). */
  readonly received: string[] = [];
  private listeners: ((text: string) => void)[] = [];
  private partial = "";
  private ctx: Context | null = null;
  private timers: ReturnType<typeof setTimeout | typeof setInterval>[] = [];
  private readonly board: string;
  private readonly echo: boolean;
  /** Set to make the console stop answering (a hung board). */
  mute = false;
  /** Called after each Storage.write (the process run's FAKE_CRASH_ONCE). */
  onWrite: (() => void) | null = null;
  /** Called on Storage.compact() (the process run marks it with a file "compacted"). */
  onCompact: (() => void) | null = null;
  /** Like Espruino, a reboot (load/reset) drops input that arrives before it is done. */
  private deafUntil = 0;

  constructor(opts: FakeEspruinoOptions = {}) {
    this.storage = opts.storage || memoryStorage();
    this.board = opts.board || "LINUX";
    this.echo = opts.echo !== false;
  }

  onOutput(cb: (text: string) => void): void {
    this.listeners.push(cb);
  }

  /** Power on: info lines, banner, prompt, then the boot file. */
  start(opts: { info?: boolean; boot?: boolean } = {}): void {
    if (opts.info !== false) this.write("espruino: Interactive mode.\r\nespruino: Size of JsVar is now 27 bytes\r\nespruino: Added SIGTERM hook\r\n");
    this.write(BANNER);
    this.fresh();
    if (opts.boot !== false) this.boot();
  }

  /** Console input, any chunking. */
  input(text: string): void {
    if (Date.now() < this.deafUntil) text = text.slice(Math.min(text.length, 5)); // a request arrives cut
    this.partial += text;
    let nl: number;
    while ((nl = this.partial.indexOf("\n")) >= 0) {
      const line = this.partial.slice(0, nl).replace(/\r$/, "");
      this.partial = this.partial.slice(nl + 1);
      this.line(line);
    }
  }

  /** Stop timers (the process is going away). */
  stop(): void {
    this.timers.forEach((h) => clearTimeout(h));
    this.timers = [];
  }

  private write(text: string): void {
    if (this.mute) return;
    for (const cb of this.listeners) cb(text);
  }

  private line(raw: string): void {
    let line = raw;
    const quiet = line.charCodeAt(0) === 0x10;
    if (quiet) line = line.slice(1);
    this.received.push(line);
    if (!quiet && this.echo) this.write(line + "\r\n");
    const r = this.run(line, "REPL");
    if (r.ok && !quiet) this.write("=" + (r.value === undefined ? "undefined" : JSON.stringify(r.value)) + "\r\n");
    this.write(">");
  }

  private run(code: string, where: string): { ok: boolean; value?: unknown } {
    try {
      return { ok: true, value: runInContext(code, this.ctx!, { filename: where }) };
    } catch (e) {
      this.uncaught(e);
      return { ok: false };
    }
  }

  private uncaught(e: unknown): void {
    const text = e instanceof Error || (e && typeof e === "object" && "name" in e) ? (e as Error).name + ": " + (e as Error).message : String(e);
    this.write("\r\x1b[JUncaught " + text + "\r\n    at :1:1\r\n\r\n  ^\r\n>");
  }

  private boot(): void {
    const code = this.storage.files[".bootcde"];
    if (code !== undefined && !process.env.FAKE_NO_BOOT) this.run(code, ".bootcde");
  }

  private fresh(): void {
    this.stop();
    const self = this;
    const files = this.storage.files;
    const Storage = {
      read(name: string) {
        return files[name];
      },
      write(name: string, data: string, offset?: number, size?: number) {
        data = String(data);
        if (offset === undefined) files[name] = data;
        else {
          if (size !== undefined && offset === 0) files[name] = "\xff".repeat(size);
          const old = files[name];
          if (old === undefined) return false;
          files[name] = old.slice(0, offset) + data + old.slice(offset + data.length);
        }
        self.storage.save();
        if (self.onWrite) self.onWrite();
        return true;
      },
      erase(name: string) {
        delete files[name];
        self.storage.save();
      },
      list() {
        return Object.keys(files);
      },
      compact() {
        // erased files leave no trash here: nothing to move
        if (self.onCompact) self.onCompact();
      },
    };
    const board = this.board;
    this.ctx = createContext({
      print: (...a: unknown[]) => this.write("\r\x1b[J" + a.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ") + "\r\n>"),
      require: (m: string) => {
        if (m === "Storage") return Storage;
        throw new Error('Module "' + m + '" not found');
      },
      E: { CRC32: (s: string) => crc32(Buffer.from(String(s), "latin1")) >>> 0, reboot: () => this.powerOn() },
      process: { env: { BOARD: board, VERSION: "2v29" }, memory: () => ({ free: 4000, usage: 96, total: 4096 }) },
      setTimeout: (fn: () => void, ms: number) => {
        const h = setTimeout(() => {
          try {
            fn();
          } catch (e) {
            this.uncaught(e);
          }
        }, ms);
        this.timers.push(h);
        return this.timers.length;
      },
      setInterval: (fn: () => void, ms: number) => {
        const h = setInterval(() => {
          try {
            fn();
          } catch (e) {
            this.uncaught(e);
          }
        }, ms);
        this.timers.push(h);
        return this.timers.length;
      },
      load: () => {
        this.deafUntil = Date.now() + 100;
        setTimeout(() => {
          this.fresh();
          this.boot();
          this.write(">");
        }, 20);
      },
      reset: () => {
        this.deafUntil = Date.now() + 100;
        setTimeout(() => {
          this.write(BANNER);
          this.fresh();
        }, 20);
      },
    });
  }

  /** E.reboot(): like a hardware reset. */
  private powerOn(): void {
    this.fresh();
    this.start({ info: false });
  }
}

/** Run as a process: the console on stdin/stdout, Storage in ./espruino.flash. */
function main(): void {
  const fake = new FakeEspruino({ storage: fileStorage(resolve("espruino.flash")) });
  fake.onCompact = () => writeFileSync(resolve("compacted"), "1");
  const chunk = Number(process.env.FAKE_CHUNK || 0);
  let queue = Promise.resolve();
  fake.onOutput((text) => {
    const buf = Buffer.from(text, "latin1");
    if (!chunk) {
      process.stdout.write(buf);
      return;
    }
    for (let i = 0; i < buf.length; i += chunk) {
      const piece = buf.subarray(i, i + chunk);
      queue = queue.then(() => new Promise<void>((r) => setImmediate(() => process.stdout.write(piece, () => r()))));
    }
  });
  process.on("SIGTERM", () => undefined); // Espruino for Linux traps these
  process.on("SIGINT", () => undefined);
  const crashMark = process.env.FAKE_CRASH_ONCE;
  if (crashMark && !existsSync(crashMark)) {
    let writes = 0;
    fake.onWrite = () => {
      if (++writes < 2) return;
      writeFileSync(crashMark, "crashed");
      process.stdout.write("ASSERT(len <= 64) FAILED AT src/jsdevices.c:601\r\nEXITING.\r\n", () => process.exit(1));
    };
  }
  const hangMark = process.env.FAKE_HANG_ONCE;
  if (hangMark && !existsSync(hangMark)) {
    let writes = 0;
    fake.onWrite = () => {
      if (++writes < 2) return;
      writeFileSync(hangMark, "hung");
      fake.mute = true;
    };
  }
  process.stdin.on("data", (d: Buffer) => fake.input(d.toString("latin1")));
  process.stdin.on("end", () => undefined); // the real one spins on; stay up until killed
  setInterval(() => undefined, 1 << 30);
  fake.start();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
