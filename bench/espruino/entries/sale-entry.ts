/**
 * Bench entry (runs inside the interpreter): whole sales through the firmware's own TxnEngine,
 * its stores on Espruino's Storage, from the cardholder's PIN Enter to the result - the PIN
 * block written into the 0200 packed before the prompt (its 0400 stored and its MAC's blocks
 * folded then), its MAC, every state step, the 0210 unpacked and MAC-checked, the journal
 * written and the reversal cleared. The link is
 * a pair of calls: the request is dropped, the reply the host simulator gave it in Node (same
 * keys, same STANs) is handed over as the socket would hand it. Counted by txn-time.ts under
 * callgrind: N sales minus 0 sales, the same script otherwise.
 *
 *   S("init", startMs, tmkHex, tid, mid, pan, track2, pin)  stores (fresh logs) and engine
 *   S("signIn", 0, reply)  S("sale", amountFen, reply)  -> true when started (the sale as the
 *                       terminal runs it: prepared before the PIN prompt, then the PIN block
 *                       and the sale with the token at Enter)
 *   S("prepare", amountFen)  the preparation alone (prepareSale, and the connection it opens
 *                       coming up as the PIN is typed), -> its token
 *   S("pin", amountFen)  the preparation and the PIN block made before Enter, -> true
 *   S("approved")       sales approved so far
 * With `THUMB` 1 (a global set before the entry loads) DES and unpack's field walk run as the
 * Thumb-2 machine code, as on the Pico and WiFi: on an ARM interpreter that can run code in its
 * memory only.
 *
 * Test-side glue only (hex parsing at init); a sale's own glue is a few calls.
 */
import { CardData, ENTRY_SWIPE } from "../../../firmware/txn/card-data";
import { OUT_APPROVED, type TxnResult } from "../../../firmware/txn/engine-api";
import { TxnEngine } from "../../../firmware/txn/engine";
import { freshStores, sessionEngine } from "../../../test/engine/espruino/on-storage";
import { useThumb } from "../../../firmware/txn/native/thumb";

declare const global: { [k: string]: unknown };

let engine: TxnEngine | null = null;
let now = 0;
let up = false;
let approved = 0;
let pinLen = 0;
const card = new CardData();
const pinTemplate = new Uint8Array(12);
const pin = new Uint8Array(12);

// Espruino does not hoist function declarations: all declared before use.
function nowMs(): number {
  return now;
}
function nothing(): void {}
function linkOpen(): void {
  up = true;
}
function onResult(r: TxnResult): void {
  if (r.outcome === OUT_APPROVED) approved++;
}
function bytes(s: string, dst: Uint8Array): number {
  for (let i = 0; i < s.length; i++) dst[i] = s.charCodeAt(i);
  return s.length;
}
/** The link comes up after the command returns, as the app's link defers it. */
function linkUp(e: TxnEngine): void {
  while (up) {
    up = false;
    e.onLinkUp();
  }
}

const clock = { now: nowMs };
const link = { open: linkOpen, send: nothing, close: nothing };
const listener = { onProgress: nothing, onResult: onResult };

global.S = function (cmd: string, a: any, b: any, c: any, d: any, p: any, t: any, k: any): unknown {
  if (cmd === "init") {
    if (global.THUMB === 1 && !useThumb()) return false;
    const stores = freshStores(30);
    if (stores === null) return false;
    now = a;
    engine = sessionEngine(stores, b, c, d, clock, link, listener);
    card.wipe();
    card.panLen = bytes(p, card.pan);
    card.track2Len = bytes(t, card.track2);
    card.entryMode = ENTRY_SWIPE;
    pinLen = bytes(k, pinTemplate);
    return true;
  }
  if (cmd === "approved") return approved;
  const e = engine;
  if (e === null) return false;
  if (cmd === "prepare") {
    // the preparation, and the connection it opens coming up while the PIN is typed
    const t = e.prepareSale(a, card);
    linkUp(e);
    return t;
  }
  if (cmd === "pin") {
    // the preparation and the PIN block made as the last digit is typed (the terminal does it
    // at the sixth)
    const t = e.prepareSale(a, card);
    linkUp(e);
    pin.set(pinTemplate);
    const made = e.makePinBlock(pin, pinLen, card) !== null;
    pin.fill(0);
    return t > 0 && made;
  }
  let started = false;
  if (cmd === "signIn") started = e.signIn();
  else if (cmd === "sale") {
    const token = e.prepareSale(a, card);
    linkUp(e);
    // the PIN pad's digits: their block made as the last one is typed, as the terminal does
    // (a 6-digit PIN), then at Enter the block already in the request, or made now
    pin.set(pinTemplate);
    if (pinLen === 6) e.makePinBlock(pin, pinLen, card);
    let blk = e.makePinBlock(pin, 0, card);
    if (blk === null) blk = e.makePinBlock(pin, pinLen, card);
    started = token > 0 && e.sale(a, card, blk, token);
    pin.fill(0);
  }
  if (!started) return false;
  linkUp(e);
  e.onLinkData(b);
  linkUp(e);
  return true;
};
