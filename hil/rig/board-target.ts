/**
 * Target: a real Espruino board on a serial port (`--port /dev/ttyACM0`), or any Espruino
 * console on TCP (`--port tcp://127.0.0.1:2323`: Espruino for Linux started with --telnet).
 *
 * Upload uses the espruino CLI (the same invocation as `npm run flash`: fw.js + .bootcde in
 * Storage, booted from flash); the rig's own console is a serial stream opened with the
 * `serialport` package, loaded only when a board target is created, so CI never needs it.
 * The port is closed while the CLI has it. reset = `load()`. A board cannot cut its own power:
 * give `powerCutCommand` (a shell command that switches the supply off and on, e.g. a relay or
 * `uhubctl`), otherwise powerCut falls back to `E.reboot()` (a hardware reset: RAM is lost,
 * flash kept, but no brown-out).
 */
import { exec } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConsoleSession } from "./console-protocol";
import { waitReady } from "./console-upload";
import { runEspruinoCli, uploadArgs, writeBootFile, type CliRunner } from "./espruino-cli";
import { FIRMWARE_FILE, type Target } from "./target";
import { storageForm, type FirmwareForm } from "../../tools/pretokenise";

/** The byte stream to the board's console. */
export interface SerialLink {
  write(data: string): Promise<void>;
  onData(cb: (chunk: Buffer) => void): void;
  close(): Promise<void>;
}

export type OpenSerial = (path: string, baud: number) => Promise<SerialLink>;

export interface BoardTargetOptions {
  port: string;
  /** Ignored by USB boards; default 9600 (Espruino's UART console). */
  baud?: number;
  /** How to open the port; default openPort (tcp://host:port or the `serialport` package). */
  open?: OpenSerial;
  /** How to run the espruino CLI; default node_modules/.bin/espruino. */
  runCli?: CliRunner;
  /** A shell command that cuts the board's power and restores it. */
  powerCutCommand?: string;
  /** Eval timeout in real ms; default 5000. */
  timeoutMs?: number;
  /** Time allowed for the port to come back and the board to answer; default 20000. */
  startTimeoutMs?: number;
  /**
   * How upload() stores the bundle: "plain" (default: the text as given) or "tokenised"
   * (tools/pretokenise.ts, as `npm run flash` does; createTarget picks it unless FIRMWARE_FORM=plain).
   */
  form?: FirmwareForm;
  /** Told which form each upload stored (createTarget: console.log). */
  log?: (line: string) => void;
}

/** `tcp://host:port` (a board's or Espruino for Linux's telnet console, as the espruino CLI takes it), else a serial port. */
export const openPort: OpenSerial = (path, baud) => (/^tcp:\/\//.test(path) ? openTcp(path) : openSerialPort(path, baud));

/** A telnet console: Espruino for Linux with --telnet (port 2323), or a board on WiFi. */
export function openTcp(path: string): Promise<SerialLink> {
  const m = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(path);
  if (!m) return Promise.reject(new Error(`bad tcp port ${JSON.stringify(path)} (tcp://host:port)`));
  return new Promise<SerialLink>((resolve, reject) => {
    const s = connect(Number(m[2] || 23), m[1]);
    s.once("error", (e) => reject(new Error(`cannot connect to ${path}: ${e.message}`)));
    s.once("connect", () => {
      s.on("error", () => undefined); // a reset drops the connection; the next open reconnects
      resolve({
        write: (data) => new Promise<void>((res, rej) => s.write(Buffer.from(data, "latin1"), (err) => (err ? rej(err) : res()))),
        onData: (cb) => void s.on("data", cb),
        close: () =>
          new Promise<void>((res) => {
            s.destroy();
            res();
          }),
      });
    });
  });
}

/** Opens a port with the `serialport` package, imported only now (it has native parts). */
export const openSerialPort: OpenSerial = async (path, baud) => {
  const name = "serialport"; // not a static import: CI and the other targets never load it
  let mod: { SerialPort: new (o: { path: string; baudRate: number; autoOpen?: boolean }) => NodeSerialPort };
  try {
    mod = (await import(name)) as typeof mod;
  } catch (e) {
    throw new Error(`board target: the "serialport" package is needed to talk to ${path} (${(e as Error).message})`);
  }
  const port = new mod.SerialPort({ path, baudRate: baud, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((err) => (err ? rej(new Error(`cannot open ${path}: ${err.message}`)) : res())));
  return {
    write: (data) => new Promise<void>((res, rej) => port.write(Buffer.from(data, "latin1"), (err) => (err ? rej(err) : port.drain(() => res())))),
    onData: (cb) => void port.on("data", cb),
    close: () => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())),
  };
};

