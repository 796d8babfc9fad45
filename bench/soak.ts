/**
 * Soak: a seeded random run of many transactions on the virtual terminal (the built firmware on
 * the virtual board, every part modelled) against the host simulator, with random host faults
 * and power cuts, settling as the journal fills and once more at the end. It fails on the first
 * broken invariant and prints its figures.
 *
 *   npx tsx bench/soak.ts [--count 2000] [--seed 1] [--quiet]
 *
 * Driven like a cashier: every transaction goes through the keypad, the card readers and the
 * screens over the rig console (hil.* / T.*), through the same engine and stores as in use, at
 * keypad level. That is fast enough because the scenario target (hil/scenarios/terminal-target.ts)
 * steps simulated time in 200 ms strides while no command is online and in 10 ms steps with
 * Node's socket I/O in between while one is.
 *
 * Mix: sales (stripe and chip, four cards), voids of approved sales of the open batch, refunds
 * against approved sales, balance inquiries. Faults on sales, voids and inquiries: no reply,
 * late reply, bad MAC, connection dropped mid-reply, each sometimes with the reversal refused
 * 1-2 times (rarely 3: the manual-handling list holds 8); power cuts at a random moment after the
 * last key of a sale, void or inquiry. Refunds get neither: a refund (0220) is not reversible
 * (PROTOCOL.md), so an unanswered one leaves a host credit the terminal cannot know about.
 * Late replies are timed by Node's clock while the terminal runs on simulated time, so which
 * side of the reply timeout they land on varies from run to run; everything else follows the seed.
 *
 * Invariants, checked as it goes and at the end:
 *  - the terminal's book agrees with the host ledger (hil/scenarios/ledger-check.ts) every
 *    10 transactions, before each settlement and at the end;
 *  - every settled batch balanced or was uploaded and closed; after the final settlement no
 *    reversal is pending: each was acknowledged or is on the manual list, and each manual-list
 *    record is a sale the host still holds;
 *  - nothing `Uncaught` on the board console.
 */
import { readFileSync } from "node:fs";
import { HostSimulator } from "../hil/host/server";
import type { FaultKind } from "../hil/host/faults";
import { TerminalTarget } from "../hil/scenarios/terminal-target";
import { ScenarioContext } from "../hil/scenarios/context";
import { booted, pinOf, type LastResult } from "../hil/scenarios/flows";
import type { JournalRow } from "../hil/scenarios/ledger-check";
import { SCENARIO_CONFIG } from "../hil/scenarios/rig";

export interface SoakOptions {
  count: number;
  seed: number;
  /** Firmware bundle; default dist/firmware.js. */
  firmware?: string;
  /** Progress lines; default none. */
  log?: (line: string) => void;
  /** Fault probability per sale/void/inquiry (default 0.15). */
  faultRate?: number;
  /** Power cut probability per sale/void/inquiry (default 0.03). */
  powerCutRate?: number;
}

export interface SoakFigures {
  seed: number;
  transactions: number;
  byKind: Record<string, number>;
  outcomes: Record<string, number>;
  faults: Record<string, number>;
  powerCuts: number;
  signIns: number;
  reversalsSent: number;
  reversalsAcknowledged: number;
  reversalReasons: Record<string, number>;
  manualList: number;
  settlements: number;
  settledBalanced: number;
  settledUploaded: number;
  hostTransactions: number;
  simulatedMs: number;
  wallMs: number;
}

export class SoakFailure extends Error {}

const OUTCOME_NAMES: Record<number, string> = {
  1: "approved", 2: "declined", 3: "no response", 4: "MAC failed", 5: "card removed", 6: "aborted", 7: "reversed",
  8: "reversal failed", 9: "reversal pending", 10: "storage error", 11: "journal full", 12: "not found", 13: "busy",
  14: "settled", 15: "settle failed", 16: "signed in", 17: "key error", 18: "not signed in", 19: "error",
};

