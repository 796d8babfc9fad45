/**
 * Target: the virtual board (hil/virtual/board.ts) in this process, on simulated time. The
 * console protocol is the same as on real targets (the board's console answers "\x10" lines);
 * a reply comes synchronously, so a missing one fails at once instead of after a timeout.
 */
import { VirtualBoard, type VirtualBoardOptions } from "../virtual/board";
import { ConsoleSession } from "./console-protocol";
import { BOOT_CODE, BOOT_FILE, FIRMWARE_FILE, type Target } from "./target";
import { bundleBytes } from "./console-upload";

export interface VirtualTargetOptions {
  /** A board to drive (with models attached); default a new VirtualBoard(boardOptions). */
  board?: VirtualBoard;
  boardOptions?: VirtualBoardOptions;
  /**
   * Also write the bundle into the board's flash as fw.js + .bootcde, as a real upload does
   * (it then takes its share of the Storage capacity). Default false: the board boots the code
   * as if from Storage either way.
   */
  storeBundle?: boolean;
  /** wait(): how often (simulated ms) Node gets to deliver socket I/O in between timers; default 100. */
  settleEveryMs?: number;
}

export class VirtualTarget implements Target {
  readonly name = "virtual";
  readonly board: VirtualBoard;
  readonly session: ConsoleSession;
  private readonly storeBundle: boolean;
  private readonly settleEveryMs: number;
  private closed = false;

  constructor(opts: VirtualTargetOptions = {}) {
    this.board = opts.board || new VirtualBoard(opts.boardOptions);
    this.storeBundle = !!opts.storeBundle;
    this.settleEveryMs = opts.settleEveryMs || 100;
    this.session = new ConsoleSession((text) => this.board.console.send(text), { timeoutMs: 0 });
    this.board.console.onOutput((text) => this.session.feed(text));
  }

  async upload(bundle: string): Promise<void> {
    this.open();
    if (this.storeBundle) {
      const s = this.board.storage;
      s.erase(FIRMWARE_FILE);
      if (!s.write(FIRMWARE_FILE, bundleBytes(bundle)) || !s.write(BOOT_FILE, BOOT_CODE)) {
        throw new Error("virtual target: the bundle does not fit in the board's Storage");
      }
    }
    this.board.load(bundle);
    await this.board.settle();
  }

  async eval(js: string): Promise<unknown> {
    this.open();
    const reply = this.session.eval(js);
    if (this.session.pendingCount() > 0) {
      await this.board.settle();
      if (this.session.pendingCount() > 0) {
        const why = this.board.poweredOn ? "no reply" : "the board is powered off";
        const recent = this.session.recentLines().slice(-5);
        this.session.failAll(new Error(`virtual target: ${why} to ${JSON.stringify(js)}` + (recent.length ? "; it printed:\n  " + recent.join("\n  ") : "")));
      }
    }
    return reply;
  }

  async reset(): Promise<void> {
    this.open();
    this.board.reset();
    await this.board.settle();
  }

  async powerCut(): Promise<void> {
    this.open();
    this.board.powerCut();
    await this.board.settle();
  }

  /** Step simulated time by `ms`, running each timer at its due time; Node delivers socket I/O every settleEveryMs. */
  async wait(ms: number): Promise<void> {
    this.open();
    const sched = this.board.sched;
    const end = sched.now() + Math.max(0, ms);
    while (sched.now() < end) {
      sched.advanceTo(Math.min(end, sched.now() + this.settleEveryMs));
      await this.board.settle();
    }
    await this.board.settle();
  }

  takeOutput(): string[] {
    return this.session.takeOutput();
  }

  takeErrors(): string[] {
    return this.session.takeErrors();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.session.failAll(new Error("virtual target closed"));
  }

  private open(): void {
    if (this.closed) throw new Error("virtual target is closed");
  }
}
