/**
 * The `virtual` target for scenarios: the whole terminal (hil/terminal/VirtualTerminal: board,
 * every device model, `hil` installed on each boot) behind the rig's Target interface, so a
 * scenario drives it with the same console lines it sends to Espruino for Linux or a board.
 * The bare hil/rig/VirtualTarget boots the firmware on a board with no parts; this one has them.
 *
 *   const t = new TerminalTarget({ config: { hostIp: "127.0.0.1", hostPort: host.port } });
 *   await t.upload(readFileSync("dist/firmware.js", "utf8"));   // provision pos.cfg, power on
 *   await t.eval('hil.swipe("mag-debit")'); await t.wait(2000);
 *
 * wait(ms) steps simulated time. While the terminal shows PROCESSING (a command is talking to
 * the host) it moves 10 ms at a time and lets Node deliver loopback socket I/O between steps;
 * otherwise no socket is open, so it runs the timers in 200 ms strides. That keeps a sale at
 * tens of wall milliseconds, which the soak needs, without changing what the firmware sees.
 */
import { VirtualTarget } from "../rig/virtual-target";
import type { Target } from "../rig/target";
import { VirtualTerminal, type VirtualTerminalOptions } from "../terminal/virtual-terminal";
import type { TerminalConfig } from "../../firmware/config";

export interface TerminalTargetOptions {
  /** pos.cfg fields (hostIp/hostPort of the scenario's host, timeouts ...). */
  config?: Partial<TerminalConfig>;
  /** Further VirtualTerminal options (flash size, key timing, clock start ...). */
  terminal?: VirtualTerminalOptions;
  /** Simulated ms per step while a command is online (default 10). */
  onlineStepMs?: number;
  /** Simulated ms per stride otherwise (default 200). */
  idleStepMs?: number;
}

const yieldToNode = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class TerminalTarget implements Target {
  readonly name = "virtual";
  readonly vt: VirtualTerminal;
  private readonly console: VirtualTarget;
  private readonly onlineStepMs: number;
  private readonly idleStepMs: number;
  private closed = false;

  constructor(opts: TerminalTargetOptions = {}) {
    this.vt = new VirtualTerminal(Object.assign({}, opts.terminal || {}, { config: opts.config || {}, ownHost: false }));
    this.console = new VirtualTarget({ board: this.vt.board });
    this.onlineStepMs = opts.onlineStepMs || 10;
    this.idleStepMs = opts.idleStepMs || 200;
  }

  /** Provision pos.cfg as manufacturing would, then power on with the bundle. */
  async upload(bundle: string): Promise<void> {
    this.open();
    this.vt.provision();
    this.vt.board.load(bundle);
    await this.vt.board.settle();
  }

  eval(js: string): Promise<unknown> {
    this.open();
    return this.console.eval(js);
  }

  async reset(): Promise<void> {
    this.open();
    this.vt.reset();
    await this.vt.board.settle();
  }

  async powerCut(): Promise<void> {
    this.open();
    this.vt.powerCut();
    await this.vt.board.settle();
  }

  async wait(ms: number): Promise<void> {
    this.open();
    const sched = this.vt.board.sched;
    const end = sched.now() + Math.max(0, ms);
    for (;;) {
      await yieldToNode();
      sched.runDue();
      const now = sched.now();
      if (now >= end) break;
      const step = this.online() ? this.onlineStepMs : this.idleStepMs;
      sched.advanceTo(Math.min(end, now + step));
    }
  }

  takeOutput(): string[] {
    return this.console.takeOutput();
  }

  takeErrors(): string[] {
    return this.console.takeErrors();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.console.close();
    await this.vt.close();
  }

  /** A command is running (the terminal may have a socket open to the host). */
  private online(): boolean {
    if (!this.vt.board.poweredOn) return false;
    try {
      return this.vt.board.eval('typeof T !== "undefined" && T.state() === "PROCESSING"') === true;
    } catch (e) {
      return true; // cannot tell: take small steps
    }
  }

  private open(): void {
    if (this.closed) throw new Error("virtual terminal target is closed");
  }
}
