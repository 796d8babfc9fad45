// npm run flash -- --port /dev/ttyACM0 --board pico [--baud 9600] [--file dist/firmware.js] [--form tokenised|plain] [--dry-run]
//
// Uploads the bundle to a real board as the Storage file fw.js and installs a tiny .bootcde that
// evals it from flash at power-on (shared/ESPRUINO.md: code run from flash keeps its text out of
// RAM). One espruino CLI invocation does both (hil/rig/espruino-cli.ts); --dry-run prints it.
//
// The bundle is stored pretokenised (tools/pretokenise.ts): <file>.tok is written beside the .js
// and uploaded (the CLI sends a --storage file as binary, in base64 chunks, so every byte
// survives). Long string literals then stay in flash instead of RAM, and the file is smaller.
// --form plain (or FIRMWARE_FORM=plain) uploads the text instead.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FLASH_BOARDS, espruinoCliPath, runEspruinoCli, shellLine, uploadArgs, writeBootFile } from "../hil/rig/espruino-cli";
import { firmwareForm, pretokeniseWithStats, tokenisedPath, type FirmwareForm } from "./pretokenise";

export interface FlashOptions {
  port: string;
  board: string;
  baud: number;
  file: string;
  /** tokenised (default, or FIRMWARE_FORM): upload <file>.tok made from the file; plain: the file itself. */
  form: FirmwareForm;
  dryRun: boolean;
}

export class UsageError extends Error {}

const USAGE = "usage: npm run flash -- --port <serial port> --board <" + Object.keys(FLASH_BOARDS).join("|") + "> [--baud N] [--file dist/firmware.js] [--form tokenised|plain] [--dry-run]";

export function parseFlashArgs(argv: string[], env: Record<string, string | undefined> = process.env): FlashOptions {
  const o: Partial<FlashOptions> = { file: "dist/firmware.js", dryRun: false };
  const form = (v: string | undefined): FirmwareForm => {
    try {
      return firmwareForm({ FIRMWARE_FORM: v });
    } catch (e) {
      throw new UsageError(`${(e as Error).message.replace(/^FIRMWARE_FORM=/, "--form ")}\n${USAGE}`);
    }
  };
  o.form = form(env.FIRMWARE_FORM);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === "" || v.startsWith("--")) throw new UsageError(`${key} needs a value\n${USAGE}`);
      return v;
    };
    if (key === "--port" || key === "-p") o.port = value();
    else if (key === "--board") o.board = value().toLowerCase();
    else if (key === "--file") o.file = value();
    else if (key === "--dry-run") o.dryRun = true;
    else if (key === "--form") o.form = form(value());
    else if (key === "--baud" || key === "-b") {
      const n = Number(value());
      if (!(n > 0) || Math.floor(n) !== n) throw new UsageError(`--baud must be a positive integer\n${USAGE}`);
      o.baud = n;
    } else if (key === "--help" || key === "-h") throw new UsageError(USAGE);
    else throw new UsageError(`unknown option ${JSON.stringify(a)}\n${USAGE}`);
  }
  if (!o.port) throw new UsageError(`missing --port (the board's serial port, e.g. /dev/ttyACM0 or COM3)\n${USAGE}`);
  if (!o.board) throw new UsageError(`missing --board (one of: ${Object.keys(FLASH_BOARDS).join(", ")})\n${USAGE}`);
  const board = FLASH_BOARDS[o.board];
  if (!board) throw new UsageError(`unknown board ${JSON.stringify(o.board)}: known boards are ${Object.keys(FLASH_BOARDS).map((k) => `${k} (${FLASH_BOARDS[k].title})`).join(", ")}`);
  return { port: o.port, board: o.board, baud: o.baud || board.baud, file: o.file!, form: o.form!, dryRun: !!o.dryRun };
}

/**
 * The file that goes to Storage as fw.js, and a line saying which form it is. Tokenised: <file>.tok,
 * written now from the file (a .tok is taken as it is).
 */
export function storedFile(o: FlashOptions): { file: string; note: string } {
  if (!existsSync(o.file)) throw new UsageError(`${o.file} does not exist: run npm run build first`);
  const size = statSync(o.file).size;
  if (o.form === "plain") return { file: o.file, note: `${o.file}: plain text, ${size} bytes` };
  if (/\.tok$/.test(o.file)) return { file: o.file, note: `${o.file}: pretokenised, ${size} bytes` };
  const out = tokenisedPath(o.file);
  let r: ReturnType<typeof pretokeniseWithStats>;
  try {
    r = pretokeniseWithStats(readFileSync(o.file, "utf8"));
  } catch (e) {
    throw new UsageError(`${o.file} cannot be pretokenised (--form plain uploads the text): ${(e as Error).message}`);
  }
  writeFileSync(out, r.bytes);
  return { file: out, note: `${out}: pretokenised from ${o.file}, ${r.bytes.length} bytes (plain ${size})` };
}

/** The CLI command and arguments for these options; writes the boot file (dist/boot.js) and, tokenised, <file>.tok beside the bundle. */
export function flashCommand(o: FlashOptions): { command: string; args: string[]; note: string } {
  const stored = storedFile(o);
  const dir = dirname(o.file);
  mkdirSync(dir, { recursive: true });
  const boot = writeBootFile(dir);
  const cli = relative(process.cwd(), espruinoCliPath()) || espruinoCliPath();
  return { command: cli, args: uploadArgs({ port: o.port, baud: o.baud, firmwareFile: stored.file, bootFile: boot }), note: stored.note };
}

async function main(argv: string[]): Promise<number> {
  let o: FlashOptions;
  let cmd: { command: string; args: string[]; note: string };
  try {
    o = parseFlashArgs(argv);
    cmd = flashCommand(o);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error("flash: " + e.message);
      return 2;
    }
    throw e;
  }
  if (o.dryRun) {
    console.error("flash: would store " + cmd.note);
    console.log(shellLine(cmd.command, cmd.args));
    return 0;
  }
  const b = FLASH_BOARDS[o.board];
  console.log(`flash: ${cmd.note} -> ${b.title} on ${o.port} as Storage fw.js + .bootcde`);
  const r = await runEspruinoCli(cmd.args, { echo: true });
  if (r.code !== 0) {
    console.error(`flash: the espruino CLI did not complete the upload (exit ${r.code}); is the board on ${o.port}?`);
    return 1;
  }
  console.log("flash: done; the board boots fw.js from flash at power-on");
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error("flash: " + ((e as Error).message || e));
      process.exit(1);
    },
  );
}
