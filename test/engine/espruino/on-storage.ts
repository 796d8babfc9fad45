/**
 * What the interpreter-side entries (replay-entry.ts here, bench/espruino/entries/sale-entry.ts)
 * set up alike: the engine's stores on Espruino's own Storage with fresh logs, and the recorded
 * session's terminal (session.ts: TPDU 0001/0000, operator 01, 1 s timeouts) with its TMK from hex.
 * Runs inside the interpreter; allocates freely (set-up, not the engine under test).
 */
import type { StoreLike } from "../../../firmware/hal/store";
import type { EngineListener, HostLink } from "../../../firmware/txn/engine-api";
import type { Clock } from "../../../firmware/hal/clock";
import { TxnEngine } from "../../../firmware/txn/engine";
import { TxnStores } from "../../../firmware/txn/store/txn-stores";

declare function require(module: string): unknown;

/** Stores on require("Storage"), every log erased first; null when they do not open. */
export function freshStores(journalCapacity: number): TxnStores | null {
  const storage = require("Storage") as StoreLike;
  const names = storage.list(/^(ct|jn|rv|rm)[AB]$/);
  for (let i = 0; i < names.length; i++) storage.erase(names[i]);
  const stores = new TxnStores(storage, { journal: { capacity: journalCapacity }, reversals: { maxMessage: 128 } });
  return stores.open() === 0 ? stores : null;
}

/** The recorded session's terminal over `stores`. */
export function sessionEngine(stores: TxnStores, tmkHex: string, tid: string, mid: string, clock: Clock, link: HostLink, listener: EngineListener): TxnEngine {
  const tmk = new Uint8Array(tmkHex.length / 2);
  for (let i = 0; i < tmk.length; i++) tmk[i] = parseInt(tmkHex.substr(i * 2, 2), 16);
  return new TxnEngine({
    config: { tid: tid, mid: mid, tpduDest: "0001", tpduSrc: "0000", tmk: tmk, connectMs: 1000, replyMs: 1000, operator: "01" },
    clock: clock,
    stores: stores,
    link: link,
    listener: listener,
  });
}