interface NodeSerialPort {
  open(cb: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): void;
  drain(cb: () => void): void;
  on(ev: "data", cb: (d: Buffer) => void): void;
  close(cb: () => void): void;
  isOpen: boolean;
}

export class BoardTarget implements Target {
  readonly name = "board";
  readonly session: ConsoleSession;
  private link: SerialLink | null = null;
  private readonly port: string;
  private readonly baud: number;
  private readonly open: OpenSerial;
  private readonly runCli: CliRunner;
  private readonly startMs: number;
  readonly form: FirmwareForm;
  /** What the last upload stored: its form and size. */
  uploadNote = "";

  constructor(private readonly opts: BoardTargetOptions) {
    if (!opts.port) throw new Error("board target: --port is required (e.g. /dev/ttyACM0)");
    this.port = opts.port;
    this.baud = opts.baud || 9600;
    this.open = opts.open || openPort;
    this.runCli = opts.runCli || ((args) => runEspruinoCli(args));
    this.startMs = opts.startTimeoutMs || 20000;
    this.form = opts.form || "plain";
    this.session = new ConsoleSession((text) => this.send(text), { timeoutMs: opts.timeoutMs || 5000 });
  }

  /** Open the console and wait until the board answers. */
  async connect(): Promise<void> {
    if (this.link) return;
    const deadline = Date.now() + this.startMs;
    let lastErr: Error | null = null;
    // After a reset a USB board re-enumerates: retry until the port is back.
    for (;;) {
      try {
        this.link = await this.open(this.port, this.baud);
        break;
      } catch (e) {
        lastErr = e as Error;
        if (Date.now() >= deadline) throw new Error(`board target: cannot open ${this.port}: ${lastErr.message}`);
        await sleep(250);
      }
    }
    const link = this.link;
    link.onData((d) => {
      if (this.link === link) this.session.feed(d);
    });
    await waitReady(this.session, Math.max(1000, deadline - Date.now()));
  }

  async upload(bundle: string): Promise<void> {
    const stored = storageForm(bundle, this.form, `board: ${FIRMWARE_FILE}`);
    await this.disconnect(); // the CLI needs the port
    const dir = mkdtempSync(join(tmpdir(), "board-upload-"));
    try {
      // the CLI reads a --storage file as binary and sends it in base64 chunks: any byte survives
      const firmwareFile = join(dir, this.form === "tokenised" ? "firmware.tok" : "firmware.js");
      writeFileSync(firmwareFile, stored.bytes);
      const args = uploadArgs({ port: this.port, baud: this.baud, firmwareFile, bootFile: writeBootFile(dir) });
      const r = await this.runCli(args);
      if (r.code !== 0) throw new Error(`board target: upload with the espruino CLI failed (exit ${r.code}):\n${r.output.slice(-2000)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    this.uploadNote = stored.note;
    if (this.opts.log) this.opts.log(stored.note);
    await this.connect();
  }

  async eval(js: string): Promise<unknown> {
    await this.connect();
    return this.session.eval(js);
  }

  async reset(): Promise<void> {
    await this.connect();
    await this.session.reboot("load()");
    await waitReady(this.session, this.startMs);
  }

  async powerCut(): Promise<void> {
    const cmd = this.opts.powerCutCommand;
    if (cmd) {
      await this.disconnect();
      await new Promise<void>((res, rej) => exec(cmd, (err) => (err ? rej(new Error(`powerCutCommand failed: ${err.message}`)) : res())));
    } else {
      await this.connect();
      await this.session.command("E.reboot()");
      await this.disconnect();
      await sleep(500);
    }
    await this.connect();
  }

  wait(ms: number): Promise<void> {
    return sleep(ms);
  }

  takeOutput(): string[] {
    return this.session.takeOutput();
  }

  takeErrors(): string[] {
    return this.session.takeErrors();
  }

  async close(): Promise<void> {
    await this.disconnect();
  }

  private async disconnect(): Promise<void> {
    const link = this.link;
    if (!link) return;
    this.link = null;
    this.session.failAll(new Error("board target: console closed"));
    await link.close();
  }

  private send(text: string): Promise<void> {
    if (!this.link) return Promise.reject(new Error("board target: console not open"));
    return this.link.write(text);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
