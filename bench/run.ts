/**
 * npm run bench: every budget figure of the firmware, printed and written to bench/report.json.
 *
 * Without the interpreter (CI): bundle size (minified, gzipped), the hot-path guard's coverage,
 * flash bytes per sale / reversal / settlement (bench/flash.bench.ts), the ISO 8583 codec bench.
 * With ESPRUINO_BIN (an Espruino for Linux binary; a 32-bit 5100-block build stands for a Pico):
 * boot blocks with the bundles booted from Storage/flash, which modules hold them, peak blocks
 * and firmware CPU time in a sale / reversal / settlement, retained blocks over BENCH_SALES
 * sales (default 1000; 0 skips), transient blocks and time per keypad scan tick, card byte and
 * printer chunk, time per sale piece by piece (and callgrind's instruction count), and a
 * PASS/FAIL per board budget. When the firmware does not boot in ESPRUINO_BIN's blocks,
 * ESPRUINO_BIN_LARGE (the same interpreter built with more blocks) is used for the figures that
 * need a running terminal, and the output says so.
 *
 * Only the terminal flows on the interpreter, quickly (no build, no other figures):
 *   ESPRUINO_BIN_LARGE=/path/to/espruino-big BENCH_SALES=50 npx tsx bench/run.ts --only=retained
 *   --only=flows (peaks and CPU per flow), --only=retained (the retained loop), or both with a
 * comma. It runs on ESPRUINO_BIN_LARGE (else ESPRUINO_BIN), which must boot the firmware, and
 * replaces only those figures in bench/report.json.
 */
import { readFileSync, writeFileSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse } from "acorn";
import { espruinoBin } from "./espruino/interpreter";
import { hoistingHazards, trailingBareReturns } from "../hil/inside/espruino-fixes.js";
import { runFlowsOnly, runInterpreterBench, type FlowPart, type InterpreterReport } from "./espruino/report";
import { BOARD_FLASH, FlashPlanError, LOG_STORAGE_BYTES, planFlash } from "../tools/flash-image";
import { pretokenise } from "../tools/pretokenise";

const report: Record<string, unknown> = { date: new Date().toISOString() };

function heading(s: string): void {
  console.log("\n== " + s);
}

function row(label: string, value: string): void {
  console.log("  " + label.padEnd(58) + " " + value);
}

function bundleFigures(path: string) {
  const code = readFileSync(path, "utf8");
  const ast = parse(code, { ecmaVersion: "latest" }) as unknown as { body: unknown[] };
  let functions = 0;
  let params = 0;
  const walk = (n: unknown): void => {
    if (!n || typeof n !== "object") return;
    const node = n as { type?: string; params?: unknown[] };
    if (node.type === "FunctionDeclaration" || node.type === "FunctionExpression") {
      functions++;
      params += (node.params || []).length;
    }
    for (const v of Object.values(n as object)) {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") walk(v);
    }
  };
  walk(ast);
  return {
    bytes: Buffer.byteLength(code),
    gzipped: gzipSync(code).length,
    functions,
    params,
    hoistingHazards: hoistingHazards(code).length,
    trailingReturns: trailingBareReturns(code).length,
  };
}

function firmwareFilesWithHot(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) firmwareFilesWithHot(p, out);
    else if (/\.ts$/.test(e) && /@hot/.test(readFileSync(p, "utf8"))) out.push(p);
  }
  return out;
}

async function hotPathCoverage() {
  if (!existsSync("tools/hot-path-guard.ts")) return { skipped: "tools/hot-path-guard.ts is not in the tree yet" };
  const guard = (await import("../tools/hot-path-guard")) as typeof import("../tools/hot-path-guard");
  const listed = guard.checkHotPaths();
  const all = guard.checkHotPaths(firmwareFilesWithHot("firmware"));
  const listedFiles = guard.listedHotFiles().length;
  return {
    checkedFunctions: listed.functions,
    violations: listed.violations.length,
    violationLines: listed.violations.slice(0, 10).map(guard.formatHotViolation),
    listedFiles,
    markedFunctions: all.functions,
    filesWithHot: firmwareFilesWithHot("firmware").length,
  };
}

/** `--only=flows,retained`: the parts asked for, or null for the whole bench. */
function onlyParts(): FlowPart[] | null {
  const arg = process.argv.slice(2).find((a) => a.startsWith("--only"));
  if (!arg) return null;
  const parts = arg.replace(/^--only=?/, "").split(",").filter((p) => p !== "");
  for (const p of parts) if (p !== "flows" && p !== "retained") throw new Error(`bench: --only takes flows and/or retained, not ${JSON.stringify(p)}`);
  if (parts.length === 0) throw new Error("bench: --only=flows, --only=retained or --only=flows,retained");
  return parts as FlowPart[];
}

function salesAsked(): number {
  return process.env.BENCH_SALES !== undefined ? Number(process.env.BENCH_SALES) : 1000;
}

