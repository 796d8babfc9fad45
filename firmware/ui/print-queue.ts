/**
 * Receipts waiting for the printer, in order. The printer driver holds one job at a time (a
 * 1 KB buffer: one copy per job), so a sale queues two entries (merchant, cardholder) and
 * `pump()` starts the next when the printer is idle. Each entry points at a ReceiptData slot
 * of a small pool, so a queued copy keeps its data while the next transaction runs.
 *
 * Paper out (or a printer that does not answer): the driver keeps the failed job and reports
 * EV_PRINT_FAILED; the entry stays at the head with `failed` set. `retry()` (operator pressed
 * ENTER after loading paper) drops the kept job and builds the copy again marked REPRINT (the
 * printer may already have printed part of the first attempt); `skip()` gives the copy up.
 * The transaction itself is already safe on flash: printing never touches it.
 */
import { ReceiptData } from "./receipt-data";
import { ReceiptWriter, COPY_MERCHANT, COPY_CARDHOLDER } from "./receipt";
import { PRN_ERR_OVERFLOW, PRN_IDLE } from "../drivers/escpos-codes";

export const JOB_MERCHANT = 1;
export const JOB_CARDHOLDER = 2;
export const JOB_SETTLEMENT = 3;
export const JOB_REVERSAL_SLIP = 4;
export const JOB_DECLINED = 5;

/** A sale's two copies share a slot; a slip and a reprint may wait beside them. */
const SLOTS = 3;
const CAPACITY = 8;

/** What the queue needs of the printer driver besides the job builder. */
export interface QueuePrinter {
  state(): number;
  discard(): boolean;
}

export class PrintQueue {
  readonly data: ReceiptData[] = [];
  /** The head entry's job failed and is kept by the printer. */
  failed = false;
  /** PRN_ERR_* of the last failure. */
  lastError = 0;
  /** Entries dropped because the queue or the pool was full. */
  dropped = 0;
  private readonly kinds = new Uint8Array(CAPACITY);
  private readonly slots = new Uint8Array(CAPACITY);
  private readonly reprints = new Uint8Array(CAPACITY);
  private head = 0;
  private count = 0;
  /** Job id of the head entry while it prints, 0 when none. */
  private active = 0;
  private readonly printer: QueuePrinter;
  private readonly writer: ReceiptWriter;

  constructor(printer: QueuePrinter, writer: ReceiptWriter) {
    this.printer = printer;
    this.writer = writer;
    for (let i = 0; i < SLOTS; i++) this.data.push(new ReceiptData());
  }

  /** A data slot no queued entry uses, or -1. @hot */
  claim(): number {
    for (let s = 0; s < SLOTS; s++) {
      let used = false;
      for (let k = 0; k < this.count; k++) if (this.slots[(this.head + k) % CAPACITY] === s) used = true;
      if (!used) return s;
    }
    this.dropped++;
    return -1;
  }

  /** Queue a receipt of `kind` over data slot `slot`. @hot */
  add(kind: number, slot: number, reprint: boolean): boolean {
    if (slot < 0 || this.count === CAPACITY) {
      this.dropped++;
      return false;
    }
    const i = (this.head + this.count) % CAPACITY;
    this.kinds[i] = kind;
    this.slots[i] = slot;
    this.reprints[i] = reprint ? 1 : 0;
    this.count++;
    return true;
  }

  /** Copy `d` into a free slot and queue it; returns the slot (-1: dropped). @hot */
  addCopy(kind: number, d: ReceiptData, reprint: boolean): number {
    const s = this.claim();
    if (s < 0) return -1;
    this.data[s].copyFrom(d);
    return this.add(kind, s, reprint) ? s : -1;
  }

  /** Entries waiting or printing. @hot */
  size(): number {
    return this.count;
  }

  /** Start the head entry when the printer is free (builds the job: allocates a few strings). */
  pump(): boolean {
    if (this.count === 0 || this.active !== 0 || this.failed) return false;
    if (this.printer.state() !== PRN_IDLE) return false;
    const h = this.head;
    const d = this.data[this.slots[h]];
    const re = this.reprints[h] === 1;
    const k = this.kinds[h];
    const w = this.writer;
    let id = 0;
    if (k === JOB_MERCHANT) id = w.salesSlip(d, COPY_MERCHANT, re);
    else if (k === JOB_CARDHOLDER) id = w.salesSlip(d, COPY_CARDHOLDER, re);
    else if (k === JOB_SETTLEMENT) id = w.settlement(d, re);
    else if (k === JOB_REVERSAL_SLIP) id = w.reversalSlip(d, re);
    else if (k === JOB_DECLINED) id = w.declinedSlip(d, re);
    if (id === 0) return false;
    this.active = id;
    return true;
  }

  /** EV_PRINT_DONE. @hot */
  onDone(id: number): void {
    if (id !== this.active || this.count === 0) return;
    this.active = 0;
    this.pop();
  }

  /** EV_PRINT_FAILED; true when the operator has to act (the job is kept). @hot */
  onFailed(id: number, reason: number): boolean {
    if (id !== this.active || this.count === 0) return false;
    this.active = 0;
    this.lastError = reason;
    if (reason === PRN_ERR_OVERFLOW) {
      // nothing was printed and nothing is kept: a layout bug, not the operator's to fix
      this.pop();
      return false;
    }
    this.failed = true;
    return true;
  }

  /** Paper loaded: print the failed copy again, marked REPRINT. @hot */
  retry(): void {
    if (!this.failed) return;
    this.printer.discard();
    this.failed = false;
    this.reprints[this.head] = 1;
  }

  /** Give the failed copy up. @hot */
  skip(): void {
    if (!this.failed) return;
    this.printer.discard();
    this.failed = false;
    this.pop();
  }

  /** @hot */
  private pop(): void {
    this.head = (this.head + 1) % CAPACITY;
    this.count--;
  }
}
