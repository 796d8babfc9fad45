/**
 * Per-event cost of the hot drivers on the interpreter, with the drivers alone
 * (entries/drivers-entry.ts; the firmware bundle does not expose its driver instances):
 * - time and retained blocks over a loop of calls made inside the interpreter (usage read with
 *   process.memory(false) before and after the loop, in the same call);
 * - transient blocks of one call (ballast.ts), against a call that does nothing but drain the
 *   ring ("beyond the bench's own call frames"). Each call is measured in a fresh interpreter:
 *   running out of memory on purpose can leave it unusable.
 */
import { rmSync } from "node:fs";
import { BALLAST, blocksNeeded, type BallastRig } from "./ballast";
import { buildEntry } from "./entries/build";
import { bootCodeFor, installStorage, newWorkDir, startInterpreter } from "./interpreter";

export interface DriverFigure {
  name: string;
  call: string;
  /** Microseconds per call and blocks retained over `loops` calls (the baseline loop's subtracted). */
  usPerCall: number;
  retained: number;
  loops: number;
  /** Least free blocks the call needs, and that minus the baseline call's. */
  needs: number;
  transient: number;
}

export interface DriverFigures {
  bin: string;
  entryUsage: number;
  baselineNeeds: number;
  /** Microseconds of the baseline call (subtracted from usPerCall). */
  baselineUs: number;
  figures: DriverFigure[];
}

const CASES = [
  { name: "keypad scan tick (no key)", loop: "scan", call: 'D("scan",0)', loops: 200 },
  { name: "keypad scan tick (a key held)", loop: "scan", call: 'D("scan",1)', loops: 200 },
  { name: "keypad press (12 scans, one reports it)", loop: "press", call: 'D("press")', loops: 20 },
  { name: "card-reader byte (MSR)", loop: "msr", call: 'D("msr")', loops: 400 },
  { name: "card swipe, byte by byte (worst: the last)", loop: "swipe", call: 'D("swipe")', loops: 10 },
  { name: "printer chunk (32 bytes)", loop: "chunk", call: 'D("chunk")', loops: 100 },
];

async function withEntry<T>(bin: string, code: string, fn: (t: Awaited<ReturnType<typeof startInterpreter>>) => Promise<T>): Promise<T> {
  const dir = newWorkDir("espruino-drivers-");
  try {
    await installStorage(bin, dir, [{ name: "bl.js", data: BALLAST }, { name: "drv.js", data: code }], bootCodeFor(["bl.js", "drv.js"]));
    const t = await startInterpreter(bin, dir);
    try {
      return await fn(t);
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A ballast rig on the drivers entry: (re)starts the interpreter on the same Storage, runs `setup`. */
async function needsOf(bin: string, code: string, call: string, setup: string | null): Promise<number> {
  const dir = newWorkDir("espruino-drivers-");
  let t: Awaited<ReturnType<typeof startInterpreter>> | null = null;
  const rig: BallastRig = {
    async get() {
      if (t) return t;
      t = await startInterpreter(bin, dir);
      if (setup) await t.session.eval(setup, 10000);
      return t;
    },
    async discard() {
      const old = t;
      t = null;
      if (old) await old.close();
    },
  };
  try {
    await installStorage(bin, dir, [{ name: "bl.js", data: BALLAST }, { name: "drv.js", data: code }], bootCodeFor(["bl.js", "drv.js"]));
    return await blocksNeeded(rig, call);
  } finally {
    await rig.discard();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureDrivers(bin: string): Promise<DriverFigures> {
  const code = await buildEntry("bench/espruino/entries/drivers-entry.ts");
  const entryUsage = await withEntry(bin, code, async (t) => (await t.eval("process.memory().usage")) as number);
  const baselineNeeds = await needsOf(bin, code, 'D("none")', null);
  const baseLoop = await withEntry(bin, code, async (t) => (await t.session.eval('D("loop","none",400,0)', 60000)) as [number, number]);
  const baselineUs = baseLoop[1];
  const figures: DriverFigure[] = [];
  for (const c of CASES) {
    const loop = await withEntry(bin, code, async (t) => {
      if (c.loop === "chunk") await t.eval('D("job")');
      if (c.call === 'D("scan",1)') await t.eval('D("scan",1)');
      return (await t.session.eval(`D("loop",${JSON.stringify(c.loop)},${c.loops},${c.call === 'D("scan",1)' ? 1 : 0})`, 60000)) as [number, number];
    });
    const needs = await needsOf(bin, code, c.call, c.loop === "chunk" ? 'D("job")' : null);
    figures.push({ name: c.name, call: c.call, usPerCall: loop[1] - baselineUs, retained: loop[0] - baseLoop[0], loops: c.loops, needs, transient: needs >= 0 && baselineNeeds >= 0 ? needs - baselineNeeds : -1 });
  }
  return { bin, entryUsage, baselineNeeds, baselineUs, figures };
}
