/**
 * Boot memory on the interpreter, the firmware loaded as a board loads it: written to Storage
 * and evaluated from flash by `.bootcde` (functions keep pointing into flash). Three boots:
 * nothing (the interpreter's own use), the device models alone, models + firmware; the
 * firmware's figure is the difference. Then a marked build says which modules and boot steps
 * hold the blocks (module-costs.ts).
 */
import { rmSync } from "node:fs";
import { bootCodeFor, bundleForInterpreter, installStorage, memoryErrors, newWorkDir, startInterpreter, type StorageFile } from "./interpreter";
import { firmwareForm, storageForm } from "../../tools/pretokenise";
import { buildMarkedFirmware, markerPrelude, moduleCosts, objectSizes, type ModuleCost, type ObjectSize } from "./module-costs";

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
    let t: Awaited<ReturnType<typeof startInterpreter>> | null = null;
    try {
      t = await startInterpreter(bin, dir);
      await t.wait(1500); // let the boot's timers run (LCD init, first ticks)
      const oom = memoryErrors(t.takeOutput());
      const m = (await t.eval("process.memory()")) as { usage: number; total: number; blocksize: number };
      return { usage: oom.length ? null : m.usage, total: m.total, blockBytes: m.blocksize, oom };
    } catch (e) {
      // a boot that ran out of memory can take the interpreter down with it (an ASSERT after
      // OUT OF MEMORY, exit code 1): that is "does not fit", not a failed bench
      return { usage: null, total: 0, blockBytes: 0, oom: [(e as Error).message] };
    } finally {
      if (t) await t.close();
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
  /** What the objects main.ts builds hold of their own, and their largest properties. */
  objects: ObjectSize[];
}

export async function measureModules(bin: string): Promise<ModuleFigures> {
  const build = await buildMarkedFirmware();
  const dir = newWorkDir("espruino-modules-");
  try {
    const pre = markerPrelude(build.labels.length) + "__MM0=process.memory(false).usage;";
    await installStorage(bin, dir, [{ name: "stub.js", data: STUB_BUSES }, { name: "mk.js", data: pre }, { name: "fw.js", data: storageForm(build.code, firmwareForm(), "marked firmware").bytes.toString("latin1") }], bootCodeFor(["stub.js", "mk.js", "fw.js"]));
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

export interface FunctionCost {
  methods: number;
  bodyChars: number;
  /** Blocks for the class with its methods evaluated from Storage (code in flash) / from a RAM string. */
  fromFlash: number;
  fromRam: number;
}

/**
 * What a function costs the interpreter by itself: a class with 20 two-parameter methods
 * (bodies of ~80 characters) evaluated from Storage, where each method's code stays in flash,
 * and again from a copy of the same text in RAM, where the code is copied into RAM.
 */
export async function measureFunctionCost(bin: string): Promise<FunctionCost> {
  const body = "var s=0;for(var i=0;i<a;i++){s+=b*i;if(s>1000)s-=999;}this.t=s;return s+a+b;";
  let src = "(function(){function C(){this.t=0}";
  for (let i = 0; i < 20; i++) src += `C.prototype.m${i < 10 ? "0" + i : i}=function(a,b){${body}};`;
  src += "global.K=new C();})()";
  const dir = newWorkDir("espruino-fn-");
  try {
    await installStorage(bin, dir, [{ name: "fn.js", data: src }], null);
    const t = await startInterpreter(bin, dir);
    try {
      // at the console's top level (an eval inside a function would run in its scope); the RAM copy
      // is made by concatenation (a substring of a flash string still points into flash)
      const flash = (await t.eval('(global.__u=process.memory().usage,eval(require("Storage").read("fn.js")),global.__d=process.memory().usage-__u,delete global.K,__d)')) as number;
      await t.eval('(global.__r=" "+require("Storage").read("fn.js"),1)');
      const ram = (await t.eval("(global.__u=process.memory().usage,eval(__r),global.__d=process.memory().usage-__u,delete global.K,delete global.__r,__d)")) as number;
      return { methods: 20, bodyChars: body.length, fromFlash: flash, fromRam: ram };
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
