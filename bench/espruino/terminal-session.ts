/**
 * The whole terminal on the real interpreter for the bench: models + firmware booted from
 * Storage, the acquirer host simulator on loopback, and the flows a merchant runs (sign-in,
 * sale, a sale the host never answers -> reversal, settlement), driven through `hil` and read
 * back through `T`, polling over the console.
 *
 * Two things of Espruino for Linux shape this:
 * - the host's clock is the interpreter's own (UTC, no offset): on Espruino for Linux setTime()
 *   does not move the clock the timers run on, so a firmware adopting a different host time
 *   with it would stall or rush every timer by the difference (the engine now keeps an offset);
 * - pos.cfg is used when the firmware accepts it on the interpreter; when its check refuses it
 *   (the LCD says CONFIG ERROR, as it did while config.ts used `{n}` regexes; see `configNote`),
 *   the terminal runs on its defaults and the host listens on the default port 5000.
 */
import { rmSync } from "node:fs";
import { HostSimulator } from "../../hil/host/server";
import type { EspruinoLinuxTarget } from "../../hil/rig/espruino-linux-target";
import { defaultConfig } from "../../firmware/config";
import { bootCodeFor, bundleForInterpreter, installStorage, memoryErrors, newWorkDir, startInterpreter, type StorageFile } from "./interpreter";
import { MODEL_CLOCK, PROBE, probeSnapshot, READ_PROBES, RESET_PROBES, type ProbeSnapshot } from "./probes";

export interface SessionOptions {
  bin: string;
  /** Put the probes in (timing and memory sampling). */
  probes?: boolean;
  /** Extra knobs for the models (hil/inside/rig.ts InsideOptions). */
  hilOptions?: Record<string, unknown>;
  /** pos.cfg fields besides the host address. */
  config?: Record<string, unknown>;
  /** Skip the firmware (models only). */
  modelsOnly?: boolean;
  /**
   * Where firmware.js and models.js are read from: default BENCH_DIST or dist/. A copy of a
   * build keeps a long run on one build while the tree is rebuilt beside it.
   */
  dist?: string;
}

export interface LastResult {
  type: number;
  outcome: number;
  rc: string;
  msg: string;
  stan: number;
  amount: number;
  reversalPending: boolean;
}

/** What TerminalSession.look() reads. */
export interface Look {
  state: string;
  /** Receipts waiting for the printer (T.printQueue()). */
  queued: number;
  /** Bytes in the printer model's receive buffer. */
  buffered: number;
  /** ms of queued key taps left (0: none). */
  keysBusyMs: number;
}

const LOOK = "(function(){var s=hil.status();return[T.state(),T.printQueue(),s.printerBuffered,s.keysBusyMs];})()";
/** Entry screens a stuck flow is cancelled from (CANCEL). */
const ENTRY_STATES = ["MENU", "AMOUNT", "TRACE", "RRN", "DATE", "CONFIRM", "CARD", "READING", "PIN", "QUERY"];

const OUT_APPROVED = 1;
const OUT_REVERSED = 7;
const OUT_SETTLED = 14;
const OUT_SIGNED_IN = 16;
const OUT_JOURNAL_FULL = 11;

