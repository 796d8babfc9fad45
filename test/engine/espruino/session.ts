/**
 * The session test/engine/espruino.test.ts (and measure.ts) replays on the interpreter: recorded
 * first in Node against the host simulator's request handler (deterministic keys and clock), then
 * driven step by step through replay-entry.ts's `R(...)` console commands.
 */
import { strict as assert } from "node:assert";
import { frame } from "../../../hil/host/codec";
import { RequestHandler } from "../../../hil/host/handler";
import { Ledger } from "../../../hil/host/ledger";
import { defaultAccounts, HOST_CARDS } from "../../../hil/host/cards";
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID, DEFAULT_TEST_TMK, TerminalRegistry } from "../../../hil/host/terminals";
import { MAG_DEBIT, track2Of, type TestCard } from "../../../hil/models/test-cards";
import type { EspruinoLinuxTarget } from "../../../hil/rig/espruino-linux-target";
import { FlashStorage } from "../../../hil/virtual/flash-storage";
import type { TxnResult } from "../../../firmware/txn/engine-api";
import { TxnEngine } from "../../../firmware/txn/engine";
import { TxnStores } from "../../../firmware/txn/store/txn-stores";
import { hexBytes, pinDigits, swiped } from "../harness";

export const START_MS = Date.UTC(2026, 5, 1, 10, 0, 0);
const HOST_NOW = new Date(START_MS - 8 * 3600 * 1000);

export type Step =
  | { cmd: "signIn" }
  | { cmd: "sale"; card: TestCard; amount: number; pin: string; silent?: boolean; prepared?: boolean }
  | { cmd: "balance"; card: TestCard; pin: string }
  | { cmd: "void"; trace: number; card: TestCard }
  | { cmd: "tick"; ms: number }
  | { cmd: "settle" }
  | { cmd: "mem"; label: string };

export interface Exchange {
  req: string;
  rep: string | null;
}

export interface Recorded {
  exchanges: Exchange[];
  result: string;
}

function summary(r: TxnResult): string {
  return [r.outcome, r.rc0 ? String.fromCharCode(r.rc0, r.rc1) : "", r.stan, r.amount, r.balance, r.reversalPending ? 1 : 0, r.debitCount, r.creditCount].join(",");
}

/**
 * Sign-in, sales, a decline, balance, void, an unanswered sale (+ its 0400), 10 sales, settlement.
 * `prepared` sales go as the terminal runs them: prepareSale (the request packed before the PIN
 * prompt), then the PIN block and sale() with its token; the unanswered sale is one, so its
 * reversal image is the prompt's.
 */
export function session(): Step[] {
  const s: Step[] = [
    { cmd: "signIn" },
    { cmd: "sale", card: MAG_DEBIT, amount: 1000, pin: MAG_DEBIT.pin },
    { cmd: "sale", card: HOST_CARDS.lowBalance, amount: 2000, pin: "123456" },
    { cmd: "balance", card: MAG_DEBIT, pin: MAG_DEBIT.pin },
    { cmd: "void", trace: 2, card: MAG_DEBIT },
    { cmd: "sale", card: MAG_DEBIT, amount: 3000, pin: MAG_DEBIT.pin, silent: true, prepared: true },
    { cmd: "tick", ms: 1001 },
  ];
  for (let i = 0; i < 10; i++) {
    s.push({ cmd: "sale", card: MAG_DEBIT, amount: 100 + i, pin: MAG_DEBIT.pin, prepared: i % 2 === 1 });
    if (i === 1) s.push({ cmd: "mem", label: "after 2 sales" });
  }
  s.push({ cmd: "mem", label: "after 10 sales" });
  s.push({ cmd: "settle" });
  return s;
}

