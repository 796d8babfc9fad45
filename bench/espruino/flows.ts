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
  const start = (await s.probes()).usage;
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
  /** [sales done, usage collected at idle] every `every` sales. */
  series: [number, number][];
  /** Usage after the warm-up sales and at the end, and the difference per sale. */
  start: number;
  end: number;
  perSale: number;
  minutes: number;
  stoppedEarly: string;
}

/**
 * `n` sales in a loop (settling whenever the journal says it is full), memory read at the idle
 * screen with the printer done and the paper torn off (the printer model keeps what it printed).
 */
export async function measureRetained(bin: string, n: number, log: (s: string) => void): Promise<RetainedFigures> {
  const s = new TerminalSession({ bin, probes: false, hilOptions: BENCH_HIL });
  const t0 = Date.now();
  const series: [number, number][] = [];
  let approved = 0;
  let settlements = 0;
  let stopped = "";
  const warm = Math.min(5, n);
  let start = 0;
  const every = n >= 200 ? 50 : 10;
  const read = async () => {
    await s.eval("hil.tearOff()");
    return s.memory(true);
  };
  try {
    const oom = await s.boot();
    if (oom.length) throw new Error("out of memory at boot: " + oom.join(" / "));
    await s.signIn();
    let done = 0;
    while (done < n) {
      let r;
      try {
        // each sale ends with its slips printed: the printer model runs on timers, which the
        // firmware's loop interval starves, so not waiting would only pile up a backlog in it
        r = await s.sale(100 + (done % 900));
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
      await s.eval("hil.tearOff()"); // the printer model keeps every line it printed: ~10 blocks a line
      if (done === warm) {
        start = await read();
        series.push([done, start]);
      } else if (done % every === 0 || done === n) {
        const u = await read();
        series.push([done, u]);
        log(`    ${done} sales, ${u} blocks in use at idle, ${((Date.now() - t0) / 60000).toFixed(1)} min`);
      }
    }
    const end = series.length ? series[series.length - 1][1] : 0;
    const last = series.length ? series[series.length - 1][0] : 0;
    return {
      bin,
      sales: done,
      approved,
      settlements,
      printerRecoveries: s.printerFaults,
      series,
      start,
      end,
      perSale: last > warm ? (end - start) / (last - warm) : 0,
      minutes: (Date.now() - t0) / 60000,
      stoppedEarly: stopped,
    };
  } finally {
    await s.close();
  }
}
