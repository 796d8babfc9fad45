/**
 * Boot memory on the interpreter, the firmware loaded as a board loads it: written to Storage
 * and evaluated from flash by `.bootcde` (functions keep pointing into flash). Three boots:
 * nothing (the interpreter's own use), the device models alone, models + firmware; the
 * firmware's figure is the difference. Then a marked build says which modules and boot steps
 * hold the blocks (module-costs.ts).
 */
import { rmSync } from "node:fs";
import { bootCodeFor, bundleForInterpreter, installStorage, memoryErrors, newWorkDir, startInterpreter, type StorageFile } from "./interpreter";
import { buildMarkedFirmware, markerPrelude, moduleCosts, objectSizes, type ModuleCost } from "./module-costs";

/**
 * The smallest `global.hilBuses` the linux profile accepts: pins that read high, an I2C bus and
 * UARTs that take everything and answer nothing, no network. Lets the firmware boot without the
 * device models (about 40 blocks instead of 4,000), to see the firmware's own memory.
 */
export const STUB_BUSES =
  "(function(){function t(){return true}function n(){}var p={read:t,write:n,mode:n},s={write:n,on:n};" +
  "global.hilBuses={keypadRows:[p,p,p,p],keypadCols:[p,p,p,p],lcdI2c:{writeTo:n,readFrom:function(a,q){return new Uint8Array(q)}}," +
  "msrSerial:s,iccSerial:s,iccPresent:p,printerSerial:s,printerBaud:9600,printerBusy:null,net:function(c,r){r(null,'stub')}};})();";

export interface BootFigures {
  bin: string;
  totalBlocks: number;
  blockBytes: number;
  /** process.memory().usage after each boot settled (collected), or null when it ran out of memory. */
  empty: number;
  models: number | null;
  modelsAndFirmware: number | null;
  /** modelsAndFirmware - models: what the firmware itself holds after boot. */
  firmware: number | null;
  /** Stub buses alone, and stub buses + firmware (no models; no network, so idle not signed in). */
  stubs: number | null;
  stubsAndFirmware: number | null;
  /** Printed by the boot that ran out of memory. */
  outOfMemory: string[];
  notes: string[];
}

async function bootUsage(bin: string, files: StorageFile[], boot: string[] | null): Promise<{ usage: number | null; total: number; blockBytes: number; oom: string[] }> {
  const dir = newWorkDir("espruino-boot-");
  try {
    await installStorage(bin, dir, files, boot ? bootCodeFor(boot) : null);
    const t = await startInterpreter(bin, dir);
    try {
      await t.wait(1500); // let the boot's timers run (LCD init, first ticks)
      const oom = memoryErrors(t.takeOutput());
      const m = (await t.eval("process.memory()")) as { usage: number; total: number; blocksize: number };
      return { usage: oom.length ? null : m.usage, total: m.total, blockBytes: m.blocksize, oom };
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureBoot(bin: string): Promise<BootFigures> {
  const models = bundleForInterpreter("dist/models.js");
  const fw = bundleForInterpreter("dist/firmware.js");
  const empty = await bootUsage(bin, [], null);
  const m = await bootUsage(bin, [{ name: "models.js", data: models.code }], ["models.js"]);
  const both = await bootUsage(bin, [{ name: "models.js", data: models.code }, { name: "fw.js", data: fw.code }], ["models.js", "fw.js"]);
  const stubs = await bootUsage(bin, [{ name: "stub.js", data: STUB_BUSES }], ["stub.js"]);
  const stubsFw = await bootUsage(bin, [{ name: "stub.js", data: STUB_BUSES }, { name: "fw.js", data: fw.code }], ["stub.js", "fw.js"]);
  return {
    bin,
    totalBlocks: empty.total,
    blockBytes: empty.blockBytes,
    empty: empty.usage || 0,
    models: m.usage,
    modelsAndFirmware: both.usage,
    firmware: both.usage !== null && m.usage !== null ? both.usage - m.usage : null,
    stubs: stubs.usage,
    stubsAndFirmware: stubsFw.usage,
    outOfMemory: m.oom.concat(both.oom, stubsFw.oom),
    notes: [models.note, fw.note],
  };
}

export interface ModuleFigures {
  bin: string;
  /** Blocks before the firmware began (interpreter + stub buses). */
  start: number;
  costs: ModuleCost[];
  /** Markers reached / in total: fewer when the boot ran out of memory. */
  reached: number;
  markers: number;
  /** The last module or step that completed before memory ran out ("" when all did). */
  lastBeforeOom: string;
  markedBytes: number;
  /** What the objects main.ts builds hold: total and largest properties (E.getSizeOf). */
  objects: { name: string; blocks: number; largest: [string, number][] }[];
}

export async function measureModules(bin: string): Promise<ModuleFigures> {
  const build = await buildMarkedFirmware();
  const dir = newWorkDir("espruino-modules-");
  try {
    const pre = markerPrelude(build.labels.length) + "__MM0=process.memory(false).usage;";
    await installStorage(bin, dir, [{ name: "stub.js", data: STUB_BUSES }, { name: "mk.js", data: pre }, { name: "fw.js", data: build.code }], bootCodeFor(["stub.js", "mk.js", "fw.js"]));
    const t = await startInterpreter(bin, dir);
    try {
      await t.wait(500);
      const objects = objectSizes(t.takeOutput());
      const values = (await t.eval("[].slice.call(__MM)")) as number[];
      const start = (await t.eval("__MM0")) as number;
      const r = moduleCosts(build, values, start);
      return {
        bin,
        start,
        costs: r.costs,
        reached: r.reached,
        markers: build.order.length,
        lastBeforeOom: r.reached < build.order.length ? r.lastLabel : "",
        markedBytes: build.code.length,
        objects,
      };
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
