/**
 * A rough model of Espruino's memory use in blocks ("JsVars", ~16 bytes on a Pico), for
 * `E.getSizeOf` and `process.memory()`. It is an ESTIMATE, not a measurement:
 *  - a number/boolean/null is 1 block; a string 1 block for up to 9 chars, +1 per 12 more;
 *  - an object or array is 1 block, plus per property a name block (+1 per 12 chars past 4)
 *    and its value (an integer under a short name shares the name block, as Espruino packs it);
 *  - a typed array is 2 blocks plus its bytes at 12 per block;
 *  - a function is 3 blocks plus its properties (code is assumed to stay in flash, as when
 *    the bundle boots from Storage), plus what its closures hold when a ClosureReader is
 *    given (closures.ts: one name block per captured variable and its value). Without one,
 *    closure state is invisible and the figure is far too low for an IIFE bundle.
 * Objects reached twice count once. Numbers are tuned to shared/ESPRUINO.md's figures
 * ({a:1} = 2 blocks, a 100-char string ~ 10 blocks), not to a real interpreter's heap.
 */

import type { ClosureReader } from "./closures";

/* eslint-disable @typescript-eslint/no-explicit-any */

function stringBlocks(len: number): number {
  return len <= 9 ? 1 : 1 + Math.ceil((len - 9) / 12);
}

function nameBlocks(name: string): number {
  return name.length <= 4 ? 1 : 1 + Math.ceil((name.length - 4) / 12);
}

export class SizeEstimator {
  private seen = new Set<object>();
  constructor(
    private closures: ClosureReader | null = null,
    /** False for the board's own objects and host functions: counted as 1 block, not entered. */
    private ownedByFirmware: (o: object) => boolean = () => true,
    private maxDepth = 64,
  ) {}

  /** Objects that cost the firmware nothing (built-ins, the board's own objects). */
  ignore(objects: Iterable<object>): void {
    for (const o of objects) this.seen.add(o);
  }

  /** Blocks for `v` (objects already counted by this estimator add nothing). */
  size(v: unknown, depth = 0): number {
    if (v === null || v === undefined) return 1;
    const t = typeof v;
    if (t === "string") return stringBlocks((v as string).length);
    if (t !== "object" && t !== "function") return 1;
    const o = v as object;
    if (this.seen.has(o)) return 0;
    this.seen.add(o);
    if (!this.ownedByFirmware(o)) return 1;
    try {
      return this.objectSize(o, t === "function", depth);
    } catch {
      return 1; // an exotic object (a prototype, a revoked proxy): count it, do not fail
    }
  }

  private objectSize(o: object, isFunction: boolean, depth: number): number {
    const t = isFunction ? "function" : "object";
    if (ArrayBuffer.isView(o)) return 2 + Math.ceil((o as ArrayBufferView).byteLength / 12);
    if (Object.prototype.toString.call(o) === "[object ArrayBuffer]") return 1 + Math.ceil((o as ArrayBuffer).byteLength / 12);
    let total = t === "function" ? 3 : 1;
    if (depth >= this.maxDepth) return total;
    let names: string[];
    try {
      names = Object.getOwnPropertyNames(o);
    } catch {
      return total;
    }
    for (const k of names) {
      if (t === "function" && (k === "length" || k === "name" || k === "prototype" || k === "arguments" || k === "caller")) continue;
      if (Array.isArray(o) && k === "length") continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (!d) continue;
      if (!("value" in d)) {
        total += nameBlocks(k);
        continue;
      }
      const val = d.value;
      const packed = typeof val === "number" && Number.isInteger(val) && k.length <= 4;
      total += nameBlocks(k) + (packed ? 0 : this.size(val, depth + 1));
    }
    if (t === "function" && this.closures) {
      const c = this.closures.read(o as (...a: any[]) => any);
      for (const p of c.primitives) total += 1 + (typeof p === "string" ? stringBlocks(p.length) : 0);
      for (const v of c.objects) total += 1 + this.size(v, depth + 1);
    }
    if (t === "function") {
      const proto = (o as any).prototype;
      if (proto && typeof proto === "object" && Object.getOwnPropertyNames(proto).length > 1) total += this.size(proto, depth + 1);
    }
    return total;
  }
}

/** `E.getSizeOf(v)`: blocks for one value, counted on its own. */
export function sizeOf(v: unknown): number {
  return new SizeEstimator().size(v);
}

/** Blocks the interpreter itself holds at boot before any code (root, built-ins, pins): a guess. */
export const BASE_USAGE_BLOCKS = 120;