export class TerminalSession {
  readonly dir: string;
  host: HostSimulator | null = null;
  target: EspruinoLinuxTarget | null = null;
  /** Why pos.cfg was not used ("" when it was). */
  configNote = "";
  /** What was changed in the bundles before upload (hil/inside/espruino-fixes.js). */
  fixNotes: string[] = [];
  /** Times the terminal showed PRINTER FAULT and the bench pressed ENTER (reprint). */
  printerFaults = 0;
  /** Times a sale or menu item was started again because an expected screen did not come. */
  uiRetries = 0;
  /** Why (the first 20). */
  retryReasons: string[] = [];
  private readonly opts: SessionOptions;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.dir = newWorkDir("espruino-terminal-");
  }

  /** Start the host, write Storage, boot. Returns printed memory errors (empty when it booted). */
  async boot(): Promise<string[]> {
    const o = this.opts;
    let port = 0;
    let useCfg = true;
    // pos.cfg is worth trying only when the firmware's own check accepts a config on Espruino:
    // find out with a throw-away boot of the check alone would cost a boot; instead the first
    // boot writes it and falls back if the LCD says CONFIG ERROR.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (this.host) await this.host.close();
      this.host = new HostSimulator({ port: useCfg ? 0 : defaultConfig().hostPort, utcOffsetMinutes: 0 });
      port = await this.host.listen();
      const files: StorageFile[] = [];
      const boot: string[] = [];
      if (o.probes) {
        files.push({ name: "probe.js", data: PROBE });
        boot.push("probe.js");
      }
      if (o.hilOptions) {
        files.push({ name: "hilopt.js", data: "global.hilOptions=" + JSON.stringify(o.hilOptions) + ";" });
        boot.push("hilopt.js");
      }
      const dist = o.dist || process.env.BENCH_DIST || "dist";
      const models = bundleForInterpreter(dist + "/models.js");
      files.push({ name: "models.js", data: models.code });
      boot.push("models.js");
      if (o.probes) {
        files.push({ name: "mclock.js", data: MODEL_CLOCK });
        boot.push("mclock.js");
      }
      this.fixNotes = [models.note];
      if (!o.modelsOnly) {
        const fw = bundleForInterpreter(dist + "/firmware.js");
        this.fixNotes.push(fw.note);
        files.push({ name: "fw.js", data: fw.code });
        boot.push("fw.js");
      }
      if (useCfg) files.push({ name: "pos.cfg", data: JSON.stringify(Object.assign({ hostIp: "127.0.0.1", hostPort: port }, o.config || {})) });
      if (this.target) await this.target.close();
      this.target = null;
      await installStorage(o.bin, this.dir, files, bootCodeFor(boot));
      this.target = await startInterpreter(o.bin, this.dir);
      const oom = memoryErrors(this.target.takeOutput());
      if (oom.length > 0 || o.modelsOnly) return oom;
      // the first ticks after boot are long (the LCD's init, the stores): let them pass
      await this.target.wait(2000);
      const lcd = ((await this.t.eval("hil.lcd()")) as string[]).join("|");
      if (useCfg && /CONFIG ERROR/.test(lcd)) {
        this.configNote = `pos.cfg refused on the interpreter (LCD: ${lcd.replace(/\s+\|/g, " | ").trim()}); running on the defaults, host on port ${defaultConfig().hostPort}`;
        useCfg = false;
        continue;
      }
      return [];
    }
    return [];
  }

  get t(): EspruinoLinuxTarget {
    if (!this.target) throw new Error("bench: the interpreter is not running");
    return this.target;
  }

  async eval<T = unknown>(expr: string, timeoutMs = 20000): Promise<T> {
    return (await this.t.session.eval(expr, timeoutMs)) as T;
  }

  async state(): Promise<string> {
    return this.eval<string>("T.state()");
  }

  async last(): Promise<LastResult | null> {
    return this.eval<LastResult | null>("T.last()");
  }

  async memory(gc = true): Promise<number> {
    return this.eval<number>(`process.memory(${gc ? "" : "false"}).usage`);
  }

  async probes(): Promise<ProbeSnapshot> {
    return probeSnapshot(await this.eval(READ_PROBES));
  }

  async resetProbes(): Promise<void> {
    await this.eval(RESET_PROBES);
  }

  /** Poll until `cond` holds (every `everyMs`), or throw after `ms` saying what the LCD shows. */
  async until(what: string, cond: () => Promise<boolean>, ms = 30000, everyMs = 100): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await cond()) return;
      await this.t.wait(everyMs);
    }
    const lcd = await this.eval<string[]>("hil.lcd()").catch(() => ["?"]);
    throw new Error(`bench: ${what} did not happen within ${ms} ms; LCD: ${JSON.stringify(lcd)}; errors: ${JSON.stringify(this.t.takeErrors().slice(-3))}`);
  }

  private retried(why: string): void {
    this.uiRetries++;
    if (this.retryReasons.length < 20) this.retryReasons.push(why.replace(/^bench: /, ""));
  }

  /** Queue taps (hil.keys) without waiting for them: taps run one after the other inside. */
  async type(text: string): Promise<void> {
    await this.eval(`hil.keys(${JSON.stringify(text)})`);
  }

  async keys(text: string): Promise<void> {
    await this.type(text);
    await this.until("typing " + JSON.stringify(text), async () => (await this.look()).keysBusyMs === 0, 30000, 50);
  }

  /** The UI state, receipts queued, printer bytes buffered and taps left, in one console line. */
  async look(): Promise<Look> {
    const v = await this.eval<[string, number, number, number]>(LOOK);
    return { state: v[0], queued: v[1], buffered: v[2], keysBusyMs: v[3] };
  }

  /**
   * Poll until the UI state is one of `states` (every 100 ms), or throw once `ms` have passed
   * with no taps left to type: typing takes as many firmware ticks as it takes (each tap lasts
   * until the keypad driver has scanned it), and a busy machine makes ticks long.
   */
  async untilState(what: string, states: string[], ms: number): Promise<void> {
    let idleSince = 0;
    await this.until(what, async () => {
      const v = await this.look();
      if (states.indexOf(v.state) >= 0) return true;
      if (v.keysBusyMs > 0) idleSince = 0;
      else if (idleSince === 0) idleSince = Date.now();
      if (idleSince > 0 && Date.now() - idleSince > ms) throw new Error(`bench: ${what} did not happen within ${ms} ms of the last tap; state ${v.state}; LCD: ${JSON.stringify(await this.eval("hil.lcd()"))}`);
      return false;
    }, 600000, 100);
  }

  /** A new result with `outcome` (any of them) after trace `afterStan` (or any change of stan). */
  private async result(what: string, before: LastResult | null, outcomes: number[], ms: number): Promise<LastResult> {
    let got: LastResult | null = null;
    await this.until(what, async () => {
      const r = await this.last();
      const changed = r !== null && (before === null || r.stan !== before.stan || r.type !== before.type || r.outcome !== before.outcome);
      if (changed && outcomes.indexOf(r!.outcome) >= 0) got = r;
      return got !== null;
    }, ms);
    return got!;
  }

  /**
   * Back to the idle screen, the result screen answered with ENTER; with `printed`, also wait
   * until at most `backlog` receipts are queued (0: the printer done, its buffer empty). A
   * PRINTER FAULT screen is answered with ENTER (reprint) and counted: on the interpreter the
   * firmware's loop can be slower than the printer driver's 500 ms status timeout. With
   * `cancel`, an entry screen (amount, card, PIN, menu) is cancelled as well.
   */
  async idle(printed = true, backlog = 0, cancel = false): Promise<void> {
    const what = printed ? (backlog > 0 ? `the idle screen with at most ${backlog} receipts queued` : "the idle screen with the printer done") : "the idle screen";
    await this.until(what, async () => {
      const v = await this.look();
      if (v.keysBusyMs === 0) {
        if (v.state === "RESULT") await this.type("\n");
        else if (v.state === "PAPER") {
          this.printerFaults++;
          await this.type("\n");
        } else if (cancel && ENTRY_STATES.indexOf(v.state) >= 0) await this.type("\x1b");
      }
      return v.state === "IDLE" && (!printed || (v.queued <= backlog && (backlog > 0 || v.buffered === 0)));
    }, 300000, 200);
  }

  /**
   * A menu item (F1, then its digit) from the idle screen with the printer done; typed again
   * (up to 3 times, counted in uiRetries) when the menu never started it. Returns the result.
   */
  private async menu(what: string, digit: string, outcomes: number[], ms: number): Promise<LastResult> {
    let before: LastResult | null = null;
    for (let attempt = 1; ; attempt++) {
      await this.idle(true);
      before = await this.last();
      await this.keys("{F1}" + digit);
      try {
        await this.untilState(`the ${what} to start`, ["PROCESSING", "RESULT"], 8000);
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        this.retried((e as Error).message);
        await this.idle(false, 0, true);
      }
    }
    const r = await this.result(what, before, outcomes, ms);
    await this.idle();
    return r;
  }

  async signIn(): Promise<LastResult> {
    return this.menu("sign-in", "9", [OUT_SIGNED_IN], 30000);
  }

  /**
   * A swiped sale: amount, ENTER, swipe, PIN, ENTER; returns the result (approved expected).
   * It starts at the idle screen with at most `backlog` receipts still queued (0: the printer
   * done), and ends back there, with its own receipts printed when `waitPrinted`. Up to the PIN,
   * a screen that did not come (a printer fault screen in the way, a missed tap) sends the
   * terminal back to idle and starts the sale again (counted in uiRetries); once the PIN is
   * typed a result must come.
   */
  async sale(amountFen: number, card = "mag-debit", pin = "123456", waitPrinted = true, backlog = 0): Promise<LastResult> {
    let before: LastResult | null = null;
    for (let attempt = 1; ; attempt++) {
      await this.idle(true, backlog);
      before = await this.last();
      try {
        await this.type(String(amountFen) + "\n");
        await this.untilState("the card prompt", ["CARD"], 15000);
        await this.eval(`hil.swipe(${JSON.stringify(card)})`);
        await this.untilState("the PIN prompt", ["PIN"], 15000);
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        this.retried((e as Error).message);
        await this.idle(false, 0, true);
      }
    }
    await this.type(pin + "\n");
    const r = await this.result("the sale's result", before, [OUT_APPROVED, OUT_JOURNAL_FULL, 2, 3, 4, 9, 10, 18, 19], 60000);
    await this.idle(waitPrinted);
    return r;
  }

  /**
   * A sale the host processes but never answers: the terminal times out (replyMs), keeps the
   * reversal (98) and sends it; the host acknowledges it. Ends when the reversal is cleared.
   */
  async reversal(amountFen: number): Promise<LastResult> {
    this.host!.inject({ match: { mti: "0200" }, fault: "no-reply" });
    const before = await this.last();
    await this.keys(String(amountFen) + "\n");
    await this.until("the card prompt", async () => (await this.state()) === "CARD", 10000, 50);
    await this.eval('hil.swipe("mag-debit")');
    await this.until("the PIN prompt", async () => (await this.state()) === "PIN", 10000, 50);
    await this.keys("123456\n");
    await this.result("the unanswered sale", before, [3], 120000);
    await this.idle();
    // the reversal goes before the next transaction; a sign-in sends it
    const mid = await this.last();
    await this.keys("{F1}9");
    await this.until("the reversal acknowledged", async () => (await this.eval<unknown>("T.pendingReversal()")) === null, 60000);
    const r = await this.result("sign-in after the reversal", mid, [OUT_SIGNED_IN, OUT_REVERSED], 60000);
    await this.idle();
    return r;
  }

  async settle(): Promise<LastResult> {
    return this.menu("settlement", "5", [OUT_SETTLED, 15], 120000);
  }

  async close(): Promise<void> {
    if (this.target) await this.target.close();
    this.target = null;
    if (this.host) await this.host.close();
    this.host = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
