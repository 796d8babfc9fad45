/**
 * Shared by the terminal tests: a fresh dist/firmware.js (built once per mocha run when any
 * firmware source or messages file is newer), and the few assertions that depend on what the
 * application shows. Those live here alone so they change in one place while the app grows:
 *   - BOOT: today the app's idle screen has the terminal id on the LCD ("TID 10000001"); the
 *     early boot stub showed "POS TERMINAL" / "READY". Either counts as booted.
 *   - PROBE_KEY F1: the app opens its menu ("1 SALE" ...); the stub echoed "KEY F1".
 *   - SIGN_IN_KEYS: F1 pages the menu 4 items at a time on the 20x4; item 9 is SIGN IN.
 *   - a swiped card at idle starts a sale: amount, ENTER, PIN, ENTER (SALE_KEYS).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { VirtualTerminal } from "../../hil/terminal/virtual-terminal";

export const FIRMWARE = "dist/firmware.js";

let built: string | null = null;

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The firmware bundle, rebuilt with `npm run build` when a firmware source is newer. If the
 * build fails while an older bundle exists (someone is mid-edit), that bundle is used and the
 * failure printed: `npm test` builds first and reports a broken build itself.
 */
export function firmwareCode(): string {
  if (built !== null) return built;
  const stale = !existsSync(FIRMWARE) || statSync(FIRMWARE).mtimeMs < newestSource("firmware");
  if (stale) {
    try {
      execFileSync("npm", ["run", "build"], { stdio: "pipe", timeout: 180000 });
    } catch (e) {
      if (!existsSync(FIRMWARE)) throw e;
      console.warn("test/terminal: npm run build failed; using the existing " + FIRMWARE + "\n" + String((e as { stdout?: Buffer }).stdout || e));
    }
  }
  built = readFileSync(FIRMWARE, "utf8");
  return built;
}

/** The LCD shows the firmware's first screen after boot. */
export function isBootScreen(lines: string[]): boolean {
  const text = lines.join("\n");
  return /TID 10000001/.test(text) || /POS TERMINAL/.test(text);
}

/** The key the tests press to see the firmware react, and the reaction on the LCD. */
export const PROBE_KEY = "F1";
export function showsProbeReaction(lines: string[]): boolean {
  const text = lines.join("\n");
  return /1 SALE/.test(text) || /KEY F1/.test(text);
}

export const SIGN_IN_KEYS = "{F1}{F1}{F1}9";
export function saleKeys(amount: string, pin: string): { amount: string; pin: string } {
  return { amount: amount + "\n", pin: pin + "\n" };
}

/** Console lines printed with "Uncaught". */
/**
 * Sign in (menu 9), then a swiped sale of `amount` (digits, fen) with `pin` on the magstripe test
 * card, advancing the terminal's time through each step; the caller checks the host and the LCD.
 */
export async function signInAndSwipeSale(vt: VirtualTerminal, amount: string, pin: string): Promise<void> {
  await vt.advance(vt.hil.keys(SIGN_IN_KEYS) + 3000);
  await vt.advance(vt.hil.key("CANCEL") + 500);
  const sale = saleKeys(amount, pin);
  vt.hil.swipe("mag-debit");
  await vt.advance(1000);
  await vt.advance(vt.hil.keys(sale.amount) + 500);
  await vt.advance(vt.hil.keys(sale.pin) + 5000);
}

export function uncaughtLines(output: string): string[] {
  return output.split(/\r?\n/).filter((l) => l.indexOf("Uncaught") >= 0);
}
