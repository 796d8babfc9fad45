/**
 * Sales as the transaction core writes them to Storage, without the rest of the terminal: for
 * the flash bench (bench/flash.bench.ts) and the test that the logs live in a Pico's Storage
 * (test/tools/flash-image.test.ts). Each sale: STAN, 0400 stored before sending, journal entry,
 * reversal cleared; a settlement when the journal is full; Storage compacted at idle as the
 * terminal does (TxnStores.compactIfIdle).
 */
import { FlashStorage } from "../hil/virtual/flash-storage";
import { TxnStores } from "../firmware/txn/store/txn-stores";
import { BatchTotals, JournalEntry, journalTotals, TXN_SALE } from "../firmware/txn/store/journal";
import { build0400, entryFor, slipFor } from "../test/store/helpers";
import { SETTLE_CLOSING, SETTLE_STARTED } from "../firmware/txn/store/counters";
import { BOARD_FLASH, imageBootCode } from "../tools/flash-image";

/** A typical 0400 as the reversal queue stores it (no field 2: the queue never holds the PAN). */
export function frame(stan: number, amount: number): Uint8Array {
  return build0400({ stan, amount });
}

export { slipFor as slip } from "../test/store/helpers";

/** An approved sale's journal entry. */
export function entry(stan: number, amount: number, status: number): JournalEntry {
  return entryFor(stan, amount, TXN_SALE, status);
}

/**
 * A Pico's Storage as it is after `npm run flash` (image layout): 48 KB in 16 KB pages holding a
 * pos.cfg and the image's .bootcde; the logs are created by the caller.
 */
export function picoStorage(): FlashStorage {
  const f = new FlashStorage({ bytes: BOARD_FLASH.pico.storageBytes, pageSize: 16 * 1024 });
  f.write("pos.cfg", JSON.stringify({ tid: "12345678", mid: "123456789012345", merchantName: "A SHOP WITH A LONG NAME", hostIp: "192.168.100.200", hostPort: 5000, tmk: "0123456789ABCDEFFEDCBA9876543210" }));
  f.write(".bootcde", imageBootCode(BOARD_FLASH.pico.freeArea!, new Uint8Array(90000)));
  return f;
}

export interface SalesRun {
  bytesProgrammed: number;
  trashMade: number;
  storageCompactions: number;
  settlements: number;
  logCompactions: number;
}

/** n approved sales on open stores; throws if one is refused for lack of flash even after compacting Storage. */
export function runSales(flash: FlashStorage, s: TxnStores, n: number): SalesRun {
  const start = flash.bytesProgrammed;
  const logs = () => s.counters.log.compactions + s.journal.log.compactions + s.reversals.log.compactions;
  const logs0 = logs();
  const r: SalesRun = { bytesProgrammed: 0, trashMade: 0, storageCompactions: 0, settlements: 0, logCompactions: 0 };
  for (let i = 0; i < n; i++) {
    if (s.journal.nextKey >= s.journal.capacity) {
      s.counters.setSettleStep(SETTLE_STARTED, 0);
      journalTotals(s.journal, new BatchTotals());
      s.counters.setSettleStep(SETTLE_CLOSING, 0);
      s.finishSettlement();
      r.settlements++;
    }
    const tr = flash.getStats().trashBytes;
    let st = s.begin();
    if (!st && s.compactIfIdle()) {
      r.storageCompactions++;
      st = s.begin();
    }
    const fr = frame(st, 100 + i);
    if (!st || !s.reversals.persist(fr, fr.length, 13, slipFor(st, 100 + i))) {
      if (!s.compactIfIdle()) throw new Error(`sale ${i}: refused for lack of flash (${JSON.stringify(flash.getStats())})`);
      r.storageCompactions++;
      i--;
      continue;
    }
    s.complete(entry(st, 100 + i, 1));
    r.trashMade += Math.max(0, flash.getStats().trashBytes - tr);
    // the idle screen after the sale: the terminal compacts Storage there when it is low
    if (s.compactIfIdle()) r.storageCompactions++;
  }
  r.bytesProgrammed = flash.bytesProgrammed - start;
  r.logCompactions = logs() - logs0;
  return r;
}
