/**
 * Terminal-side time of a sale on the interpreter, piece by piece (entries/txn-entry.ts: pack +
 * MAC, unpack + MAC check, the flash writes, the merchant copy's layout), and the interpreter's
 * instruction count for a whole sale's work under `valgrind --tool=callgrind` when valgrind is
 * installed (two runs, N rounds and 0 rounds: the difference over N).
 *
 * The count runs the entry as a board runs the firmware: pretokenised (tools/pretokenise.ts),
 * read from a flat copy in RAM, as a board reads its memory-mapped flash. That matters: the
 * lexer then makes each long string literal (DES's SPBOX, the printer's table, the catalogue) a
 * reference a typed-array view reads at any index at once; from plain source it builds a chain
 * of blocks that a view walks from the start on every read (a DES block 6.2 M instructions
 * instead of 3.6 M). An interpreter without room for the flat copy counts the entry in Storage,
 * read through Linux's emulated flash file, and says so.
 */
import { spawn, spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildEntry } from "./entries/build";
import { pretokenise } from "../../tools/pretokenise";
import { bootCodeFor, installStorage, newWorkDir, startInterpreter } from "./interpreter";
import { record, START_MS, type Step } from "../../test/engine/espruino/session";
import { MAG_DEBIT, track2Of } from "../../hil/models/test-cards";
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID, DEFAULT_TEST_TMK } from "../../hil/host/terminals";

export interface TxnTimes {
  bin: string;
  /** Microseconds per round of each piece, and of all of them together. */
  us: Record<string, number>;
  rounds: number;
  callgrind: InstructionCounts | { skipped: string };
  /**
   * The same counts in ARM Thumb-2 instructions (a 32-bit soft-float `-Os` ARM build of Espruino
   * for Linux run under qemu-arm with an instruction-counting plugin: ESPRUINO_ARM_COUNT), the
   * instruction set a Pico runs, its software doubles included.
   */
  arm: InstructionCounts | { skipped: string };
}

/** Instructions of the sale's pieces counted on one interpreter, and the Pico estimate from them. */
export interface InstructionCounts {
  /** A whole sale through the engine (`engineSale`) plus one slip's layout. */
  instructionsPerSale: number;
  /** A whole sale through TxnEngine, PIN Enter to result: what the terminal adds around the host round trip. */
  engineSale: number;
  /** What the terminal does after the swipe, before it shows the PIN prompt (prepareSale: the request packed but for its PIN block and MAC, its 0400 stored, its MAC's blocks folded, the host connection opened and come up); not in engineSale. */
  atPinPrompt: number;
  /** The PIN block and the request's MAC, made as the sixth digit is typed (makePinBlock), before Enter; not in engineSale. */
  beforeEnter: number;
  /** The pieces alone (pack includes the PIN block; journal = the flash writes); "receipt-zh" beside "receipt". */
  perPiece: Record<string, number>;
  rounds: number;
  pico: PicoEstimate;
  bin: string;
  codeFrom: string;
  /**
   * DES and unpack's field walk ran as the Thumb-2 machine code the Pico and WiFi firmware use
   * (firmware/txn/native/thumb.c), on an ARM interpreter that can run code in its memory
   * (ESPRUINO_ARM_THUMB=1); then `interpreted` has the sale's figures with everything
   * interpreted, as a board without E.nativeCall runs it.
   */
  thumbCode: boolean;
  interpreted?: { afterEnter: number; atPinPrompt: number; beforeEnter: number };
}

/**
 * The time on an Espruino Pico, estimated from instruction counts: the same interpreter runs a
 * loop whose time on a Pico was measured (Espruino forum, 2017: the Leibniz series for pi,
 * 1,000,000 iterations in 458 s on a Pico, code uploaded to RAM), so its instructions per
 * iteration give the Pico's rate in this build's instructions. Counted on x86 (callgrind) the
 * loop's doubles are one instruction each where a Pico calls software; counted in ARM Thumb-2
 * instructions (ESPRUINO_ARM_COUNT: a soft-float build, as a Pico runs) they are what a Pico
 * runs, and the rate it gives (~48 M a second, 1.76 cycles an instruction at 84 MHz) is a
 * Cortex-M4's with flash wait states. `floorMs`: at one instruction a cycle, the least a Pico
 * could take (ARM counts only).
 */
