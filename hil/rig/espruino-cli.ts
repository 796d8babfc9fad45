/**
 * The `espruino` CLI (node_modules/.bin/espruino, package "espruino") as the rig and
 * `npm run flash` use it: upload the bundle to a board as the Storage file fw.js and install a
 * `.bootcde` that evals it from flash (shared/ESPRUINO.md), in one invocation:
 *
 *   espruino --port /dev/ttyACM0 -b 9600 --no-ble \
 *     --storage fw.js:dist/firmware.js --storage .bootcde:- boot.js
 *
 * (`.bootcde:-` stores the uploaded program, boot.js, as the boot file and loads it after.)
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BOOT_CODE, BOOT_FILE, FIRMWARE_FILE } from "./target";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Boards `npm run flash` knows: each has a profile in firmware/boards/. */
export const FLASH_BOARDS: Readonly<Record<string, { title: string; envBoard: string; baud: number }>> = {
  pico: { title: "Espruino Pico", envBoard: "PICO_R1_3", baud: 9600 },
  wifi: { title: "Espruino WiFi", envBoard: "ESPRUINOWIFI", baud: 9600 },
};

/** The CLI as installed by npm. */
export function espruinoCliPath(): string {
  return join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "espruino.cmd" : "espruino");
}

/** Write the tiny boot program to a temp file (the CLI takes files). */
export function writeBootFile(dir?: string): string {
  const d = dir || mkdtempSync(join(tmpdir(), "espruino-boot-"));
  const file = join(d, "boot.js");
  writeFileSync(file, BOOT_CODE + "\n");
  return file;
}

export interface UploadArgs {
  port: string;
  baud: number;
  /** The bundle to store as fw.js. */
  firmwareFile: string;
  /** The program stored as .bootcde (see writeBootFile). */
  bootFile: string;
}

/** CLI arguments for the fw.js + .bootcde upload. */
export function uploadArgs(a: UploadArgs): string[] {
  return ["--port", a.port, "-b", String(a.baud), "--no-ble", "--storage", `${FIRMWARE_FILE}:${a.firmwareFile}`, "--storage", `${BOOT_FILE}:-`, a.bootFile];
}

/** A shell-safe rendering of a command line (for --dry-run and error messages). */
export function shellLine(cmd: string, args: string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : "'" + a.replace(/'/g, "'\\''") + "'")).join(" ");
}

export interface CliResult {
  code: number;
  output: string;
}

/** Runs the CLI with these arguments. */
export type CliRunner = (args: string[]) => Promise<CliResult>;

/**
 * Spawns the CLI. Its quirk (shared/ESPRUINO.md): when 512 bytes or less are sent it uploads
 * but does not exit; after "Upload Complete" it gets `graceMs` to exit, then is stopped.
 */
export function runEspruinoCli(args: string[], opts: { graceMs?: number; timeoutMs?: number; echo?: boolean } = {}): Promise<CliResult> {
  const cli = espruinoCliPath();
  if (!existsSync(cli)) return Promise.reject(new Error(`espruino CLI not found at ${cli} (npm install)`));
  return new Promise<CliResult>((resolveRun, reject) => {
    const child = spawn(cli, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let uploaded = false;
    let grace: ReturnType<typeof setTimeout> | null = null;
    const limit = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`espruino CLI did not finish within ${opts.timeoutMs || 120000} ms:\n${output.slice(-2000)}`));
    }, opts.timeoutMs || 120000);
    const take = (d: Buffer) => {
      const text = d.toString("utf8");
      output += text;
      if (opts.echo) process.stdout.write(text);
      if (!uploaded && /Upload Complete/.test(output)) {
        uploaded = true;
        grace = setTimeout(() => child.kill("SIGTERM"), opts.graceMs || 3000);
      }
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
    child.on("error", (e) => {
      clearTimeout(limit);
      reject(e);
    });
    child.on("exit", (code) => {
      clearTimeout(limit);
      if (grace) clearTimeout(grace);
      // The CLI exits 0 even when it could not connect: only "Upload Complete" means success.
      resolveRun({ code: uploaded ? 0 : code || 1, output });
    });
  });
}
