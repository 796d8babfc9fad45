// npm run flash -- --port /dev/ttyACM0 --board pico [--baud 9600] [--file dist/firmware.js] [--form tokenised|plain] [--layout auto|storage|image] [--dry-run]
//
// Uploads the bundle to a real board so that it runs from flash (shared/ESPRUINO.md: code run
// from flash keeps its text out of RAM), in one espruino CLI invocation (hil/rig/espruino-cli.ts);
// --dry-run prints it. Where it goes (tools/flash-image.ts, planFlash):
// - storage: the Storage file fw.js and a tiny .bootcde that evals it, when it fits in Storage
//   beside the transaction logs;
// - image: otherwise, raw into the flash Espruino reports free (a Pico's 128 KB at 0x08060000)
//   by an upload script (dist/flash-image.js) that verifies it and installs a .bootcde that checks
//   its CRC before running it; the Storage stays for the logs. --layout forces one.
//
// The bundle is stored pretokenised (tools/pretokenise.ts): <file>.tok is written beside the .js
// and uploaded (the CLI sends a --storage file as binary, in base64 chunks, so every byte
// survives). Long string literals then stay in flash instead of RAM, and the file is smaller.
// --form plain (or FIRMWARE_FORM=plain) uploads the text instead.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FLASH_BOARDS, espruinoCliPath, runEspruinoCli, shellLine, uploadArgs, writeBootFile } from "../hil/rig/espruino-cli";
import { firmwareForm, pretokeniseWithStats, tokenisedPath, type FirmwareForm } from "./pretokenise";
import { FlashPlanError, imageWriterScript, planFlash, type FlashPlan } from "./flash-image";

export interface FlashOptions {
  port: string;
  board: string;
  baud: number;
  file: string;
  /** tokenised (default, or FIRMWARE_FORM): upload <file>.tok made from the file; plain: the file itself. */
  form: FirmwareForm;
  /** auto (default): Storage when the bundle fits there beside the logs, else the free flash. */
  layout: "auto" | "storage" | "image";
  dryRun: boolean;
}

export class UsageError extends Error {}

const USAGE = "usage: npm run flash -- --port <serial port> --board <" + Object.keys(FLASH_BOARDS).join("|") + "> [--baud N] [--file dist/firmware.js] [--form tokenised|plain] [--layout auto|storage|image] [--dry-run]";

export function parseFlashArgs(argv: string[], env: Record<string, string | undefined> = process.env): FlashOptions {
  const o: Partial<FlashOptions> = { file: "dist/firmware.js", dryRun: false, layout: "auto" };
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
    else if (key === "--layout") {
      const v = value();
      if (v !== "auto" && v !== "storage" && v !== "image") throw new UsageError(`--layout ${JSON.stringify(v)}: use auto, storage or image\n${USAGE}`);
      o.layout = v;
    }
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
  return { port: o.port, board: o.board, baud: o.baud || board.baud, file: o.file!, form: o.form!, layout: o.layout!, dryRun: !!o.dryRun };
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

/** Where the stored bytes go on this board (planFlash with --layout); a UsageError when they cannot. */
export function flashPlan(o: FlashOptions, storedBytes: number): FlashPlan {
  try {
    return planFlash(o.board, storedBytes, o.layout);
  } catch (e) {
    if (e instanceof FlashPlanError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * The CLI command and arguments for these options. Writes, beside the bundle: tokenised, <file>.tok;
 * storage layout, the boot file (boot.js); image layout, the upload script (flash-image.js).
 */
export function flashCommand(o: FlashOptions): { command: string; args: string[]; note: string; plan: FlashPlan } {
  const stored = storedFile(o);
  const bytes = new Uint8Array(readFileSync(stored.file));
  const plan = flashPlan(o, bytes.length);
  const dir = dirname(o.file);
  mkdirSync(dir, { recursive: true });
  const cli = relative(process.cwd(), espruinoCliPath()) || espruinoCliPath();
  const note = `${stored.note} -> ${plan.note}`;
  if (plan.layout === "image") {
    const writer = join(dir, "flash-image.js");
    writeFileSync(writer, imageWriterScript(bytes, plan.area!));
    return { command: cli, args: ["--port", o.port, "-b", String(o.baud), "--no-ble", writer], note, plan };
  }
  const boot = writeBootFile(dir);
  return { command: cli, args: uploadArgs({ port: o.port, baud: o.baud, firmwareFile: stored.file, bootFile: boot }), note, plan };
}

async function main(argv: string[]): Promise<number> {
  let o: FlashOptions;
  let cmd: ReturnType<typeof flashCommand>;
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
  console.log(`flash: ${cmd.note}, ${b.title} on ${o.port}`);
  const image = cmd.plan.layout === "image";
  // the image upload erases and programs flash as its lines arrive: give the board time to answer
  const r = await runEspruinoCli(cmd.args, { echo: true, graceMs: image ? 8000 : 3000, timeoutMs: image ? 600000 : 120000 });
  if (r.code !== 0) {
    console.error(`flash: the espruino CLI did not complete the upload (exit ${r.code}); is the board on ${o.port}?`);
    return 1;
  }
  if (image) {
    const fail = /FWIMAGE FAIL[^\r\n]*/.exec(r.output);
    if (fail || !/FWIMAGE OK/.test(r.output)) {
      console.error(`flash: ${fail ? fail[0] : "the board did not confirm the image (no FWIMAGE OK line)"}; its previous .bootcde is gone, so it boots to a bare prompt until a flash succeeds`);
      return 1;
    }
    console.log("flash: done; the board checks the image's CRC and runs it from flash at every power-on");
    return 0;
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
