/**
 * The interpreter half of npm run bench: runs the measurements (boot.ts, flows.ts, drivers.ts,
 * txn-time.ts), prints them, and judges the board budgets. ESPRUINO_BIN is the board-sized
 * interpreter; when the firmware does not boot in it, the figures that need a running terminal
 * come from ESPRUINO_BIN_LARGE (same interpreter, more blocks) or say "not measurable".
 */
import { measureBoot, measureFunctionCost, measureModules, type BootFigures, type FunctionCost, type ModuleFigures } from "./boot";
import { measureFlows, measureRetained, type FlowFigures, type RetainedFigures } from "./flows";
import { measureDrivers, type DriverFigures } from "./drivers";
import { measureTxn, PICO_HZ, PICO_LOOP_US_PER_ITERATION, type InstructionCounts, type TxnTimes } from "./txn-time";

export const BOARDS: [string, number][] = [
  ["Espruino Pico", 5100],
  ["Espruino WiFi", 8190],
  ["Espruino Original", 2756],
  ["MDBT42Q", 2950],
  ["ESP32", 16383],
];
/** Boot plus the peak of any flow must leave this share of the blocks free (issue 7). */
export const FREE_SHARE = 0.4;

export interface BudgetRow {
  board: string;
  blocks: number;
  /** Blocks the firmware needs at its peak, and what the 40% rule allows. */
  needs: number | null;
  allowed: number;
  verdict: "PASS" | "FAIL" | "not measurable";
}

export interface InterpreterReport {
  boot: BootFigures;
  bootLarge: BootFigures | null;
  modules: ModuleFigures | null;
  functionCost: FunctionCost | null;
  modulesLarge: ModuleFigures | null;
  flows: FlowFigures | { notMeasurable: string };
  retained: RetainedFigures | { notMeasurable: string };
  drivers: DriverFigures | { notMeasurable: string };
  txn: TxnTimes | { notMeasurable: string };
  budgets: BudgetRow[];
  firmwareAtPeak: number | null;
}

function row(label: string, value: string): void {
  console.log("  " + label.padEnd(58) + " " + value);
}

function log(s: string): void {
  console.log(s);
}

/** One interpreter's instruction counts of a sale and the Pico estimate from them. */
function printCounts(what: string, c: InstructionCounts): void {
  const mi = (n: number) => `${(n / 1e6).toFixed(1)} M`;
  const pp = c.perPiece;
  const pico = (n: number) => (n / c.pico.instructionsPerSecond).toFixed(2);
  row(`${what}: instructions per sale`, `${mi(c.instructionsPerSale)} = whole sale through the engine ${mi(c.engineSale)} + receipt ${mi(pp.receipt)}`);
  console.log(`    (counted on ${c.bin}; code ${c.codeFrom}; ${c.thumbCode ? "DES and unpack's field walk as Thumb-2 machine code (firmware/txn/native/thumb.c), as the Pico and WiFi firmware run them" : "all interpreted"})`);
  row(
    "  the sale around the host round trip (PIN Enter to result)",
    `${mi(c.engineSale)}, on a Pico ~${pico(c.engineSale)} s; the pieces alone, for comparison: PIN block + every field built + pack + MAC ${mi(pp.pack)}, unpack + MAC check ${mi(pp.unpack)}, flash ${mi(pp.journal)}`,
  );
  row("  after the swipe, before the PIN prompt shows: request packed, 0400 stored (not in the sum)", `${mi(c.atPinPrompt)}, on a Pico ~${pico(c.atPinPrompt)} s`);
  row("  as the sixth PIN digit is typed, before Enter: PIN block, request's MAC (not in the sum)", `${mi(c.beforeEnter)}, on a Pico ~${pico(c.beforeEnter)} s`);
  if (c.interpreted) {
    const i = c.interpreted;
    row(
      "  the same all interpreted (boards without E.nativeCall)",
      `around the round trip ${mi(i.afterEnter)} (~${pico(i.afterEnter)} s), before the PIN prompt ${mi(i.atPinPrompt)} (~${pico(i.atPinPrompt)} s), as the sixth digit is typed ${mi(i.beforeEnter)} (~${pico(i.beforeEnter)} s)`,
    );
  }
  row("  the slip's layout", `${mi(pp.receipt)}, on a Pico ~${pico(pp.receipt)} s; with Chinese labels instead ${mi(pp["receipt-zh"])}, ~${pico(pp["receipt-zh"])} s`);
  row(
    "  estimated on an Espruino Pico (see txn-time.ts)",
    `${(c.pico.msPerRound / 1000).toFixed(2)} s a sale (a loop a Pico runs in ${PICO_LOOP_US_PER_ITERATION} us takes ${Math.round(c.pico.loopInstructionsPerIteration).toLocaleString("en-US")} instructions here: ${(c.pico.instructionsPerSecond / 1e6).toFixed(0)} M a second)`,
  );
  if (c.pico.floorMs !== undefined) {
    const floor = (n: number) => (n / PICO_HZ).toFixed(2);
    row(
      "  the least a Pico could take (one instruction a cycle at 84 MHz)",
      `${(c.pico.floorMs / 1000).toFixed(2)} s a sale: around the round trip ${floor(c.engineSale)} s, before the PIN prompt ${floor(c.atPinPrompt)} s, before Enter ${floor(c.beforeEnter)} s, slip ${floor(pp.receipt)} s`,
    );
  }
}

