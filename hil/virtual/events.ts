/**
 * Espruino's event methods on provided objects (`on`, `removeListener`, `emit`, ...).
 * Listeners live in a host-side table, so they never show up as properties of the object.
 * Events the board raises run each listener as its own task (errors print "Uncaught ...");
 * `obj.emit()` called by the firmware runs them inline, as Espruino does.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type Listener = (...a: any[]) => any;

import { unwrap } from "./loud";

const table = new WeakMap<object, Map<string, Listener[]>>();

function listenersOf(obj: object, event: string, create: boolean): Listener[] {
  let m = table.get(obj);
  if (!m) {
    m = new Map();
    table.set(obj, m);
  }
  let l = m.get(event);
  if (!l && create) {
    l = [];
    m.set(event, l);
  }
  return l || [];
}

/** Add the event methods to a (not yet proxied) object. */
export function addEvents(o: any): void {
  o.on = o.addListener = function (event: string, fn: Listener) {
    if (typeof fn !== "function") throw new TypeError("on(" + event + ", ...) needs a function");
    listenersOf(o, String(event), true).push(fn);
    return this;
  };
  o.prependListener = function (event: string, fn: Listener) {
    listenersOf(o, String(event), true).unshift(fn);
    return this;
  };
  o.removeListener = function (event: string, fn: Listener) {
    const l = listenersOf(o, String(event), false);
    const i = l.indexOf(fn);
    if (i >= 0) l.splice(i, 1);
    return this;
  };
  o.removeAllListeners = function (event?: string) {
    const m = table.get(o);
    if (!m) return this;
    if (event === undefined) m.clear();
    else m.delete(String(event));
    return this;
  };
  o.emit = function (event: string, ...args: unknown[]) {
    for (const fn of listenersOf(o, String(event), false).slice()) fn.apply(this, args);
    return this;
  };
}

export function hasListeners(obj: object, event: string): boolean {
  return listenersOf(unwrap(obj), event, false).length > 0;
}

export function listenerCount(obj: object): number {
  const m = table.get(unwrap(obj));
  let n = 0;
  if (m) for (const l of m.values()) n += l.length;
  return n;
}

export function allListeners(obj: object): Listener[] {
  const m = table.get(unwrap(obj));
  const out: Listener[] = [];
  if (m) for (const l of m.values()) out.push(...l);
  return out;
}

/** Raise an event from the board: each listener is one task. */
export function emit(
  host: { call(fn: Listener, self: unknown, args: unknown[]): void },
  obj: object,
  event: string,
  args: unknown[],
): void {
  for (const fn of listenersOf(unwrap(obj), event, false).slice()) host.call(fn, obj, args);
}
