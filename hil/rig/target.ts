/**
 * What a HIL scenario drives: one interface for the virtual board, Espruino for Linux and a
 * real board. Everything goes through the board's console (hil/rig/console-protocol.ts), so
 * one scenario file runs on all three.
 *
 *   const t = await createTarget({ target: "virtual" });       // hil/rig/targets.ts
 *   await t.upload(readFileSync("dist/firmware.js", "utf8"));  // flash it and boot it
 *   await t.eval("1+1");                                       // -> 2 (JSON round trip)
 *   await t.wait(500);                                         // virtual: simulated time
 *   t.takeOutput(); t.takeErrors();                            // what it printed / Uncaught
 *   await t.powerCut(); await t.eval("...");                   // state survives in Storage
 *   await t.close();
 */
export interface Target {
  /** "virtual", "espruino-linux" or "board". */
  readonly name: string;
  /**
   * Write the bundle to the board's Storage as `fw.js` with a `.bootcde` that evals it from
   * flash (shared/ESPRUINO.md), and boot it. Resolves when the console answers.
   */
  upload(bundle: string): Promise<void>;
  /**
   * Evaluate a one-line JS expression on the target; resolves with its value after a JSON
   * round trip (undefined comes back as null). Rejects with TargetEvalError when it threw there,
   * TargetTimeoutError when no reply came, SyntaxError before sending a malformed expression.
   */
  eval(js: string): Promise<unknown>;
  /** Soft reboot: kill handlers run, RAM is cleared, the code in Storage boots again (`load()`). */
  reset(): Promise<void>;
  /** Abrupt power loss and power-on: nothing graceful; Storage keeps what was written. */
  powerCut(): Promise<void>;
  /** Let `ms` pass on the target: virtual steps simulated time; real targets sleep. */
  wait(ms: number): Promise<void>;
  /** Lines the firmware printed since the last call (not replies, prompts or echo). */
  takeOutput(): string[];
  /** `Uncaught ...` reports since the last call. */
  takeErrors(): string[];
  close(): Promise<void>;
}

/** Storage layout every target uses (the same as `npm run flash`). */
export const FIRMWARE_FILE = "fw.js";
export const BOOT_FILE = ".bootcde";
/** The boot file's code: run the bundle from flash, so its text stays out of RAM. */
export const BOOT_CODE = 'eval(require("Storage").read("fw.js"));';