async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | { notMeasurable: string }> {
  try {
    return await fn();
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    row(what, "not measurable: " + msg);
    return { notMeasurable: msg };
  }
}

function printBoot(b: BootFigures): void {
  console.log(`  interpreter: ${b.bin} (${b.totalBlocks} blocks of ${b.blockBytes} bytes)`);
  for (const n of b.notes) console.log("  note: " + n);
  row("boot, nothing loaded (the interpreter's own)", `${b.empty} blocks`);
  row("boot, device models alone (from Storage/flash)", b.models === null ? "OUT OF MEMORY" : `${b.models} blocks`);
  row("boot, models + firmware (from Storage/flash)", b.modelsAndFirmware === null ? `OUT OF MEMORY in ${b.totalBlocks} blocks` : `${b.modelsAndFirmware} blocks`);
  row("boot, firmware alone = difference", b.firmware === null ? "does not fit" : `${b.firmware} blocks (+${b.empty} interpreter = ${b.firmware + b.empty} on a board)`);
  row("cross-check: stub buses + firmware, no models", b.stubsAndFirmware === null ? `OUT OF MEMORY in ${b.totalBlocks} blocks` : `${b.stubsAndFirmware} blocks (stubs alone ${b.stubs}; not signed in, no network)`);
  for (const l of b.outOfMemory.slice(0, 2)) console.log("    " + l);
}

function printModules(m: ModuleFigures): void {
  console.log(`  where the boot blocks go (marked build on stub buses, ${m.bin}; ${m.start} blocks in use before the firmware):`);
  if (m.lastBeforeOom) console.log(`    ran out of memory after: ${m.lastBeforeOom} (${m.reached} of ${m.markers} steps)`);
  const total = m.costs.reduce((n, c) => n + c.blocks, 0);
  const defs = m.costs.filter((c) => !c.label.startsWith("main.ts")).reduce((n, c) => n + c.blocks, 0);
  console.log(`    ${total} blocks: ${defs} for module definitions (functions, classes, tables), ${total - defs} built at boot (main.ts steps)`);
  const top = m.costs.slice().sort((a, b) => b.blocks - a.blocks).slice(0, 16);
  for (const c of top) console.log("    " + String(c.blocks).padStart(6) + "  " + c.label);
  if (m.objects.length) console.log("    objects built at boot, their own data (E.getSizeOf per property; parts they share left out), largest properties:");
  for (const o of m.objects.slice().sort((a, b) => b.blocks - a.blocks)) {
    console.log("    " + String(o.blocks).padStart(6) + "  " + o.name + ` (${o.props} properties): ` + o.largest.slice(0, 6).map((p) => p[0] + " " + p[1]).join(", "));
  }
}

/** What runFlowsOnly measures: the flows' peaks and CPU, the retained loop, or both. */
export type FlowPart = "flows" | "retained";

/**
 * Only the interpreter's terminal flows (bench/run.ts --only=flows,retained): no boot, module,
 * driver or time-per-sale figures, and no check of which interpreter the firmware boots in: `bin`
 * must boot it (ESPRUINO_BIN_LARGE while it does not fit the Pico-sized ESPRUINO_BIN).
 */