export interface PicoEstimate {
  loopInstructionsPerIteration: number;
  /** This build's instructions a Pico runs per second. */
  instructionsPerSecond: number;
  msPerRound: number;
  /** ARM counts: the sale at one instruction per cycle of the Pico's 84 MHz (the fastest it could go). */
  floorMs?: number;
}

/** An Espruino Pico's clock (STM32F401CD). */
export const PICO_HZ = 84e6;

export const PICO_LOOP_US_PER_ITERATION = 458;
const LOOP_ITERATIONS = 20000;

function calibrationLoop(n: number): string {
  return `var x=1,pi=1;for(var i=2;i<${n}+2;i++){x=x*-1;pi=pi+(x/(2*i-1));}pi=pi*4;\n`;
}

const PIECES = ["pack", "unpack", "journal", "receipt", "receipt-zh", "all"];
/** The pieces a sale is made of ("all" runs them together). */
const SALE_PIECES = PIECES.filter((p) => p !== "all" && p !== "receipt-zh");
const ROUNDS = 20;

/** `countBin`: the interpreter callgrind counts on (one with room for the flat copy; default `bin`). */
export async function measureTxn(bin: string, countBin?: string): Promise<TxnTimes> {
  const code = await buildEntry("bench/espruino/entries/txn-entry.ts");
  const us: Record<string, number> = {};
  const dir = newWorkDir("espruino-txn-");
  try {
    await installStorage(bin, dir, [{ name: "txn.js", data: code }], bootCodeFor(["txn.js"]));
    const t = await startInterpreter(bin, dir);
    try {
      const m = (await t.eval("process.memory()")) as { free: number; total: number };
      // the pieces need a few hundred blocks of working memory (message buffers are preallocated)
      if (m.free < 600) throw new Error(`the entry leaves ${m.free} of ${m.total} blocks free: too few to run it`);
      for (const p of PIECES) {
        const v = await t.session.eval(`X(${JSON.stringify(p)},${ROUNDS})`, 120000);
        if (typeof v !== "number") throw new Error(`txn entry: ${p}: ${String(v)}`);
        us[p] = v;
      }
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const callgrind = hasValgrind() ? await countInstructions(countBin || bin, code, runCallgrind) : { skipped: "valgrind is not installed" };
  const armCount = process.env.ESPRUINO_ARM_COUNT;
  const arm =
    armCount && armCount.trim() !== ""
      ? await countInstructions(armCount, code, runCounter, countBin || bin, process.env.ESPRUINO_ARM_THUMB === "1")
      : { skipped: "set ESPRUINO_ARM_COUNT to count ARM Thumb-2 instructions (bench/espruino/README.md)" };
  return { bin, us, rounds: ROUNDS, callgrind, arm };
}

function hasValgrind(): boolean {
  return spawnSync("valgrind", ["--version"], { encoding: "utf8" }).status === 0;
}

/** Runs `bin file` in `dir` under an instruction counter; resolves with the instructions. */
type Counter = (bin: string, dir: string, file: string) => Promise<number>;

/** Total instructions (Ir) of `bin cg.js` in `dir` under callgrind. */
function runCallgrind(bin: string, dir: string, file: string): Promise<number> {
  const out = join(dir, "cg.out");
  return runCounted("callgrind", "valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, bin, file], dir).finally(() => rmSync(out, { force: true }));
}

/**
 * ESPRUINO_ARM_COUNT: a command taking the interpreter's arguments that runs an ARM build of
 * Espruino for Linux under an instruction counter and prints `Collected : N` (callgrind's words)
 * when it exits; it also serves as that interpreter for the Storage install.
 */
function runCounter(cmd: string, dir: string, file: string): Promise<number> {
  return runCounted(cmd, cmd, [file], dir);
}

/** Spawn `exe args` in `dir`; the last `Collected : N` line it prints is the count. */
function runCounted(what: string, exe: string, args: string[], dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(exe, args, { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    let text = "";
    p.stdout.on("data", (d: Buffer) => (text += d.toString("latin1")));
    p.stderr.on("data", (d: Buffer) => (text += d.toString("latin1")));
    p.stdin.on("error", () => undefined);
    const timer = setTimeout(() => p.kill("SIGKILL"), 600000);
    p.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${what}: could not run ${exe}: ${e.message}`));
    });
    p.on("exit", () => {
      clearTimeout(timer);
      const all = text.match(/Collected : (\d+)/g);
      if (/Uncaught/.test(text)) reject(new Error(`${what}: the run failed:\n` + text.slice(-1500)));
      else if (!all) reject(new Error(`${what}: no instruction count in its output:\n` + text.slice(-1500)));
      else resolve(Number(all[all.length - 1].slice("Collected : ".length)));
    });
  });
}

/**
 * Every piece, the whole sale and the calibration loop counted by `run` on `bin`; `installBin`
 * (default `bin`) writes the Storage they run from (an x86 build for the ARM one, which may lack
 * E.openFile: the 32-bit builds' flash files are the same bytes).
 */
async function countInstructions(bin: string, code: string, run: Counter, installBin = bin, thumb = false): Promise<InstructionCounts> {
  // the entries turn the Thumb-2 code on when THUMB is 1 (before they load)
  const before = thumb ? "var THUMB=1;" : "";
  const rounds = 10;
  const tok = pretokenise(code);
  // each piece on its own (the same entry, fresh Storage), all against one run of 0 rounds;
  // the pretokenised entry from a flat copy in RAM when there is room for one, else from Storage
  const counts: Record<string, number> = {};
  let codeFrom = "pretokenised, a flat copy in RAM (as a board's memory-mapped flash)";
  for (const flat of [true, false]) {
    for (const piece of [""].concat(SALE_PIECES, ["receipt-zh"])) {
      const dir = newWorkDir("espruino-cg-");
      try {
        await installStorage(installBin, dir, [{ name: "txn.js", data: flat ? tok : code }], null);
        const load = flat
          ? `var c=E.toFlatString(require("Storage").read("txn.js"));if(!c)throw new Error("no room for a flat copy");eval(c);c=undefined;`
          : `eval(require("Storage").read("txn.js"));`;
        writeFileSync(join(dir, "cg.js"), `${before}${load}var r=X(${JSON.stringify(piece || "all")},${piece ? rounds : 0});if(typeof r!=="number")throw new Error(r);\n`);
        counts[piece] = await run(bin, dir, "cg.js");
      } catch (e) {
        if (!flat) throw e;
        codeFrom = "plain, from Storage (Linux reads it through its emulated flash file): no room for a flat copy";
        break;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (codeFrom.startsWith("pretokenised")) break;
  }
  const perPiece: Record<string, number> = {};
  // a sale's slip is English or Chinese: the sum takes the English one, the Chinese is beside it
  perPiece["receipt-zh"] = (counts["receipt-zh"] - counts[""]) / rounds;
  for (const piece of SALE_PIECES) perPiece[piece] = (counts[piece] - counts[""]) / rounds;
  // the pieces leave out what the engine does around them (its state steps, the 0400 image
  // packed, the frame taken from the socket's string, the result): the sale is counted whole
  const sales = await countSales(bin, codeFrom.startsWith("pretokenised"), run, installBin, thumb);
  const interpreted = thumb ? await countSales(bin, codeFrom.startsWith("pretokenised"), run, installBin, false) : undefined;
  const engineSale = sales.afterEnter;
  const instructionsPerSale = engineSale + perPiece.receipt;
  const loop: number[] = [];
  for (const n of [0, LOOP_ITERATIONS]) {
    const dir = newWorkDir("espruino-cg-");
    try {
      writeFileSync(join(dir, "loop.js"), calibrationLoop(n));
      loop.push(await run(bin, dir, "loop.js"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const perIteration = (loop[1] - loop[0]) / LOOP_ITERATIONS;
  const perSecond = perIteration / (PICO_LOOP_US_PER_ITERATION / 1e6);
  return {
    instructionsPerSale,
    engineSale,
    atPinPrompt: sales.atPinPrompt,
    beforeEnter: sales.beforeEnter,
    perPiece,
    rounds,
    pico: {
      loopInstructionsPerIteration: perIteration,
      instructionsPerSecond: perSecond,
      msPerRound: (instructionsPerSale / perSecond) * 1000,
      floorMs: run === runCounter ? (instructionsPerSale / PICO_HZ) * 1000 : undefined,
    },
    bin,
    codeFrom,
    thumbCode: thumb,
    interpreted,
  };
}

/** A binary string as an ES5 literal Espruino reads byte for byte (\xHH outside printable ASCII). */
function binaryLiteral(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? s[i] : "\\x" + (c < 16 ? "0" : "") + c.toString(16);
  }
  return out + '"';
}

export const SALES_COUNTED = 10;

/**
 * Instructions per whole sale through the firmware's TxnEngine (entries/sale-entry.ts), as the
 * terminal runs it: as the sixth PIN digit is typed (`beforeEnter`) the PIN block and the
 * request's MAC; before the PIN prompt (`atPinPrompt`) the request packed but for its PIN
 * block and MAC, its 0400 stored, its MAC's blocks folded and the host connection opened; then
 * from the PIN Enter to the result (`afterEnter`): the sale given the block already in its
 * request, every state step,
 * the reply's checks, the journal entry and the reversal cleared. The host's replies are
 * recorded in Node first (the host simulator, the same keys and STANs) and written into the
 * script; the run with 0 sales has the same script, so only the sales differ; a third run makes
 * only the preparations, a fourth the preparations and the PIN blocks.
 */
export async function countSales(bin: string, flat: boolean, run: Counter = runCallgrind, installBin = bin, thumb = false): Promise<{ afterEnter: number; atPinPrompt: number; beforeEnter: number }> {
  const steps: Step[] = [{ cmd: "signIn" }];
  for (let i = 0; i < SALES_COUNTED; i++) steps.push({ cmd: "sale", card: MAG_DEBIT, amount: 100 + i, pin: MAG_DEBIT.pin });
  const replies = record(steps).map((r, i) => {
    if (r.exchanges.length !== 1 || r.exchanges[0].rep === null) throw new Error(`sale bench: step ${i} has no single reply in Node`);
    if (i > 0 && r.result.split(",")[0] !== "1") throw new Error(`sale bench: sale ${i} is not approved in Node: ${r.result}`);
    return binaryLiteral(Buffer.from(r.exchanges[0].rep, "hex").toString("latin1"));
  });
  const code = await buildEntry("bench/espruino/entries/sale-entry.ts");
  const counts: number[] = [];
  for (const [n, what] of [[0, "sale"], [SALES_COUNTED, "sale"], [SALES_COUNTED, "prepare"], [SALES_COUNTED, "pin"]] as [number, string][]) {
    const dir = newWorkDir("espruino-cg-");
    try {
      await installStorage(installBin, dir, [{ name: "sale.js", data: flat ? pretokenise(code) : code }], null);
      const load = flat
        ? `var c=E.toFlatString(require("Storage").read("sale.js"));if(!c)throw new Error("no room for a flat copy");eval(c);c=undefined;`
        : `eval(require("Storage").read("sale.js"));`;
      const args = [START_MS, DEFAULT_TEST_TMK, DEFAULT_TERMINAL_ID, DEFAULT_MERCHANT_ID, MAG_DEBIT.pan, track2Of(MAG_DEBIT), MAG_DEBIT.pin].map((v) => JSON.stringify(v)).join(",");
      writeFileSync(
        join(dir, "cg.js"),
        [
          (thumb ? "var THUMB=1;" : "") + load,
          `var RP=[${replies.join(",")}];`,
          `if(!S("init",${args})||!S("signIn",0,RP[0]))throw new Error("sign-in");var a0=S("approved");`,
          what === "sale"
            ? `for(var i=0;i<${n};i++)if(!S("sale",100+i,RP[i+1]))throw new Error("sale "+i+" not started");`
            : `for(var i=0;i<${n};i++)if(!S(${JSON.stringify(what)},100+i))throw new Error("sale "+i+" not prepared");`,
          `if(S("approved")-a0!==${what === "sale" ? n : 0})throw new Error("approved "+(S("approved")-a0)+" of ${n}");`,
        ].join("\n") + "\n"
      );
      counts.push(await run(bin, dir, "cg.js"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const atPinPrompt = (counts[2] - counts[0]) / SALES_COUNTED;
  const beforeEnter = (counts[3] - counts[2]) / SALES_COUNTED;
  return { afterEnter: (counts[1] - counts[0]) / SALES_COUNTED - atPinPrompt - beforeEnter, atPinPrompt, beforeEnter };
}