/** The interpreter flows alone, merged into an existing bench/report.json. */
async function flowsOnly(parts: FlowPart[]): Promise<void> {
  const bin = process.env.ESPRUINO_BIN_LARGE || process.env.ESPRUINO_BIN;
  if (!bin) {
    console.log("skipped: set ESPRUINO_BIN_LARGE (or ESPRUINO_BIN) to an Espruino for Linux binary that boots the firmware");
    return;
  }
  console.log(`Terminal flows on the interpreter (bench/run.ts --only=${parts.join(",")})`);
  const figures = await runFlowsOnly(bin, salesAsked(), parts);
  const old = existsSync("bench/report.json") ? (JSON.parse(readFileSync("bench/report.json", "utf8")) as Record<string, unknown>) : {};
  const interp = (old.interpreter && typeof old.interpreter === "object" ? old.interpreter : {}) as Record<string, unknown>;
  for (const p of parts) interp[p] = figures[p];
  old.interpreter = interp;
  old[parts.join("+") + "Date"] = new Date().toISOString();
  writeFileSync("bench/report.json", JSON.stringify(old, null, 2) + "\n");
  console.log("\nwritten: " + parts.map((p) => "interpreter." + p).join(", ") + " in bench/report.json");
}

async function main(): Promise<void> {
  const only = onlyParts();
  if (only) return flowsOnly(only);
  console.log("Budgets of the terminal firmware (npm run bench)");

  heading("Bundle (dist/, built by npm run build)");
  const fw = bundleFigures("dist/firmware.js");
  const models = existsSync("dist/models.js") ? bundleFigures("dist/models.js") : null;
  row("dist/firmware.js minified", `${fw.bytes} B`);
  row("dist/firmware.js gzipped", `${fw.gzipped} B`);
  row("functions in it (each costs RAM even with its code in flash)", `${fw.functions} (${fw.params} parameters)`);
  row("Espruino hazards in it (hil/inside/espruino-fixes.js)", `${fw.hoistingHazards} var uses before their declaration runs, ${fw.trailingReturns} bare trailing return`);
  if (models) row("dist/models.js (HIL device models) minified / gzipped", `${models.bytes} B / ${models.gzipped} B`);
  report.bundle = { firmware: fw, models };

  heading("Flash placement per board (tools/flash-image.ts, as npm run flash plans it)");
  const stored = pretokenise(readFileSync("dist/firmware.js", "utf8")).length;
  row("stored bundle (pretokenised)", `${stored} B`);
  row("Storage the transaction logs need (both files of every log)", `${LOG_STORAGE_BYTES} B`);
  const placement: Record<string, string> = {};
  for (const board of Object.keys(BOARD_FLASH)) {
    try {
      placement[board] = planFlash(board, stored).note;
    } catch (e) {
      if (!(e instanceof FlashPlanError)) throw e;
      placement[board] = "DOES NOT FIT: " + e.message;
    }
    row(board, placement[board]);
  }
  report.flashPlacement = { storedBytes: stored, logStorageBytes: LOG_STORAGE_BYTES, boards: placement };

  heading("Hot-path guard");
  const hot = await hotPathCoverage();
  if ("skipped" in hot) row("coverage", "not measurable yet: " + hot.skipped);
  else {
    row("@hot functions checked (files in tools/hot-files.json)", `${hot.checkedFunctions} in ${hot.listedFiles} files, ${hot.violations} violations`);
    row("@hot functions marked in firmware/ (all files)", `${hot.markedFunctions} in ${hot.filesWithHot} files`);
    row("coverage: checked / marked", `${((100 * hot.checkedFunctions) / Math.max(1, hot.markedFunctions)).toFixed(0)}%`);
    for (const v of hot.violationLines) console.log("    " + v);
  }
  report.hotPaths = hot;

  heading("Flash bytes written (bench/flash.bench.ts, emulated Espruino Storage)");
  const flash = (await import("./flash.bench")) as { flashFigures?: Record<string, number> };
  report.flash = flash.flashFigures || { skipped: "bench/flash.bench.ts exports no figures" };

  heading("ISO 8583 codec (bench/iso8583.bench.ts, Node)");
  const iso = (await import("./iso8583.bench")) as { runIso8583Bench(): void };
  iso.runIso8583Bench();

  heading("On the real interpreter (ESPRUINO_BIN)");
  const bin = espruinoBin();
  let interp: InterpreterReport | null = null;
  if (!bin) {
    console.log("  skipped: set ESPRUINO_BIN to an Espruino for Linux binary (a 32-bit build with 5100 blocks stands for a Pico)");
    console.log("  to measure boot, peak, retained and transient blocks and the time per sale on the interpreter.");
    report.interpreter = { skipped: "ESPRUINO_BIN not set" };
  } else {
    const large = process.env.ESPRUINO_BIN_LARGE && process.env.ESPRUINO_BIN_LARGE.trim() !== "" ? process.env.ESPRUINO_BIN_LARGE : null;
    interp = await runInterpreterBench(bin, large, salesAsked());
    report.interpreter = interp;
  }

  writeFileSync("bench/report.json", JSON.stringify(report, null, 2) + "\n");
  console.log("\nwritten: bench/report.json");
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
