/**
 * What a function's closures keep alive, read through V8's inspector (synchronously, on this
 * thread). Without this, a bundle that keeps its state inside one IIFE (all of ours) would
 * look nearly empty to the memory estimate. V8 shows only variables some closure captures,
 * which is what stays allocated. If the inspector is unavailable, nothing is reported and the
 * estimate falls back to what reflection sees.
 */
import inspector from "node:inspector";
import type { Realm } from "./realm";

/* eslint-disable @typescript-eslint/no-explicit-any */

interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  objectId?: string;
  description?: string;
}

interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
}

const GROUP = "vb-memory";
const PROBE = "__vb_probe";
const TAKE = "__vb_take";

export interface ClosureContents {
  /** Objects and functions held by the closure scopes (real values of the firmware's realm). */
  objects: unknown[];
  /** Primitive variables: strings by length, anything else as 0. */
  primitives: Array<string | number>;
}

export class ClosureReader {
  private session: inspector.Session | null = null;
  private taken: unknown = undefined;
  /** Scopes already counted (a scope is shared by every function defined in it). */
  private seenScopes = new Set<string>();
  private realm: Realm;

  constructor(realm: Realm) {
    try {
      const s = new inspector.Session();
      s.connect();
      this.session = s;
    } catch {
      this.session = null;
    }
    // callFunctionOn may compile in the main context or in the object's: offer the sink in both.
    const self = this;
    const sink = function (v: unknown) {
      self.taken = v;
    };
    Object.defineProperty(globalThis, TAKE, { value: sink, configurable: true, enumerable: false });
    Object.defineProperty(realm.global, TAKE, { value: sink, configurable: true, enumerable: false });
    this.realm = realm;
  }

  get available(): boolean {
    return this.session !== null;
  }

  /** The closure contents of `fn`, skipping scopes seen before; empty when unavailable. */
  read(fn: (...a: any[]) => any): ClosureContents {
    const out: ClosureContents = { objects: [], primitives: [] };
    if (!this.session) return out;
    try {
      (globalThis as any)[PROBE] = fn;
      const r = this.post("Runtime.evaluate", { expression: "globalThis." + PROBE, objectGroup: GROUP });
      const id = r.result && r.result.objectId;
      if (!id) return out;
      const props = this.post("Runtime.getProperties", { objectId: id, ownProperties: true, objectGroup: GROUP });
      const scopes = (props.internalProperties || []).find((p: PropertyDescriptor) => p.name === "[[Scopes]]");
      if (!scopes || !scopes.value || !scopes.value.objectId) return out;
      const list = this.post("Runtime.getProperties", { objectId: scopes.value.objectId, ownProperties: true, objectGroup: GROUP });
      for (const sc of list.result as PropertyDescriptor[]) {
        const v = sc.value;
        if (!v || !v.objectId || !v.description || v.description === "Global") continue;
        const vars = this.post("Runtime.getProperties", { objectId: v.objectId, ownProperties: true, objectGroup: GROUP });
        const entries = vars.result as PropertyDescriptor[];
        const key = v.description + "|" + entries.map((e) => e.name + "=" + keyOf(e.value)).join(",");
        if (this.seenScopes.has(key)) continue;
        this.seenScopes.add(key);
        for (const e of entries) this.collect(e.value, out);
      }
    } catch {
      // An inspector error only makes the estimate smaller; never fail the firmware for it.
    } finally {
      delete (globalThis as any)[PROBE];
    }
    return out;
  }

  close(): void {
    delete (globalThis as any)[TAKE];
    delete this.realm.global[TAKE];
    if (!this.session) return;
    try {
      this.post("Runtime.releaseObjectGroup", { objectGroup: GROUP });
    } catch {
      // ignore
    }
    this.session.disconnect();
    this.session = null;
  }

  private collect(v: RemoteObject | undefined, out: ClosureContents): void {
    if (!v) return;
    if (v.objectId && (v.type === "object" || v.type === "function")) {
      this.taken = undefined;
      this.post("Runtime.callFunctionOn", {
        objectId: v.objectId,
        functionDeclaration: "function () { " + TAKE + "(this); }",
        objectGroup: GROUP,
      });
      if (this.taken !== undefined) out.objects.push(this.taken);
      return;
    }
    out.primitives.push(typeof v.value === "string" ? v.value : 0);
  }

  /** Session.post answers synchronously on the main thread; refuse to guess if it did not. */
  private post(method: string, params: Record<string, unknown>): any {
    let done = false;
    let error: Error | null = null;
    let result: any;
    this.session!.post(method, params, function (err: Error | null, res: unknown) {
      done = true;
      error = err;
      result = res;
    });
    if (!done) throw new Error("inspector answered asynchronously");
    if (error) throw error;
    return result;
  }
}

function keyOf(v: RemoteObject | undefined): string {
  if (!v) return "";
  if (v.objectId) return v.type + ":" + (v.description || "");
  return typeof v.value === "string" ? "s" + v.value.length : String(v.value);
}