export async function runFlowsOnly(bin: string, sales: number, parts: FlowPart[]): Promise<Pick<InterpreterReport, "flows" | "retained">> {
  let flows: InterpreterReport["flows"] = { notMeasurable: "not run (--only)" };
  let retained: InterpreterReport["retained"] = { notMeasurable: "not run (--only)" };
  if (parts.indexOf("flows") >= 0) {
    console.log(`\n  flows (${bin}; host simulator on loopback; printer model at 1000 mm/s):`);
    flows = await attempt("flows", () => measureFlows(bin, log));
    if (!("notMeasurable" in flows)) printFlows(flows);
  }
  if (parts.indexOf("retained") >= 0) {
    if (sales > 0) {
      console.log(`\n  retained: ${sales} sales in a loop (${bin}; no probes; usage collected at the idle screen):`);
      retained = await attempt("retained", () => measureRetained(bin, sales, log));
      if (!("notMeasurable" in retained)) printRetained(retained);
    } else retained = { notMeasurable: "BENCH_SALES=0" };
  }
  return { flows, retained };
}

function printFlows(flows: FlowFigures): void {
  if (flows.configNote) console.log("  note: " + flows.configNote);
  row("idle loop: firmware time per tick (models excluded)", `${flows.idleTickMs.toFixed(1)} ms (${flows.idleTicksPerSecond.toFixed(0)} ticks/s of the 200 asked; models ${(100 * flows.idleModelShare).toFixed(0)}% of loop time)`);
  row("idle usage with the probes in (collected)", `${flows.idleUsage} blocks`);
  row("of which not the rig's (live minus pending timers, models, buses, probes)", `${flows.idleFirmwareUsage} blocks`);
  if (flows.printerFaults) row("PRINTER FAULT screens answered with ENTER (reprint)", `${flows.printerFaults} (loop slower than the driver's 500 ms status timeout)`);
  for (const f of flows.flows) {
    row(`${f.name}: peak above idle`, `${f.firmwarePeakAboveIdle} blocks the firmware's (${f.peakAboveIdle} with the rig's timers and models), ${f.peakWhere}${f.ok ? "" : " (flow did not complete: " + f.detail + ")"}`);
    row(`${f.name}: firmware CPU / wall`, `${(f.firmwareSeconds * 1000).toFixed(0)} ms / ${f.wallSeconds.toFixed(1)} s, longest tick ${f.longestTickMs.toFixed(0)} ms`);
  }
}

function printRetained(r: RetainedFigures): void {
  row(`usage at idle after sale ${r.warm} / after sale ${r.sales}`, `${r.start} / ${r.end} blocks`);
  row(`retained after ${r.sales} sales (from sale ${r.warm} on)`, `${r.end - r.start} blocks (${r.perSale.toFixed(2)} per sale)`);
  const first = r.series[0];
  const last = r.series[r.series.length - 1];
  if (first && last) {
    row("of which the device models' (E.getSizeOf)", `${last[2] - first[2]} blocks (${first[2]} -> ${last[2]})`);
    row("retained by the firmware per sale", `${r.firmwarePerSale.toFixed(2)} blocks`);
  }
  row("settlements / printer fault screens / sales started again", `${r.settlements} / ${r.printerRecoveries} / ${r.uiRetries}`);
  row("time taken", `${r.minutes.toFixed(1)} min (${r.sales ? ((r.minutes * 60) / r.sales).toFixed(1) : "?"} s per sale: ${r.ticksPerSale.toFixed(0)} firmware ticks of ${r.msPerTick.toFixed(0)} ms)`);
  if (r.stoppedEarly) row("stopped early", r.stoppedEarly);
  for (const why of r.retryReasons.slice(0, 5)) console.log("    started again: " + why);
}

