/**
 * Pick a target from command-line style options (`npm run hil -- --target board --port ...`).
 *
 *   createTarget({ target: "virtual" })
 *   createTarget({ target: "espruino-linux", bin: "/path/to/espruino" })   // or ESPRUINO_BIN
 *   createTarget({ target: "board", port: "/dev/ttyACM0", baud: 9600 })
 *
 * The real targets store the bundle pretokenised (tools/pretokenise.ts), as `npm run flash`
 * does; FIRMWARE_FORM=plain or --form plain stores the text.
 */
import { BoardTarget } from "./board-target";
import { EspruinoLinuxTarget } from "./espruino-linux-target";
import type { Target } from "./target";
import { firmwareForm, type FirmwareForm } from "../../tools/pretokenise";
import { VirtualTarget, type VirtualTargetOptions } from "./virtual-target";

export type TargetKind = "virtual" | "espruino-linux" | "board";
export const TARGET_KINDS: readonly TargetKind[] = ["virtual", "espruino-linux", "board"];

export interface TargetOptions {
  target: TargetKind | string;
  /** board: the serial port. */
  port?: string;
  /** board: baud rate (USB boards ignore it). */
  baud?: number;
  /** espruino-linux: the interpreter (default ESPRUINO_BIN). */
  bin?: string;
  /** espruino-linux: where espruino.flash lives (default a temp dir). */
  workDir?: string;
  /** board: shell command that cuts and restores power. */
  powerCutCommand?: string;
  /** Eval timeout for the real targets (ms). */
  timeoutMs?: number;
  /** virtual: options for the VirtualTarget (an existing board with models, ...). */
  virtual?: VirtualTargetOptions;
  /** espruino-linux and board: how the bundle goes to Storage; default FIRMWARE_FORM, else tokenised (as `npm run flash`). */
  form?: FirmwareForm;
  /** Where the real targets say which form they stored; default console.log. */
  log?: (line: string) => void;
}

export function createTarget(o: TargetOptions): Target {
  switch (o.target) {
    case "virtual":
      return new VirtualTarget(o.virtual);
    case "espruino-linux":
      return new EspruinoLinuxTarget({ bin: o.bin, workDir: o.workDir, timeoutMs: o.timeoutMs, form: o.form || firmwareForm(), log: o.log || console.log });
    case "board":
      if (!o.port) throw new Error("target board: --port is required (e.g. --port /dev/ttyACM0)");
      return new BoardTarget({ port: o.port, baud: o.baud, powerCutCommand: o.powerCutCommand, timeoutMs: o.timeoutMs, form: o.form || firmwareForm(), log: o.log || console.log });
    default:
      throw new Error(`unknown target ${JSON.stringify(o.target)} (known: ${TARGET_KINDS.join(", ")})`);
  }
}

/** Parse `--target X --port P --baud N --bin B --work-dir D --power-cut-cmd C --form plain|tokenised` from argv. */
export function targetOptionsFromArgv(argv: string[]): TargetOptions {
  const o: TargetOptions = { target: "virtual" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(0, eq) : a;
    const val = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${key} needs a value`);
      return v;
    };
    if (key === "--target") o.target = val();
    else if (key === "--port") o.port = val();
    else if (key === "--baud") {
      const b = Number(val());
      if (!(b > 0) || Math.floor(b) !== b) throw new Error("--baud must be a positive integer");
      o.baud = b;
    } else if (key === "--bin") o.bin = val();
    else if (key === "--work-dir") o.workDir = val();
    else if (key === "--power-cut-cmd") o.powerCutCommand = val();
    else if (key === "--form") o.form = firmwareForm({ FIRMWARE_FORM: val() });
  }
  if (TARGET_KINDS.indexOf(o.target as TargetKind) < 0) throw new Error(`unknown target ${JSON.stringify(o.target)} (known: ${TARGET_KINDS.join(", ")})`);
  return o;
}
