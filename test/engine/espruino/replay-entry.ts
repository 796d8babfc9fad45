/**
 * Runs on the real Espruino interpreter (test/engine/espruino.test.ts bundles and uploads it):
 * a TxnEngine over Espruino's own require("Storage"), with a link the test drives through the
 * console. `R.take()` hands out the last request as hex, `R.feed(hex)` gives the engine a reply,
 * so the test can replay a session recorded in Node and compare every byte.
 * Test-side glue only: it allocates freely (hex strings); the engine under test does not.
 */
import { CardData, ENTRY_SWIPE } from "../../../firmware/txn/card-data";
import type { TxnResult } from "../../../firmware/txn/engine-api";
import type { TxnEngine } from "../../../firmware/txn/engine";
import type { TxnStores } from "../../../firmware/txn/store/txn-stores";
import { freshStores, sessionEngine } from "./on-storage";

declare const global: { [k: string]: unknown };
declare const process: { memory(gc?: boolean): { usage: number; free: number; total: number } };

const HEX = "0123456789ABCDEF";

function toHex(buf: Uint8Array, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += HEX.charAt(buf[i] >> 4) + HEX.charAt(buf[i] & 15);
  return s;
}

function hexToBinary(h: string): string {
  let s = "";
  for (let i = 0; i + 1 < h.length; i += 2) s += String.fromCharCode(parseInt(h.substr(i, 2), 16));
  return s;
}

function bytes(s: string, dst: Uint8Array): number {
  for (let i = 0; i < s.length; i++) dst[i] = s.charCodeAt(i);
  return s.length;
}

let engine: TxnEngine | null = null;
let stores: TxnStores | null = null;
let now = 0;
let lastReq = "";
let last = "";
/** The card the test presents (the engine copies what it needs at each command). */
const card = new CardData();
const pin = new Uint8Array(12);

/** Highest memory in use (no collection) seen inside the engine's calls since R("peak"). */
let peak = 0;

function sample(): void {
  const u = process.memory(false).usage;
  if (u > peak) peak = u;
}

function nowMs(): number {
  sample();
  return now;
}

function nothing(): void {}

function progress(): void {
  sample();
}

let upPending = false;

/** The link comes up after the command returns (as the app's link defers it): a shallower stack. */
function linkOpen(): void {
  sample();
  upPending = true;
}



function linkSend(buf: Uint8Array, len: number): void {
  sample();
  lastReq = toHex(buf, len);
}

function onResult(r: TxnResult): void {
  sample();
  last = summary(r);
}

function summary(r: TxnResult): string {
  return [r.outcome, r.rc0 ? String.fromCharCode(r.rc0, r.rc1) : "", r.stan, r.amount, r.balance, r.reversalPending ? 1 : 0, r.debitCount, r.creditCount].join(",");
}

function fillCard(pan: string, track2: string): void {
  card.wipe();
  card.panLen = bytes(pan, card.pan);
  card.track2Len = bytes(track2, card.track2);
  card.entryMode = ENTRY_SWIPE;
}

function pinBlock(p: string): Uint8Array | null {
  if (p === "" || engine === null) return null;
  const n = bytes(p, pin);
  const b = engine.makePinBlock(pin, n, card);
  pin.fill(0);
  return b;
}

// after the functions they name: Espruino does not hoist function declarations here
const clock = { now: nowMs };
const link = { open: linkOpen, send: linkSend, close: nothing };
const listener = { onProgress: progress, onResult: onResult };

/**
 * One dispatcher (each function costs RAM on the interpreter, about 10 blocks):
 *   R("stores", journalCapacity)  R("init", startMs, tmkHex, tid, mid)  R("signIn")
 *   R("sale", pan, track2, pin, amount)  R("psale", ...): the same prepared first (prepareSale, then
 *   the PIN block)  R("balance", pan, track2, pin)  R("void", trace, pan, track2)
 *   R("settle")  R("up") (link connected)  R("take") -> request hex  R("feed", replyHex)  R("tick", ms)
 *   R("res") -> the result since the last R("res"), ""  R("busy")  R("mem") (after a collection)
 *   R("use") (no collection)  R("peak") -> highest use seen inside the engine's calls since the last R("peak")
 */
global.R = function (cmd: string, a: any, b: any, c: any, d: any): unknown {
  const e = engine;
  let i = 0; // one declaration at the top: Espruino does not hoist a `var` from a branch
  if (cmd === "stores") {
    stores = freshStores(a);
    return stores !== null;
  }
  if (cmd === "init") {
    now = a;
    if (stores === null) return false;
    engine = sessionEngine(stores, b, c, d, clock, link, listener);
    return true;
  }
  if (cmd === "take") {
    const r = lastReq;
    lastReq = "";
    return r;
  }
  if (cmd === "res") {
    const x = last;
    last = "";
    return x;
  }
  if (cmd === "engine") return engine;
  if (cmd === "mem") return process.memory().usage;
  if (cmd === "use") return process.memory(false).usage;
  if (cmd === "peak") {
    i = peak;
    peak = 0;
    return i;
  }
  if (e === null) return false;
  if (cmd === "up") {
    while (upPending) {
      upPending = false;
      e.onLinkUp();
    }
    return true;
  }
  if (cmd === "signIn") return e.signIn();
  if (cmd === "settle") return e.settle();
  if (cmd === "busy") return e.busy();
  if (cmd === "feed") {
    e.onLinkData(hexToBinary(a));
    return true;
  }
  if (cmd === "tick") {
    now += a;
    e.tick(now);
    return true;
  }
  if (cmd === "void") {
    fillCard(b, c);
    return e.voidSale(a, card, null);
  }
  fillCard(a, b);
  if (cmd === "sale") return e.sale(d === undefined ? 0 : d, card, pinBlock(c));
  if (cmd === "psale") {
    i = e.prepareSale(d, card);
    return i > 0 && e.sale(d, card, pinBlock(c), i);
  }
  if (cmd === "balance") return e.balance(card, pinBlock(c));
  return false;
};