export async function runInterpreterBench(bin: string, large: string | null, sales: number): Promise<InterpreterReport> {
  const boot = await measureBoot(bin);
  printBoot(boot);
  const fits = boot.modelsAndFirmware !== null;
  let bootLarge: BootFigures | null = null;
  let run: string | null = bin;
  if (!fits) {
    console.log(`  the firmware does not boot in ${boot.totalBlocks} blocks.`);
    if (large) {
      console.log("  figures that need a running terminal: from ESPRUINO_BIN_LARGE");
      bootLarge = await measureBoot(large);
      printBoot(bootLarge);
      run = bootLarge.modelsAndFirmware !== null ? large : null;
    } else {
      console.log("  set ESPRUINO_BIN_LARGE to the same interpreter built with more blocks to measure the rest.");
      run = null;
    }
  }
  const functionCost = await measureFunctionCost(bin).catch(() => null);
  if (functionCost) {
    const f = functionCost;
    row(`RAM per method (${f.methods} methods, 2 params, ${f.bodyChars}-char bodies)`, `${(f.fromFlash / f.methods).toFixed(1)} blocks with the code in flash, ${(f.fromRam / f.methods).toFixed(1)} from RAM`);
  }
  const modules = await measureModules(bin).catch(() => null);
  if (modules) printModules(modules);
  const modulesLarge = !fits && large ? await measureModules(large).catch(() => null) : null;
  if (modulesLarge) printModules(modulesLarge);

  const noRun = { notMeasurable: `the firmware does not boot in ${boot.totalBlocks} blocks (and no larger interpreter that boots it: ESPRUINO_BIN_LARGE)` };

  console.log(run ? `\n  flows (${run}; host simulator on loopback; printer model at 1000 mm/s):` : "");
  const flows = run ? await attempt("flows", () => measureFlows(run!, log)) : noRun;
  if (!("notMeasurable" in flows)) printFlows(flows);
  else if (run) row("flows", "not measurable: " + flows.notMeasurable);

  let retained: RetainedFigures | { notMeasurable: string } = { notMeasurable: "BENCH_SALES=0" };
  if (run && sales > 0) {
    console.log(`\n  retained: ${sales} sales in a loop (no probes; usage collected at the idle screen):`);
    retained = await attempt("retained", () => measureRetained(run!, sales, log));
    if (!("notMeasurable" in retained)) printRetained(retained);
  } else if (!run) retained = noRun;

  console.log("\n  drivers alone (bench entry of the driver code; the firmware bundle does not expose its instances):");
  const drivers = await attempt("drivers", () => measureDrivers(bin));
  if (!("notMeasurable" in drivers)) {
    console.log(`    (${drivers.bin}; entry ${drivers.entryUsage} blocks; baseline call needs ${drivers.baselineNeeds} free blocks, ${drivers.baselineUs.toFixed(0)} us)`);
    for (const d of drivers.figures) {
      row(`${d.name}`, `${d.usPerCall.toFixed(0)} us, ${d.retained} retained over ${d.loops}, transient ${d.transient < 0 ? "?" : d.transient} blocks`);
    }
  }

  console.log("\n  time per sale in the terminal (bench entry: the firmware's codec, MAC, stores, receipt layout):");
  // counted on the larger build when there is one: the count wants room for a flat copy of the code
  let txn = await attempt("time per sale", () => measureTxn(bin, large || bin));
  if ("notMeasurable" in txn && large && large !== bin) {
    console.log("    (does not fit " + bin + "; on ESPRUINO_BIN_LARGE)");
    txn = await attempt("time per sale", () => measureTxn(large));
  }
  if (!("notMeasurable" in txn)) {
    const u = txn.us;
    row("PIN block (3DES) + pack 0200 + MAC", `${(u.pack / 1000).toFixed(1)} ms`);
    row("unpack 0210 + MAC check", `${(u.unpack / 1000).toFixed(1)} ms`);
    row("flash: STAN, stored 0400, journal entry, reversal cleared", `${(u.journal / 1000).toFixed(1)} ms`);
    row("receipt layout, one copy", `${(u.receipt / 1000).toFixed(1)} ms`);
    row("  the same with Chinese labels", `${(u["receipt-zh"] / 1000).toFixed(1)} ms`);
    row("all of it, one round", `${(u.all / 1000).toFixed(1)} ms (${txn.bin})`);
    if ("instructionsPerSale" in txn.callgrind) printCounts("callgrind", txn.callgrind);
    else row("callgrind", "skipped: " + txn.callgrind.skipped);
    if ("instructionsPerSale" in txn.arm) printCounts("ARM Thumb-2 (qemu-arm)", txn.arm);
    else row("ARM Thumb-2 (qemu-arm)", "skipped: " + txn.arm.skipped);
  }

  // budgets: the firmware on a board = interpreter's own + firmware at boot + peak above idle.
  // Boot from ESPRUINO_BIN (a Pico-sized build: its block size is the board's) when the firmware
  // boots there beside the models, else from its boot on stub buses there (a board has no
  // models), else from ESPRUINO_BIN_LARGE.
  const fwAlone = (b: BootFigures | null): number | null => (b && b.stubsAndFirmware !== null && b.stubs !== null ? b.stubsAndFirmware - b.stubs : null);
  const bootSrc: { b: BootFigures; fw: number; how: string } | null =
    boot.firmware !== null
      ? { b: boot, fw: boot.firmware, how: "beside the models" }
      : fwAlone(boot) !== null
        ? { b: boot, fw: fwAlone(boot)!, how: "on stub buses (the models do not fit beside it)" }
        : bootLarge && bootLarge.firmware !== null
          ? { b: bootLarge, fw: bootLarge.firmware, how: "on ESPRUINO_BIN_LARGE" }
          : null;
  // only flows that completed count (a flow stuck on a fault screen is not a flow's peak)
  const done = !("notMeasurable" in flows) ? flows.flows.filter((f) => f.ok) : [];
  // the firmware's own peak: a board runs no rig (its pending tap timers, device models, probes)
  const rawPeak = done.length ? Math.max(...done.map((f) => f.firmwarePeakAboveIdle)) : null;
  // flows run on the interpreter the firmware boots in with the models (the large one): scale
  // their peak by the two builds' boot figures (their blocks hold 15 vs 13 bytes)
  const largeFw = fwAlone(bootLarge);
  const scale = bootSrc && bootSrc.b === boot && bootLarge && largeFw ? bootSrc.fw / largeFw : 1;
  const peak = rawPeak === null ? null : Math.ceil(rawPeak * scale);
  if (!("notMeasurable" in flows) && done.length < flows.flows.length) console.log(`\n  note: ${flows.flows.length - done.length} flow(s) did not complete; their peaks are left out of the budget`);
  const firmwareAtBoot = bootSrc ? bootSrc.b.empty + bootSrc.fw : null;
  const firmwareAtPeak = firmwareAtBoot !== null && peak !== null ? firmwareAtBoot + peak : null;
  console.log("\n  board budgets (boot + peak of any flow must leave 40% free):");
  if (bootSrc) console.log(`    boot: ${bootSrc.fw} blocks ${bootSrc.how} on ${bootSrc.b.bin} (${bootSrc.b.blockBytes}-byte blocks) + ${bootSrc.b.empty} the interpreter's own`);
  if (rawPeak !== null) console.log(`    heaviest flow: ${rawPeak} blocks above idle${scale !== 1 ? ` on ESPRUINO_BIN_LARGE, x${scale.toFixed(3)} for ${bootSrc!.b.blockBytes}-byte blocks = ${peak}` : ""}`);
  if (firmwareAtPeak !== null) console.log(`    firmware needs ${firmwareAtPeak} blocks at its peak (${firmwareAtBoot} at boot + ${peak} in the heaviest flow)`);
  else if (firmwareAtBoot !== null) console.log(`    firmware needs ${firmwareAtBoot} blocks at boot (peak not measured)`);
  const budgets: BudgetRow[] = BOARDS.map(([board, blocks]) => {
    const allowed = Math.floor(blocks * (1 - FREE_SHARE));
    const needs = firmwareAtPeak !== null ? firmwareAtPeak : firmwareAtBoot;
    let verdict: BudgetRow["verdict"] = "not measurable";
    if (needs !== null) verdict = needs <= allowed && firmwareAtPeak !== null ? "PASS" : needs > allowed ? "FAIL" : "not measurable";
    else if (!fits && blocks <= boot.totalBlocks) verdict = "FAIL"; // does not even boot in this many
    return { board, blocks, needs, allowed, verdict };
  });
  for (const b of budgets) row(`${b.board} (${b.blocks} blocks, 60% = ${b.allowed})`, b.verdict + (b.needs !== null ? ` (needs ${b.needs})` : ""));
  return { boot, bootLarge, modules, functionCost, modulesLarge, flows, retained, drivers, txn, budgets, firmwareAtPeak };
}
