/**
 * Text the way Espruino prints values: `print`/`console.log` arguments, REPL results
 * (`=value`) and "Uncaught ..." lines. Close to Espruino's own output, not byte-identical
 * for every type (functions print their source or `function () {...}`).
 */

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Marks objects (like Pin) that print as a bare name. */
export const PRINT_AS = "__vbPrintAs";

const TYPED_NAMES = [
  "Uint8Array", "Int8Array", "Uint8ClampedArray", "Uint16Array", "Int16Array",
  "Uint32Array", "Int32Array", "Float32Array", "Float64Array",
];

function typedName(v: object): string | null {
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  return TYPED_NAMES.indexOf(tag) >= 0 ? tag : null;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** One value as Espruino's JSON-ish printer shows it. `dropQuotes`: the REPL's key style. */
export function formatValue(v: any, dropQuotes = false, depth = 0): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  const t = typeof v;
  if (t === "string") return JSON.stringify(v);
  if (t === "number" || t === "boolean") return String(v);
  if (t === "function") return "function () {...}";
  if (t !== "object") return String(v);
  if (PRINT_AS in v) return String(v[PRINT_AS]);
  if (depth > 4) return "...";
  const tn = typedName(v);
  if (tn) return "new " + tn + "([" + Array.prototype.join.call(v, ", ") + "])";
  const tag = Object.prototype.toString.call(v);
  if (tag === "[object ArrayBuffer]") return "new Uint8Array([" + Array.prototype.join.call(new Uint8Array(v), ", ") + "]).buffer";
  if (tag === "[object Error]") return errorText(v);
  if (tag === "[object Date]") return "Date: " + String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[ ]";
    const parts: string[] = [];
    for (let i = 0; i < v.length; i++) parts.push(formatValue(v[i], dropQuotes, depth + 1));
    return "[ " + parts.join(", ") + " ]";
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return "{ }";
  const parts: string[] = [];
  for (const k of keys) {
    const key = dropQuotes && IDENT.test(k) ? k : JSON.stringify(k);
    parts.push(key + ": " + formatValue(v[k], dropQuotes, depth + 1));
  }
  return "{ " + parts.join(", ") + " }";
}

/** `print(a, b)`: strings as they are, other values formatted, joined by spaces. */
export function formatArgs(args: ArrayLike<any>): string {
  const parts: string[] = [];
  for (let i = 0; i < args.length; i++) parts.push(typeof args[i] === "string" ? args[i] : formatValue(args[i]));
  return parts.join(" ");
}

/** "Error: message" for error objects of any realm; other thrown values as text. */
export function errorText(e: any): string {
  if (e && typeof e === "object" && typeof e.message === "string") {
    const name = typeof e.name === "string" && e.name ? e.name : "Error";
    return e.message ? name + ": " + e.message : name;
  }
  return typeof e === "string" ? e : formatValue(e);
}
