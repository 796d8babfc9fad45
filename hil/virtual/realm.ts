/**
 * One powered-on lifetime of the virtual board's JavaScript heap: a Node `vm` context plus
 * helpers that make values in the context's own realm (so `x instanceof Uint8Array` and
 * `e instanceof Error` hold inside the firmware) and run firmware callbacks the way
 * Espruino's event loop does: each call is one task, and Promise jobs it queues run right
 * after it (the context has its own microtask queue, drained after every entry).
 */
import vm from "node:vm";

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyFn = (...args: any[]) => any;

const ENTRY_NAME = "__vb_entry";
const UNHANDLED_NAME = "__vb_unhandled";

/**
 * Runs inside the context once: replaces `Promise` with a subclass that notices rejections
 * nobody handles, as Espruino reports them ("Unhandled promise rejection: ..."), instead
 * of leaking them to the host process. Reads the real Promise before anything can hide it.
 */
const PROMISE_TRACKER = `(function (g) {
  var Base = g.Promise, unhandled = [], baseThen = Base.prototype.then, early = null;
  function hide(o, k, v) { Object.defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: false }); }
  function remove(p) { var i = unhandled.indexOf(p); if (i >= 0) unhandled.splice(i, 1); }
  function note(p, reason) { if (!p.__vbHandled) { hide(p, "__vbReason", reason); unhandled.push(p); } }
  class P extends Base {
    constructor(executor) {
      var self = null;
      super(function (resolve, reject) {
        executor(resolve, function (reason) {
          if (self) note(self, reason); else early = { reason: reason };
          reject(reason);
        });
      });
      self = this;
      if (early) { var r = early.reason; early = null; note(this, r); }
    }
    then(a, b) { hide(this, "__vbHandled", true); remove(this); return baseThen.call(this, a, b); }
  }
  hide(g, "Promise", P);
  return function takeUnhandled() {
    var out = [];
    for (var i = 0; i < unhandled.length; i++) {
      out.push(unhandled[i].__vbReason);
      baseThen.call(unhandled[i], undefined, function () {}); // reported here; keep it from the host
    }
    unhandled = [];
    return out;
  };
})(globalThis)`;

export class Realm {
  readonly ctx: vm.Context;
  /** The context's global object (Espruino's `global`). */
  readonly global: any;
  readonly Error: ErrorConstructor;
  readonly TypeError: TypeErrorConstructor;
  readonly Uint8Array: Uint8ArrayConstructor;
  readonly ArrayBuffer: ArrayBufferConstructor;
  readonly JSON: JSON;
  private readonly newObject: () => any;
  private readonly newArray: () => any[];
  private readonly entry = new vm.Script(ENTRY_NAME + "()", { filename: "virtual-board:entry" });
  private readonly takeUnhandled: () => unknown[];
  private pending: { fn: AnyFn; self: unknown; args: unknown[] } | null = null;
  private depth = 0;

  constructor() {
    this.ctx = vm.createContext({}, { microtaskMode: "afterEvaluate", codeGeneration: { strings: true, wasm: false } });
    this.global = vm.runInContext("globalThis", this.ctx);
    const get = (name: string) => vm.runInContext(name, this.ctx);
    this.Error = get("Error");
    this.TypeError = get("TypeError");
    this.Uint8Array = get("Uint8Array");
    this.ArrayBuffer = get("ArrayBuffer");
    this.JSON = get("JSON");
    this.newObject = get("(function () { return {}; })");
    this.newArray = get("(function () { return []; })");
    this.takeUnhandled = vm.runInContext(PROMISE_TRACKER, this.ctx);
    const self = this;
    Object.defineProperty(this.global, ENTRY_NAME, {
      value: function () {
        const p = self.pending!;
        self.pending = null;
        return p.fn.apply(p.self, p.args);
      },
      enumerable: false,
    });
  }

  /** A plain object of this realm with the given own properties. */
  object(fields?: Record<string, unknown>): any {
    const o = this.newObject();
    if (fields) for (const k of Object.keys(fields)) o[k] = fields[k];
    return o;
  }

  array(items: ArrayLike<unknown>): any[] {
    const a = this.newArray();
    for (let i = 0; i < items.length; i++) a.push(items[i]);
    return a;
  }

  bytes(src: ArrayLike<number> | number): Uint8Array {
    if (typeof src === "number") return new this.Uint8Array(src);
    const out = new this.Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i];
    return out;
  }

  error(message: string): Error {
    return new this.Error(message);
  }

  typeError(message: string): Error {
    return new this.TypeError(message);
  }

  /** Evaluate source at global scope, like a script loaded on the board. */
  run(code: string, filename: string): unknown {
    return vm.runInContext(code, this.ctx, { filename: filename });
  }

  /** Compile source that evaluates to a function, inside this realm. */
  fn<T extends AnyFn>(source: string): T {
    return vm.runInContext(source, this.ctx) as T;
  }

  /**
   * Call a firmware function as one event-loop task; Promise jobs it queued run before this
   * returns. Exceptions propagate to the caller. A call made while one is already running
   * (a model reacting synchronously) runs inline, as part of the outer task.
   */
  enter(fn: AnyFn, self: unknown, args: unknown[]): unknown {
    if (this.depth > 0) return fn.apply(self, args);
    this.pending = { fn: fn, self: self, args: args };
    this.depth++;
    try {
      return this.entry.runInContext(this.ctx);
    } finally {
      this.depth--;
      this.pending = null;
    }
  }

  /** True while firmware code is running (inside `enter`). */
  busy(): boolean {
    return this.depth > 0;
  }

  /** Rejections no handler took since the last call (reasons, oldest first). */
  unhandledRejections(): unknown[] {
    return this.takeUnhandled();
  }

  defineGlobal(name: string, value: unknown, enumerable = false): void {
    Object.defineProperty(this.global, name, { value: value, writable: true, configurable: true, enumerable: enumerable });
  }

  defineGlobalGetter(name: string, get: () => unknown): void {
    Object.defineProperty(this.global, name, { get: get, configurable: true, enumerable: false });
  }

  /** Whether a value is a function of this realm or the host (both callable from firmware). */
  static isFunction(v: unknown): v is AnyFn {
    return typeof v === "function";
  }
}
