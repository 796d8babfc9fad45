/**
 * The terminal's flows on the interpreter (terminal-session.ts): memory peak and the firmware's
 * CPU time per flow, with the probes in (probes.ts); and retained memory over a long run of
 * sales, without them (a clean boot, memory collected and read at the idle screen).
 */
import { TerminalSession } from "./terminal-session";
import { firmwareSeconds, type ProbeSnapshot } from "./probes";

export interface FlowFigure {
  name: string;
  ok: boolean;
  detail: string;
  /** Highest sample during the flow minus the usage at its start (blocks), and where it was seen. */
  peakAboveIdle: number;
  peakWhere: string;
  /** The same without the rig's share (pending timers, device models): the firmware's own. */
  firmwarePeakAboveIdle: number;
  /** Firmware CPU seconds (loop + callbacks - models), and wall seconds. */
  firmwareSeconds: number;
  wallSeconds: number;
  longestTickMs: number;
}

export interface FlowFigures {
  bin: string;
  configNote: string;
  fixNotes: string[];
  /** Idle: usage (collected) with the probes in, firmware ms per loop tick and ticks per second. */
  idleUsage: number;
  /** Idle: live blocks minus what the rig's roots reach (the firmware's own, with the interpreter's). */
  idleFirmwareUsage: number;
  idleTickMs: number;
  idleTicksPerSecond: number;
  idleModelShare: number;
  flows: FlowFigure[];
  /** Per sale, from the second sale: the firmware's CPU time. */
  saleFirmwareMs: number;
  printerFaults: number;
}

/** Fast device knobs for the bench (the firmware is unchanged): a quick printer. */
const BENCH_HIL = { printerMmPerSecond: 1000 };

async function flow(s: TerminalSession, name: string, run: () => Promise<{ ok: boolean; detail: string }>): Promise<FlowFigure> {
  await s.resetProbes();
  const at = await s.probes();
  const start = at.usage;
  const t0 = Date.now();
  let r = { ok: false, detail: "" };
  try {
    r = await run();
  } catch (e) {
    r = { ok: false, detail: (e as Error).message };
  }
  const p: ProbeSnapshot = await s.probes();
  return {
    name,
    ok: r.ok,
    detail: r.detail,
    peakAboveIdle: p.peak - start,
    firmwarePeakAboveIdle: p.firmwarePeak - at.firmwareUsage,
    peakWhere: ["?", "around a loop tick", "around a timer callback (key tap, model timer)", "around a socket callback", "around a UART delivery"][p.peakWhere] || "?",
    firmwareSeconds: firmwareSeconds(p),
    wallSeconds: (Date.now() - t0) / 1000,
    longestTickMs: p.longestTick * 1000,
  };
}

export async function measureFlows(bin: string, log: (s: string) => void): Promise<FlowFigures> {
  const s = new TerminalSession({ bin, probes: true, hilOptions: BENCH_HIL });
  try {
    const oom = await s.boot();
    if (oom.length) throw new Error("out of memory at boot: " + oom.join(" / "));
    await s.signIn();
    // idle loop
    await s.t.wait(500);
    await s.resetProbes();
    await s.t.wait(3000);
    const idle = await s.probes();
    const idleUsage = await s.memory(true);
    const flows: FlowFigure[] = [];
    log("    sale (warm-up)...");
    flows.push(await flow(s, "first sale (warm-up)", async () => {
      const r = await s.sale(1250);
      return { ok: r.outcome === 1, detail: `${r.msg} stan ${r.stan}` };
    }));
    log("    sale...");
    flows.push(await flow(s, "sale", async () => {
      const r = await s.sale(1300);
      return { ok: r.outcome === 1, detail: `${r.msg} stan ${r.stan}` };
    }));
    log("    reversal (host silent, reply timeout, 0400)...");
    flows.push(await flow(s, "reversal", async () => {
      const r = await s.reversal(500);
      return { ok: true, detail: `then ${r.msg}` };
    }));
    log("    settlement...");
    flows.push(await flow(s, "settlement", async () => {
      const r = await s.settle();
      return { ok: r.outcome === 14, detail: r.msg };
    }));
    const sale = flows[1];
    return {
      bin,
      configNote: s.configNote,
      fixNotes: s.fixNotes,
      idleUsage,
      idleFirmwareUsage: idle.firmwareUsage,
      idleTickMs: idle.ticks ? ((idle.tickSeconds - idle.modelSeconds) * 1000) / idle.ticks : 0,
      idleTicksPerSecond: idle.ticks / 3,
      idleModelShare: idle.tickSeconds > 0 ? idle.modelSeconds / idle.tickSeconds : 0,
      flows,
      saleFirmwareMs: sale.firmwareSeconds * 1000,
      printerFaults: s.printerFaults,
    };
  } finally {
    await s.close();
  }
}