/** mulberry32: small, seedable, good enough to pick test cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SALE_CARDS = [
  { id: "mag-debit", chip: false, weight: 40 },
  { id: "mag-debit-track3", chip: false, weight: 20 },
  { id: "chip-debit", chip: true, weight: 25 },
  { id: "chip-credit", chip: true, weight: 15 },
];
const SOAK_CONFIG = { replyMs: 3000, connectMs: 2000 };
const MANUAL_CAPACITY = 8;

interface SaleRecord {
  stan: number;
  batch: number;
  card: string;
  chip: boolean;
  amount: number;
}

export async function runSoak(o: SoakOptions): Promise<SoakFigures> {
  const t0 = Date.now();
  const rand = rng(o.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const log = o.log || function () {};
  const faultRate = o.faultRate !== undefined ? o.faultRate : 0.15;
  const cutRate = o.powerCutRate !== undefined ? o.powerCutRate : 0.03;
  const fig: SoakFigures = {
    seed: o.seed, transactions: 0, byKind: {}, outcomes: {}, faults: {}, powerCuts: 0, signIns: 0, reversalsSent: 0,
    reversalsAcknowledged: 0, reversalReasons: {}, manualList: 0, settlements: 0, settledBalanced: 0, settledUploaded: 0,
    hostTransactions: 0, simulatedMs: 0, wallMs: 0,
  };
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] || 0) + 1);

  const host = new HostSimulator({ port: 0, logLimit: 10000000 });
  await host.listen();
  for (const c of SALE_CARDS) host.ledger.setBalance(c.id, 1e11);
  const target = new TerminalTarget({ config: Object.assign({}, SCENARIO_CONFIG, SOAK_CONFIG, { hostIp: "127.0.0.1", hostPort: host.port }) });
  const trail: string[] = [];
  const note = (line: string) => {
    trail.push(line);
    if (trail.length > 400) trail.shift();
  };
  const ctx = new ScenarioContext({ target: target, host: host, tid: "10000001", log: note });
  const sales: SaleRecord[] = [];
  let exhaustingLeft = 3;
  let signInFailures = 0;
  const storageReport = (): string => {
    const st = target.vt.board.storage;
    return "Storage: " + st.list().map((f) => f + " " + (st.read(f) || "").length).join(", ") + "; stats " + JSON.stringify(st.getStats());
  }; // reversal refusals that run out of tries (the manual list holds 8)

  const fail = (why: string): never => {
    throw new SoakFailure(`soak seed ${o.seed}, transaction ${fig.transactions}: ${why}\n  host: ${ctx.hostTrail(12)}\n  last steps:\n    ${trail.slice(-Number(process.env.SOAK_TRAIL || 40)).join("\n    ")}`);
  };
  const agree = async (): Promise<void> => {
    try {
      await ctx.ledgerAgrees();
    } catch (e) {
      fail((e as Error).message);
    }
  };
  const checkUncaught = () => {
    const errs = target.takeErrors();
    if (errs.length) fail("Uncaught on the board console:\n  " + errs.join("\n  "));
  };

  try {
    await target.upload(o.firmware !== undefined ? o.firmware : readFileSync("dist/firmware.js", "utf8"));
    await booted(ctx);

    /** Idle, signed in, no card in the reader, the printer finished. */
    const ready = async (): Promise<void> => {
      const st = (await ctx.do("hil.status()")) as { card: string | null };
      if (st.card) await ctx.pull();
      let state = await ctx.state();
      for (let i = 0; state !== "IDLE" && i < 20; i++) {
        if (state === "RESULT" || state === "QUERY" || state === "MENU") await ctx.key(state === "RESULT" ? "ENTER" : "CANCEL");
        else if (state === "PAPER") await ctx.key("ENTER");
        else await ctx.wait(500);
        state = await ctx.state();
      }
      if (state !== "IDLE") fail("the terminal does not come back to idle: " + state + " " + JSON.stringify(await ctx.lcd()));
      await ctx.printerIdle({ timeoutMs: 60000 });
      await ctx.wait(100); // the idle screen shows the sign-in state from its next tick
      const lcd = await ctx.lcd();
      if (/NOT SIGNED IN/.test(lcd.join("\n"))) {
        await ctx.keys("{F1}9");
        const r = await finished();
        fig.signIns++;
        if (r.outcome !== 16) {
          log(`sign-in: ${OUTCOME_NAMES[r.outcome]}`);
          if (++signInFailures > 5) fail(`sign-in keeps failing: ${OUTCOME_NAMES[r.outcome]} (error code ${await ctx.do("T.last().rc")}); ${storageReport()}`);
        } else signInFailures = 0;
        await ready();
      }
    };

    /** The command is over: result screen (or the paper prompt). */
    const finished = async (): Promise<LastResult> => {
      await ctx.expectState(["RESULT", "PAPER"], { timeoutMs: 60000 });
      return (await ctx.T("last()")) as LastResult;
    };

    /** Power cut and back; a card left in the reader is taken out (the cashier hands it back). */
    const cut = async (): Promise<void> => {
      fig.powerCuts++;
      await ctx.powerCut();
      const st = (await ctx.do("hil.status()")) as { card: string | null };
      if (st.card) await ctx.pull();
      await booted(ctx);
    };

    /** Press the keys that start the command; maybe cut the power a moment later. */
    const go = async (text: string, cutAt: number): Promise<LastResult | null> => {
      if (cutAt < 0) {
        await ctx.keys(text);
        return finished();
      }
      const ms = Number(await ctx.do("hil.keys(" + JSON.stringify(text) + ")"));
      await ctx.wait(ms + cutAt);
      await cut();
      return null;
    };

    /** Queue a random fault for the next request of this MTI. */
    const injectFault = async (mti: string): Promise<void> => {
      const kinds: FaultKind[] = ["no-reply", "late-reply", "wrong-mac", "drop-mid-reply"];
      const k = pick(kinds);
      bump(fig.faults, k);
      note("fault " + k + " on the next " + mti);
      if (k === "late-reply") host.inject({ fault: k, match: { mti: mti }, delayMs: 5 + Math.floor(rand() * 120) });
      else host.inject({ fault: k, match: { mti: mti } });
      // one refusal plan at a time, and none for a reversal already tried: refusals do not pile
      // up on one reversal by accident (only the planned x3 ones exhaust it)
      const refusing = host.pendingFaults.some((f) => f.fault === "reversal-not-acked") || (await ctx.pendingReversal()) !== null;
      if (!refusing && rand() < 0.3) {
        let times = 1 + Math.floor(rand() * 2);
        if (exhaustingLeft > 0 && rand() < 0.1) {
          times = 3;
          exhaustingLeft--;
        }
        bump(fig.faults, "reversal-not-acked x" + times);
        note("fault reversal-not-acked x" + times);
        host.inject({ fault: "reversal-not-acked", code: "96", times: times });
      }
    };

    /** Faults left unused go, except reversal refusals still waiting for their 0400s. */
    const tidyFaults = (): void => {
      const left = host.pendingFaults.filter((f) => f.fault === "reversal-not-acked");
      host.clearFaults();
      for (const f of left) host.inject({ fault: f.fault, code: f.code, times: f.left });
    };

    const record = (kind: string, r: LastResult | null): void => {
      note(`#${fig.transactions + 1} ${kind} -> ${r === null ? "power cut" : OUTCOME_NAMES[r.outcome] + " rc " + r.rc + " trace " + r.stan + " pending " + r.reversalPending}`);
      fig.transactions++;
      bump(fig.byKind, kind);
      bump(fig.outcomes, kind + " " + (r === null ? "power cut" : OUTCOME_NAMES[r.outcome] || String(r.outcome)));
    };

    const sale = async (faulty: boolean, cutAt: number): Promise<void> => {
      let w = rand() * 100;
      let card = SALE_CARDS[0];
      for (const c of SALE_CARDS) {
        if (w < c.weight) {
          card = c;
          break;
        }
        w -= c.weight;
      }
      const amount = 1 + Math.floor(Math.exp(rand() * Math.log(200000)));
      note(`sale ${card.id} ${amount}` + (cutAt >= 0 ? ", power cut after " + cutAt + " ms" : ""));
      if (faulty) await injectFault("0200");
      if (card.chip) await ctx.insert(card.id);
      else await ctx.swipe(card.id);
      await ctx.expectState("AMOUNT");
      await ctx.keys(amount + "\n");
      await ctx.expectState("PIN", { timeoutMs: 15000 });
      const r = await go(pinOf(card.id) + "\n", cutAt);
      record("sale", r);
      if (r && r.outcome === 1) sales.push({ stan: r.stan, batch: r.batch, card: card.id, chip: card.chip, amount: amount });
    };

    const voidOne = async (faulty: boolean, cutAt: number): Promise<boolean> => {
      const open = ((await ctx.T("batch()")) as JournalRow[]).filter((j) => j.type === "SALE" && j.status === "APPROVED");
      const candidates = sales.filter((s) => open.some((j) => j.stan === s.stan && j.batch === s.batch));
      if (!candidates.length) return false;
      const s = pick(candidates);
      note("void of trace " + s.stan + (cutAt >= 0 ? ", power cut after " + cutAt + " ms" : ""));
      if (faulty) await injectFault("0200");
      await ctx.keys("{F1}2");
      await ctx.expectState("TRACE");
      await ctx.keys(s.stan + "\n");
      await ctx.expectState("CONFIRM");
      await ctx.key("ENTER");
      await ctx.expectState("CARD");
      let r: LastResult | null;
      if (s.chip) {
        // the chip read starts the void at once: the power cut (if any) comes after the insert
        await ctx.do("hil.insert(" + JSON.stringify(s.card) + ")");
        if (cutAt >= 0) {
          await ctx.wait(cutAt);
          await cut();
          r = null;
        } else r = await finished();
      } else {
        await ctx.do("hil.swipe(" + JSON.stringify(s.card) + ")");
        if (cutAt >= 0) {
          await ctx.wait(cutAt);
          await cut();
          r = null;
        } else r = await finished();
      }
      record("void", r);
      return true;
    };

    const refundOne = async (): Promise<boolean> => {
      if (!sales.length) return false;
      const s = pick(sales.slice(-30));
      const snap = host.ledger.snapshot();
      const t = snap.transactions.filter((x) => x.kind === "sale" && Number(x.stan) === s.stan && Number(x.batch) === s.batch).pop();
      if (!t || !t.rrn) return false;
      const amount = 1 + Math.floor(rand() * s.amount);
      await ctx.keys("{F1}3");
      await ctx.expectState("AMOUNT");
      await ctx.keys(amount + "\n");
      await ctx.expectState("RRN");
      await ctx.keys(t.rrn + "\n");
      await ctx.expectState("DATE");
      await ctx.keys(t.date.slice(4, 8) + "\n");
      await ctx.expectState("CARD");
      let r: LastResult;
      if (s.chip) {
        await ctx.insert(s.card);
        r = await finished();
      } else {
        await ctx.swipe(s.card);
        r = await finished();
      }
      record("refund", r);
      return true;
    };

    const balanceOne = async (faulty: boolean, cutAt: number): Promise<void> => {
      const card = pick(["mag-debit", "mag-debit-track3"]);
      if (faulty) await injectFault("0200");
      await ctx.keys("{F1}4");
      await ctx.expectState("CARD");
      await ctx.swipe(card);
      await ctx.expectState("PIN");
      const r = await go(pinOf(card) + "\n", cutAt);
      record("balance", r);
    };

    const settleNow = async (final: boolean): Promise<void> => {
      await agree();
      for (let i = 0; ; i++) {
        await ready();
        await ctx.keys("{F1}5");
        const r = await finished();
        if (r.outcome === 14) {
          fig.settlements++;
          const rec = host.ledger.snapshot().batches.filter((b) => Number(b.batch) === r.batch).pop();
          if (rec && rec.balanced) fig.settledBalanced++;
          else fig.settledUploaded++;
          log(`settled batch ${r.batch}: ${rec && rec.balanced ? "balanced" : "not balanced, uploaded"} (${fig.transactions} transactions so far)`);
          break;
        }
        // a reversal still refused goes first and holds the settlement back: try again
        if (i >= 8) fail(`settlement does not complete: ${OUTCOME_NAMES[r.outcome]}`);
        if (final) host.clearFaults();
      }
      await ready();
      await agree();
    };

    let nextSettle = 40 + Math.floor(rand() * 40);
    while (fig.transactions < o.count) {
      await ready();
      const x = rand();
      const faulty = rand() < faultRate;
      const cutAt = rand() < cutRate ? Math.floor(rand() * 700) : -1;
      try {
        if (x < 0.78) await sale(faulty, cutAt);
        else if (x < 0.86) {
          if (!(await voidOne(faulty, cutAt))) continue;
        } else if (x < 0.92) {
          if (!(await refundOne())) continue;
        } else await balanceOne(faulty, cutAt);
      } catch (e) {
        if (e instanceof SoakFailure) throw e;
        fail((e as Error).message);
      }
      tidyFaults();
      checkUncaught();
      if (fig.transactions % 10 === 0) await agree();
      if (fig.transactions % 100 === 0) log(`${fig.transactions} transactions, ${fig.powerCuts} power cuts, sim ${Math.round(target.vt.board.sched.now() / 1000)} s, wall ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const open = ((await ctx.T("batch()")) as unknown[]).length;
      if (open >= nextSettle) {
        await settleNow(false);
        nextSettle = 40 + Math.floor(rand() * 40);
      }
    }

    // the end: no faults, settle (the pending reversal, if any, goes first)
    host.clearFaults();
    await settleNow(true);
    const pending = await ctx.pendingReversal();
    if (pending) fail("a reversal is still pending after the final settlement: " + JSON.stringify(pending));
    const manual = await ctx.manualList();
    const snap = host.ledger.snapshot();
    for (const m of manual) {
      const t = snap.transactions.filter((x) => x.terminalId === "10000001" && Number(x.stan) === m.stan && x.code === "00").pop();
      if (!t) fail("manual-list record " + JSON.stringify(m) + " is no transaction the host approved");
    }
    if (manual.length > MANUAL_CAPACITY) fail("manual list over its capacity");
    const console = target.vt.board.console.output;
    if (console.indexOf("Uncaught") >= 0) fail("Uncaught on the board console: " + console.slice(console.indexOf("Uncaught"), console.indexOf("Uncaught") + 300));
    checkUncaught();

    fig.manualList = manual.length;
    const reversals = host.log.filter((e) => e.direction === "in" && e.mti === "0400");
    fig.reversalsSent = reversals.length;
    for (const r of reversals) bump(fig.reversalReasons, r.code || "?");
    fig.reversalsAcknowledged = host.log.filter((e) => e.direction === "out" && e.mti === "0410" && e.code === "00" && e.fault !== "no-reply").length;
    fig.hostTransactions = snap.transactions.length;
    fig.simulatedMs = target.vt.board.sched.now();
    fig.wallMs = Date.now() - t0;
    return fig;
  } finally {
    await target.close();
    await host.close();
  }
}

/** The figures as printable lines. */
export function figureLines(f: SoakFigures): string[] {
  const kv = (m: Record<string, number>) =>
    Object.keys(m)
      .sort()
      .map((k) => `${k} ${m[k]}`)
      .join(", ") || "none";
  return [
    `soak seed ${f.seed}: ${f.transactions} transactions (${kv(f.byKind)})`,
    `outcomes: ${kv(f.outcomes)}`,
    `host faults injected: ${kv(f.faults)}`,
    `power cuts: ${f.powerCuts}, sign-ins: ${f.signIns}`,
    `reversals sent: ${f.reversalsSent} (reasons ${kv(f.reversalReasons)}), acknowledged: ${f.reversalsAcknowledged}`,
    `manual-handling list: ${f.manualList}`,
    `settlements: ${f.settlements} (balanced ${f.settledBalanced}, not balanced + batch upload ${f.settledUploaded})`,
    `host ledger transactions: ${f.hostTransactions}; terminal and host agree; no reversal pending; nothing Uncaught`,
    `simulated time: ${(f.simulatedMs / 1000).toFixed(0)} s (${(f.simulatedMs / 3600000).toFixed(2)} h), wall time: ${(f.wallMs / 1000).toFixed(1)} s`,
  ];
}

function argValue(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!(v >= 0) || Math.floor(v) !== v) throw new Error(name + " needs a non-negative integer");
  return v;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const count = argValue(argv, "--count", 2000);
  const seed = argValue(argv, "--seed", 1);
  const quiet = argv.indexOf("--quiet") >= 0;
  const f = await runSoak({ count: count, seed: seed, log: quiet ? undefined : (l) => console.log("  " + l) });
  for (const l of figureLines(f)) console.log(l);
}

if (process.argv[1] && /soak\.ts$/.test(process.argv[1])) {
  main().catch((e) => {
    console.error((e as Error).message || e);
    process.exit(1);
  });
}
