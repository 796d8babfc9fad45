/**
 * Receipts waiting for the printer, in order. The printer driver holds one job at a time (a
 * 1 KB buffer: one copy per job), so a sale queues two entries (merchant, cardholder) and
 * Q_PUMP starts the next when the printer is idle. Each entry points at a record slot of the
 * pool (receipt-data.ts), so a queued copy keeps its data while the next transaction runs. The
 * entries live in Terminal.b (B_Q_*), the counters in Terminal.v (V_Q_*).
 *
 * Paper out (or a printer that does not answer): the driver keeps the failed job and reports
 * EV_PRINT_FAILED; the entry stays at the head, failed. Q_RETRY (operator pressed ENTER after
 * loading paper) drops the kept job and builds the copy again marked REPRINT (the printer may
 * already have printed part of the first attempt); Q_SKIP gives the copy up. The transaction
 * itself is already safe on flash: printing never touches it.
 */
import type { Terminal } from "../app/terminal";
import { PRN_ERR_OVERFLOW, PRN_IDLE } from "../drivers/escpos-codes";
import { V_Q_HEAD, V_Q_COUNT, V_Q_ACTIVE, V_Q_FAILED, V_Q_ERROR, V_Q_DROPPED, B_Q_KIND, B_Q_SLOT, B_Q_REPRINT, Q_CAPACITY } from "./ui-model";
import { fillRecord, FROM_SLOT, SLOT_POOL, POOL_SIZE } from "./receipt-data";
import { printJob } from "./receipt";

export { JOB_MERCHANT, JOB_CARDHOLDER, JOB_SETTLEMENT, JOB_REVERSAL_SLIP, JOB_DECLINED } from "./receipt";

// queue operations
export const Q_CLAIM = 0; // a pool slot no queued entry uses, or -1 (dropped)
export const Q_ADD = 1; // queue job `a` over slot `b`, `c` 1 = marked REPRINT; true when queued
export const Q_COPY = 2; // copy record `b` into a free slot and queue job `a` over it; the slot, -1 dropped
export const Q_PUMP = 3; // start the head entry when the printer is free (builds the job: allocates)
export const Q_DONE = 4; // EV_PRINT_DONE of job id `a`
export const Q_FAILED = 5; // EV_PRINT_FAILED of job id `a`, reason `b`; true when the operator has to act
export const Q_RETRY = 6; // paper loaded: print the failed copy again, marked REPRINT
export const Q_SKIP = 7; // give the failed copy up

/** One queue operation (Q_*); see each for what it returns. @hot */
export function queue(t: Terminal, op: number, a: number, b: number, c: number): number {
  const v = t.v;
  const q = t.b;
  const head = v[V_Q_HEAD];
  const count = v[V_Q_COUNT];
  if (op === Q_CLAIM || op === Q_COPY) {
    let slot = -1;
    for (let s = SLOT_POOL; s < SLOT_POOL + POOL_SIZE && slot < 0; s++) {
      let used = false;
      for (let k = 0; k < count; k++) if (q[B_Q_SLOT + ((head + k) % Q_CAPACITY)] === s) used = true;
      if (!used) slot = s;
    }
    if (slot < 0) {
      v[V_Q_DROPPED]++;
      return -1;
    }
    if (op === Q_CLAIM) return slot;
    fillRecord(t, slot, FROM_SLOT, null, b);
    return queue(t, Q_ADD, a, slot, c) ? slot : -1;
  }
  if (op === Q_ADD) {
    if (b < 0 || count === Q_CAPACITY) {
      v[V_Q_DROPPED]++;
      return 0;
    }
    const i = (head + count) % Q_CAPACITY;
    q[B_Q_KIND + i] = a;
    q[B_Q_SLOT + i] = b;
    q[B_Q_REPRINT + i] = c;
    v[V_Q_COUNT] = count + 1;
    return 1;
  }
  if (op === Q_PUMP) {
    if (count === 0 || v[V_Q_ACTIVE] !== 0 || v[V_Q_FAILED] || t.printer.state() !== PRN_IDLE) return 0;
    const id = printJob(t, q[B_Q_KIND + head], q[B_Q_SLOT + head], q[B_Q_REPRINT + head] === 1);
    v[V_Q_ACTIVE] = id;
    return id !== 0 ? 1 : 0;
  }
  if (op === Q_DONE || op === Q_FAILED) {
    if (a !== v[V_Q_ACTIVE] || count === 0) return 0;
    v[V_Q_ACTIVE] = 0;
    // a layout that overflowed the printer's buffer printed nothing and keeps nothing: not the
    // operator's to fix, the entry goes
    if (op === Q_FAILED) v[V_Q_ERROR] = b;
    if (op === Q_FAILED && b !== PRN_ERR_OVERFLOW) {
      v[V_Q_FAILED] = 1;
      return 1;
    }
  } else if (op === Q_RETRY || op === Q_SKIP) {
    if (!v[V_Q_FAILED]) return 0;
    t.printer.discard();
    v[V_Q_FAILED] = 0;
    if (op === Q_RETRY) {
      q[B_Q_REPRINT + head] = 1;
      return 0;
    }
  }
  // the head entry is done with
  v[V_Q_HEAD] = (head + 1) % Q_CAPACITY;
  v[V_Q_COUNT] = count - 1;
  return 0;
}