/** Run the session in Node; per step the exchanges (request hex, reply hex or null) and the result. */
export function record(steps: Step[]): Recorded[] {
  const ledger = new Ledger({ accounts: defaultAccounts(), now: () => HOST_NOW });
  const terminals = new TerminalRegistry([{ terminalId: DEFAULT_TERMINAL_ID, merchantId: DEFAULT_MERCHANT_ID, tmk: DEFAULT_TEST_TMK }]);
  const handler = new RequestHandler({ ledger: ledger, terminals: terminals, now: () => HOST_NOW, rng: (n) => Buffer.alloc(n, 0x5b) });
  const stores = new TxnStores(new FlashStorage({ bytes: 128 * 1024 }), { journal: { capacity: 14 }, reversals: { maxMessage: 128 } });
  assert.equal(stores.open(), 0);
  let now = START_MS;
  let exchanges: Exchange[] = [];
  let silent = false;
  let last = "";
  let engine: TxnEngine;
  engine = new TxnEngine({
    config: { tid: DEFAULT_TERMINAL_ID, mid: DEFAULT_MERCHANT_ID, tpduDest: "0001", tpduSrc: "0000", tmk: hexBytes(DEFAULT_TEST_TMK), connectMs: 1000, replyMs: 1000, operator: "01" },
    clock: { now: () => now },
    stores: stores,
    link: {
      open: () => engine.onLinkUp(),
      send: (buf, len) => {
        const body = Buffer.from(buf.subarray(2, len));
        const reply = handler.handle(body);
        const quiet = silent && body[11] === 0x02 && body[12] === 0x00;
        const ex: Exchange = { req: Buffer.from(buf.subarray(0, len)).toString("hex").toUpperCase(), rep: quiet ? null : frame(reply.replyBody).toString("hex").toUpperCase() };
        exchanges.push(ex);
        if (ex.rep !== null) engine.onLinkData(Buffer.from(ex.rep, "hex").toString("latin1"));
      },
      close: () => undefined,
    },
    listener: { onProgress: () => undefined, onResult: (r) => (last = summary(r)) },
  });
  const out: Recorded[] = [];
  for (const st of steps) {
    exchanges = [];
    last = "";
    silent = st.cmd === "sale" && !!st.silent;
    if (st.cmd === "signIn") engine.signIn();
    else if (st.cmd === "sale") {
      const c = swiped(st.card);
      const token = st.prepared ? engine.prepareSale(st.amount, c) : 0;
      if (st.prepared) assert.ok(token > 0, "prepared");
      engine.sale(st.amount, c, engine.makePinBlock(pinDigits(st.pin), st.pin.length, c), token);
    } else if (st.cmd === "balance") {
      const c = swiped(st.card);
      engine.balance(c, engine.makePinBlock(pinDigits(st.pin), st.pin.length, c));
    } else if (st.cmd === "void") engine.voidSale(st.trace, swiped(st.card), null);
    else if (st.cmd === "tick") {
      now += st.ms;
      engine.tick(now);
    } else if (st.cmd === "settle") engine.settle();
    out.push({ exchanges: exchanges, result: last });
  }
  return out;
}

const js = (s: string) => JSON.stringify(s);

/** R("init", ...) for the recorded session's terminal. */
export const INIT = `R("init", ${START_MS}, ${js(DEFAULT_TEST_TMK)}, ${js(DEFAULT_TERMINAL_ID)}, ${js(DEFAULT_MERCHANT_ID)})`;

/**
 * Replay `steps` on a target running replay-entry.ts (stores and engine already made), checking
 * every request and result against `recorded`. `each(i)` runs after each step, "mem" steps too
 * (measurements).
 * Returns the "mem" steps' figures and the number of requests compared.
 */
export async function replay(
  target: EspruinoLinuxTarget,
  steps: Step[],
  recorded: Recorded[],
  each?: (i: number) => Promise<void>
): Promise<{ mem: { [label: string]: number }; requests: number }> {
  const mem: { [label: string]: number } = {};
  let requests = 0;
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i];
    if (st.cmd === "mem") {
      mem[st.label] = (await target.eval("R('mem')")) as number;
      if (each) await each(i);
      continue;
    }
    let started: unknown = true;
    if (st.cmd === "signIn") started = await target.eval("R('signIn')");
    else if (st.cmd === "sale") started = await target.eval(`R(${js(st.prepared ? "psale" : "sale")}, ${js(st.card.pan)}, ${js(track2Of(st.card))}, ${js(st.pin)}, ${st.amount})`);
    else if (st.cmd === "balance") started = await target.eval(`R("balance", ${js(st.card.pan)}, ${js(track2Of(st.card))}, ${js(st.pin)})`);
    else if (st.cmd === "void") started = await target.eval(`R("void", ${st.trace}, ${js(st.card.pan)}, ${js(track2Of(st.card))})`);
    else if (st.cmd === "tick") started = await target.eval(`R("tick", ${st.ms})`);
    else if (st.cmd === "settle") started = await target.eval("R('settle')");
    assert.equal(started, true, "step " + i + " " + st.cmd);
    for (const ex of recorded[i].exchanges) {
      await target.eval("R('up')"); // a connection the engine opened comes up now
      const req = await target.eval("R('take')");
      assert.equal(req, ex.req, "step " + i + " (" + st.cmd + "): request " + requests + " differs from Node's");
      requests++;
      if (ex.rep !== null) await target.eval(`R("feed", ${js(ex.rep)})`);
    }
    await target.eval("R('up')");
    assert.equal(await target.eval("R('res')"), recorded[i].result, "step " + i + " (" + st.cmd + ") result");
    assert.deepEqual(target.takeErrors(), [], "no Uncaught errors");
    if (each) await each(i);
  }
  return { mem, requests };
}