export interface RetainedFigures {
  bin: string;
  sales: number;
  approved: number;
  settlements: number;
  printerRecoveries: number;
  /** Sales (or menu items) started again because a screen did not come (a fault screen in the way). */
  uiRetries: number;
  /** Why they were started again (the first 20). */
  retryReasons: string[];
  /**
   * [sales done, usage collected at idle, blocks the device models hold (E.getSizeOf of them,
   * parts they share with the firmware's buses included)] at the first reading and every
   * `every` sales: usage growing with the models' figure is the rig's, not the firmware's.
   */
  series: [number, number, number][];
  /** Firmware loop ticks (keypad scans) per sale and wall ms per tick, from the first reading on. */
  ticksPerSale: number;
  msPerTick: number;
  /** Sales before the first reading (5, or fewer in a shorter run). */
  warm: number;
  /** Usage after the warm-up sales and at the end, and the difference per sale. */
  start: number;
  end: number;
  perSale: number;
  /** The same without the device models' growth (E.getSizeOf(hil.models) at the same readings). */
  firmwarePerSale: number;
  minutes: number;
  stoppedEarly: string;
}

/** Device knobs of the retained loop: print speed is not what it measures (see measureRetained). */
const RETAINED_HIL = { printerMmPerSecond: 1000, printerInstant: true, keyHoldMs: 40, keyGapMs: 40 };
/** Receipts that may still be printing when the next sale starts: the previous sale's two. */
const BACKLOG = 2;

/**
 * `n` sales in a loop (settling whenever the journal says it is full), memory read at the idle
 * screen with the printer done and the paper torn off (the printer model keeps what it printed),
 * after the warm-up sales and every `every` sales.
 *
 * Each firmware loop tick takes tens of ms on the interpreter (more when the machine is busy),
 * and a sale's two receipts take ~70 of them to send (32-byte chunks, status checks): so a
 * sale's receipts print while the next sale is typed (at most BACKLOG queued when one starts,
 * as at a till), the printer model prints a batch of lines at once (printerInstant) instead of
 * a line per tick, and taps are short (their length is paced by the scans anyway).
 */
export async function measureRetained(bin: string, n: number, log: (s: string) => void): Promise<RetainedFigures> {
  const s = new TerminalSession({ bin, probes: false, hilOptions: RETAINED_HIL });
  const t0 = Date.now();
  const series: [number, number, number][] = [];
  const ticks: [number, number, number][] = []; // [sales, scans so far, Date.now()]
  let approved = 0;
  let settlements = 0;
  let stopped = "";
  const warm = Math.min(5, n);
  let start = 0;
  const every = n >= 200 ? 50 : 10;
  // at the idle screen, the printer done, the paper torn off; a second collected reading after
  // a pause, so a socket or timer still winding down from the last sale is gone
  const read = async (done: number): Promise<number> => {
    await s.idle(true);
    await s.eval("hil.tearOff()");
    await s.t.wait(1000);
    await s.memory(true);
    await s.t.wait(500);
    const v = await s.eval<[number, number, number]>("[process.memory().usage,E.getSizeOf(hil.models),hil.scans.count()]");
    series.push([done, v[0], v[1]]);
    ticks.push([done, v[2], Date.now()]);
    log(`    ${done} sales, ${v[0]} blocks in use at idle (device models ${v[1]}), ${((Date.now() - t0) / 60000).toFixed(1)} min`);
    return v[0];
  };
  try {
    const oom = await s.boot();
    if (oom.length) throw new Error("out of memory at boot: " + oom.join(" / "));
    await s.signIn();
    let done = 0;
    while (done < n) {
      let r;
      try {
        r = await s.sale(100 + (done % 900), "mag-debit", "123456", false, BACKLOG);
      } catch (e) {
        stopped = `after ${done} sales: ${(e as Error).message}`;
        break;
      }
      if (r.outcome === 11) {
        const st = await s.settle();
        if (st.outcome !== 14) {
          stopped = `settlement failed after ${done} sales: ${st.msg}`;
          break;
        }
        settlements++;
        continue;
      }
      if (r.outcome !== 1) {
        stopped = `sale ${done + 1} not approved: ${r.msg}`;
        break;
      }
      approved++;
      done++;
      // the printer model keeps every line it printed (~10 blocks a line): not the firmware's
      await s.eval("hil.tearOff()");
      if (done === warm) start = await read(done);
      else if (done % every === 0 || done === n) await read(done);
    }
    const t1 = ticks[0];
    const t2 = ticks[ticks.length - 1];
    const end = series.length ? series[series.length - 1][1] : 0;
    const last = series.length ? series[series.length - 1][0] : 0;
    return {
      bin,
      sales: done,
      approved,
      settlements,
      printerRecoveries: s.printerFaults,
      uiRetries: s.uiRetries,
      retryReasons: s.retryReasons,
      series,
      ticksPerSale: t1 && t2 && t2[0] > t1[0] ? (t2[1] - t1[1]) / (t2[0] - t1[0]) : 0,
      msPerTick: t1 && t2 && t2[1] > t1[1] ? (t2[2] - t1[2]) / (t2[1] - t1[1]) : 0,
      warm,
      start,
      end,
      perSale: last > warm ? (end - start) / (last - warm) : 0,
      firmwarePerSale: last > warm ? (end - start - (series[series.length - 1][2] - series[0][2])) / (last - warm) : 0,
      minutes: (Date.now() - t0) / 60000,
      stoppedEarly: stopped,
    };
  } finally {
    await s.close();
  }
}
