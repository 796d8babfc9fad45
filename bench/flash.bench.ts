/**
 * Flash budget of the transaction core: bytes programmed per sale, per reversal and per
 * settlement on the emulated Espruino Storage, with the production log sizes. Figures only
 * (no assertions): `npx tsx bench/flash.bench.ts`.
 *
 * "programmed" counts every byte handed to flash programming (records with their 0xFF padding,
 * log file headers, Espruino's 32-byte file headers, erase marks, log compaction copies).
 * "trash" is flash left behind as deleted files (a log file per log compaction); it comes back
 * only when Storage is compacted (TxnStores.compactIfIdle), so it sets how many sales fit
 * between two Storage compactions.
 */
import { FlashStorage } from "../hil/virtual/flash-storage";
import { TxnStores, storesFootprint } from "../firmware/txn/store/txn-stores";
import { J_REVERSAL_PENDING } from "../firmware/txn/store/journal";
import { REASON_NO_REPLY } from "../firmware/txn/store/reversal-queue";
import { SETTLE_CLOSING, SETTLE_STARTED } from "../firmware/txn/store/counters";
import { entry, frame, picoStorage, runSales, slip } from "./store-sales";

const STORAGE = 256 * 1024; // Espruino for Linux's Storage
const flash = new FlashStorage({ bytes: STORAGE });
const s = new TxnStores(flash);
let t0 = performance.now();
s.open();
const firstBoot = performance.now() - t0;
const created = flash.bytesProgrammed;

const rows: [string, number][] = [];
let mark = flash.bytesProgrammed;
const step = (label: string) => {
  rows.push([label, flash.bytesProgrammed - mark]);
  mark = flash.bytesProgrammed;
};

// ---- one sale, step by step (no log compaction inside)
let stan = s.begin();
step("sale: STAN persisted (counters record)");
const f = frame(stan, 1234);
s.reversals.persist(f, f.length, 13, slip(stan, 1234));
step(`sale: 0400 stored before sending (${f.length}-byte frame)`);
s.journal.add(entry(stan, 1234, 1));
step("sale: journal entry");
s.reversals.clear();
step("sale: reversal cleared");
const saleBytes = rows.reduce((n, r) => n + r[1], 0);

// ---- one reversal (no reply: reason 98, one try, acknowledged)
stan = s.begin();
s.reversals.persist(f, f.length, 13, slip(stan, 500));
mark = flash.bytesProgrammed;
s.reversals.setReason(REASON_NO_REPLY);
step("reversal: reason 98 (unchanged default: nothing written)");
s.complete(entry(stan, 500, J_REVERSAL_PENDING));
step("reversal: journal entry 'reversal pending' (06 case only)");
s.reversalAttempt();
step("reversal: try counted + trace counter advanced");
s.reversalAck(0x3030);
step("reversal: journal REVERSED + reversal deleted");
const revBytes = rows.slice(4).reduce((n, r) => n + r[1], 0);

// ---- steady state: 1000 sales with log compactions, Storage compacted when idle
const N = 1000;
t0 = performance.now();
const steady = runSales(flash, s, N);
const loopMs = performance.now() - t0;
const steadyPerSale = steady.bytesProgrammed / N;
const { trashMade, storageCompactions, settlements, logCompactions } = steady;

// ---- settlement alone
mark = flash.bytesProgrammed;
s.counters.setSettleStep(SETTLE_STARTED, 0);
s.counters.setSettleStep(SETTLE_CLOSING, 0);
s.finishSettlement();
const settleBytes = flash.bytesProgrammed - mark;

// ---- boot recovery time with a full-ish journal
t0 = performance.now();
const again = new TxnStores(flash);
again.open();
const bootMs = performance.now() - t0;

const pad = (x: string, n: number) => x.padEnd(n);
console.log("Flash budget (emulated Espruino Storage, production log sizes)");
console.log("");
for (const [label, n] of rows) console.log("  " + pad(label, 58) + String(n).padStart(6) + " B");
console.log("");
console.log("  " + pad("per sale (approved, one online request)", 58) + String(saleBytes).padStart(6) + " B");
console.log("  " + pad("per reversal (stored, 1 try, acknowledged; 06 case)", 58) + String(revBytes).padStart(6) + " B");
console.log("  " + pad("per settlement (2 steps, batch close, batch advance)", 58) + String(settleBytes).padStart(6) + " B");
console.log("  " + pad(`per sale, steady state over ${N} sales (with log compactions)`, 58) + steadyPerSale.toFixed(0).padStart(6) + " B");
console.log("  " + pad("Storage trash per sale (old log files until compaction)", 58) + (trashMade / N).toFixed(0).padStart(6) + " B");
console.log("");
console.log(`  log files created at first boot: ${created} B programmed; all logs, both files: ${storesFootprint(s)} B of ${STORAGE}`);
console.log(`  over ${N} sales: ${logCompactions} log compactions, ${storageCompactions} Storage compactions (at idle), ${settlements} settlements (journal of ${s.journal.capacity})`);
console.log(`  sales between Storage compactions with ${STORAGE / 1024} KiB: about ${Math.floor((STORAGE - storesFootprint(s)) / Math.max(1, trashMade / N))}`);
// ---- the same on a Pico: 48 KB of Storage in 16 KB pages, the firmware as an image outside it
const pico = picoStorage();
const ps = new TxnStores(pico);
ps.open();
const picoRun = runSales(pico, ps, N);
console.log(`  on a Pico's 48 KiB Storage (16 KiB pages, pos.cfg + .bootcde beside the logs): ${N} sales, ${picoRun.storageCompactions} Storage compactions, i.e. one per ${Math.round(N / Math.max(1, picoRun.storageCompactions))} sales; none refused for lack of flash`);
console.log(`  Node: first boot ${firstBoot.toFixed(1)} ms, reboot recovery ${bootMs.toFixed(1)} ms, ${((loopMs * 1000) / N).toFixed(0)} us per sale`);

/** The figures above, for bench/run.ts (importing this module runs the bench and prints them). */
export const flashFigures = {
  perSale: saleBytes,
  perReversal: revBytes,
  perSettlement: settleBytes,
  perSaleSteady: Math.round(steadyPerSale),
  trashPerSale: Math.round(trashMade / N),
  picoSalesPerStorageCompaction: Math.round(N / Math.max(1, picoRun.storageCompactions)),
};
