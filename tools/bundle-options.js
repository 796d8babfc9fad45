// How every build of firmware code is bundled and minified, in one place: rollup.config.js
// (dist/firmware.js), the bench's marked build (bench/espruino/module-costs.ts), the bench entries
// (bench/espruino/entries/build.ts) and the interpreter tests' replay bundle
// (test/engine/espruino/build.ts). Plain JS so rollup.config.js can import it; it loads
// tools/mangle-plan.ts, which the build's tsx loader compiles.
//
// Three things save RAM on Espruino (measured with bench/boot-memory.ts, see notes/MEMORY.md):
//  - property names only the firmware's classes declare are renamed (tools/mangle-plan.ts);
//  - TypeScript's ES5 class IIFEs are unwrapped (unwrapClassIifes);
//  - the bundle's top level is the global scope, not an IIFE (FIRMWARE_FORMAT), so functions
//    defined there carry no scope link; its names then avoid every global anything else may use
//    (namesAvoiding).
import terserPlugin from "@rollup/plugin-terser";
import { minify } from "terser";
import ts from "typescript";
import { parse } from "acorn";
import { full as walkFull } from "acorn-walk";
import { writeFileSync } from "node:fs";
import { cachedManglePlan, propertyMangleOptions, summarisePlan } from "./mangle-plan.ts";

/** Terser options that keep the output ES5 and keep what Espruino needs (no property renaming). */
export const ES5_TERSER = {
  ecma: 5,
  compress: { passes: 2, unsafe_arrows: false, reduce_funcs: true },
  mangle: { toplevel: true },
  format: { comments: false, ascii_only: true },
};

/**
 * The flashed bundle's rollup output format: "cjs" is the modules' code at the top level with no
 * wrapper (the firmware has no exports), so it runs in Espruino's global scope when `.bootcde`
 * evals it. A function defined inside another keeps a link to its scope (an array of the scopes
 * when they are nested, as for methods in a class IIFE inside the bundle IIFE); one defined at the
 * global scope keeps none. Measured after boot on stub buses (bench/boot-memory.ts), from 9,526
 * blocks with the bundle IIFE and class IIFEs: classes unwrapped 8,093; global top level 8,035;
 * both 7,475.
 */
export const FIRMWARE_FORMAT = "cjs";

/**
 * Espruino's global names on every board: each "type": "function" / "variable" / "object" without a
 * class, and each "class" / "library", of the jswrap_*.c files of Espruino's source (2v29, all
 * boards), plus the pins (namesAvoiding adds A0..Z99, LEDn, BTNn).
 */
export const ESPRUINO_GLOBALS = [
  "AES", "Array", "ArrayBuffer", "ArrayBufferView", "BTNA", "BTNB", "BTND", "BTNL", "BTNR", "BTNU", "Badge",
  "Bangle", "Bluetooth", "BluetoothDevice", "BluetoothRemoteGATTCharacteristic", "BluetoothRemoteGATTServer",
  "BluetoothRemoteGATTService", "CC3000", "CN1", "CORNER1", "CORNER2", "CORNER3", "CORNER4", "CORNER5",
  "CORNER6", "DataView", "Date", "Dickens", "E", "ESP32", "ESP8266", "Error", "Ethernet", "FET", "File",
  "Flash", "Float32Array", "Float64Array", "Function", "Graphics", "HIGH", "I2C", "I2C1", "I2C2", "I2C3",
  "IOEXT0", "IOEXT1", "IOEXT2", "IOEXT3", "IRL", "IRLED", "IRR", "Infinity", "Int16Array", "Int32Array",
  "Int8Array", "InternalError", "JSON", "Jolt", "LED", "LED1", "LED2", "LOW", "LoopbackA", "LoopbackB",
  "ML1", "ML2", "MOS1", "MOS2", "MOS3", "MOS4", "MR1", "MR2", "Math", "Microbit", "Modules", "NRF", "NaN",
  "NetworkJS", "NodeMCU", "Nucleo", "Number", "Object", "OneWire", "P1", "P3", "Pin", "Pip", "Pixl",
  "Promise", "Puck", "Q", "Q0", "Q1", "Q2", "Q3", "Queue", "Qwiic", "ReferenceError", "RegExp", "SCL", "SDA",
  "SERVO", "SPI", "SPI1", "SPI2", "SPI3", "SPK", "SWDCON", "Serial", "Serial1", "Serial2", "Serial3",
  "Serial4", "Serial5", "Serial6", "Server", "Socket", "Stepper", "Storage", "StorageFile", "String",
  "SyntaxError", "TFMicroInterpreter", "Task", "Telnet", "TelnetServer", "Terminal", "Timer", "Trig",
  "TypeError", "USB", "Uint16Array", "Uint24Array", "Uint32Array", "Uint8Array", "Uint8ClampedArray",
  "Unistroke", "VIBRATE", "WIZnet", "WLAN", "Waveform", "Wifi", "WioLTE", "__FILE__", "acceleration",
  "analogRead", "analogWrite", "arguments", "atob", "btoa", "changeInterval", "clearInterval",
  "clearTimeout", "clearWatch", "compass", "console", "crypto", "decodeURIComponent", "dgram", "dgramSocket",
  "digitalPulse", "digitalRead", "digitalWrite", "dump", "echo", "edit", "encodeURIComponent", "eval", "fs",
  "getPinMode", "getSerial", "getTime", "global", "globalThis", "heatshrink", "http", "httpCRq", "httpCRs",
  "httpSRq", "httpSRs", "httpSrv", "isFinite", "isNaN", "led", "load", "neopixel", "net", "parseFloat",
  "parseInt", "peek16", "peek32", "peek8", "pinMode", "poke16", "poke32", "poke8", "print", "process",
  "require", "reset", "save", "setBusyIndicator", "setDeepSleep", "setInterval", "setSleepIndicator",
  "setTime", "setTimeout", "setWatch", "shiftOut", "show", "tensorflow", "timer", "tls", "trace", "tv",
  "url",
]

/** Names of the language itself a global must not take. */
const JS_GLOBALS = ["undefined", "NaN", "Infinity", "arguments", "eval", "global", "globalThis", "this", "require", "exports", "module"];

/** Every global name the bundle's own top-level names must avoid (the plan adds the rig's and the models'). */
export function forbiddenGlobals(plan) {
  const out = new Set(ESPRUINO_GLOBALS.concat(JS_GLOBALS));
  for (let c = 65; c <= 90; c++) for (let i = 0; i < 100; i++) out.add(String.fromCharCode(c) + i); // pins A0..Z99
  for (let i = 0; i <= 8; i++) out.add("LED" + i), out.add("BTN" + i);
  out.add("LED");
  out.add("BTN");
  if (plan) for (const g of plan.globals) out.add(g);
  return out;
}

const FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_";
const REST = FIRST + "0123456789";

/** The n-th identifier: a..z, A..Z, $, _, then two characters, and so on. */
function nthName(n) {
  let s = FIRST[n % FIRST.length];
  n = Math.floor(n / FIRST.length);
  while (n > 0) {
    n--;
    s += REST[n % REST.length];
    n = Math.floor(n / REST.length);
  }
  return s;
}

/**
 * terser `mangle.nth_identifier` that never produces a name in `forbidden`. Not `mangle.reserved`:
 * that keeps a declaration of a reserved name unrenamed (a firmware class called Terminal would
 * become the global Terminal), where this renames it to a free name like any other.
 */
export function namesAvoiding(forbidden) {
  const names = [];
  let k = 0;
  return {
    get(n) {
      while (names.length <= n) {
        const c = nthName(k++);
        if (!forbidden.has(c)) names.push(c);
      }
      return names[n];
    },
  };
}

/** ES5_TERSER plus `mangle.properties` from a plan (tools/mangle-plan.ts); `nameCache` receives terser's renames. */
export function firmwareTerserOptions(plan, nameCache) {
  const props = plan ? propertyMangleOptions(plan) : false;
  const out = { ...ES5_TERSER, mangle: { ...ES5_TERSER.mangle, properties: props } };
  if (nameCache) out.nameCache = nameCache;
  return out;
}

/** The names a script declares at its top level (var, function), and every identifier it uses. */
function topLevelNames(code) {
  // any ECMAScript version: a bundle with ES2015+ left in still builds, for the ES5 guard to name it
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script" });
  const top = new Set();
  for (const st of ast.body) {
    if ((st.type === "FunctionDeclaration" || st.type === "ClassDeclaration") && st.id) top.add(st.id.name);
    else if (st.type === "VariableDeclaration") for (const d of st.declarations) if (d.id.type === "Identifier") top.add(d.id.name);
  }
  const all = new Set();
  walkFull(ast, (n) => {
    if (n.type === "Identifier") all.add(n.name);
  });
  return { top, all };
}

/**
 * Names for the top level of a minified script that is the global scope (minified with
 * mangle.toplevel off, so its top-level names are still the source's): a second terser pass
 * renames only those (every other identifier is mangle.reserved) to names from
 * namesAvoiding(forbidden) that no other identifier of the script uses either. Locals keep their
 * one-letter names; the top level, which meets the pins (A0, B3 ...), E and the rig's and
 * bench's short globals, takes what is free.
 */
export async function renameTopLevel(code, forbidden, map) {
  const { top, all } = topLevelNames(code);
  const keep = [];
  for (const n of all) if (!top.has(n)) keep.push(n);
  const taken = new Set(forbidden);
  for (const n of keep) taken.add(n);
  const out = await minify(code, {
    ecma: 5,
    compress: false,
    mangle: { toplevel: true, reserved: keep, nth_identifier: namesAvoiding(taken) },
    format: ES5_TERSER.format,
    sourceMap: map ? { content: map, asObject: true } : false,
  });
  return { code: out.code, map: out.map || null };
}

const logged = new Set();

/**
 * Rollup output plugin: terser with the firmware's options and its property-renaming plan,
 * computed (or read from its cache) when the first chunk is rendered. In this process, not
 * @rollup/plugin-terser's workers: the name generator is a function.
 *   plan:   options for tools/mangle-plan.ts (extraFiles: an entry outside tsconfig.json's files);
 *           false to rename no properties
 *   report: write { renamed: {name: short}, kept: [...] } there; true: beside the output file
 *           (dist/firmware.js -> dist/firmware.mangle.json)
 *   quiet:  no summary line on the console
 *   onRenames(map): called with { name: short } after each chunk
 * With output format FIRMWARE_FORMAT the top level is the global scope: its names then avoid every
 * other global (forbiddenGlobals, renameTopLevel).
 */
export function firmwareTerser(options = {}) {
  let plan;
  return {
    name: "firmware-terser",
    async renderChunk(code, chunk, outputOptions) {
      if (plan === undefined) {
        plan = options.plan === false ? null : cachedManglePlan(options.plan || {});
        if (plan && !options.quiet) {
          const line = summarisePlan(plan);
          if (!logged.has(line)) {
            console.log(line + (plan.cached ? " (cached plan)" : ""));
            if (plan.kept.length) console.log("mangle-plan: kept " + plan.kept.map((k) => k.name).join(" ") + (options.report ? " (why: the .mangle.json beside the bundle)" : ""));
          }
          logged.add(line);
        }
      }
      const nameCache = {};
      const globalScope = outputOptions.format === "cjs" || outputOptions.format === "es";
      const opts = firmwareTerserOptions(plan, nameCache);
      // the global scope: drop and inline at the top level too, but name it in a second pass
      if (globalScope) opts.compress = { ...opts.compress, toplevel: true };
      if (globalScope) opts.mangle = { ...opts.mangle, toplevel: false };
      const wantMap = !!outputOptions.sourcemap;
      if (wantMap) opts.sourceMap = { asObject: true };
      let out = await minify(code, opts);
      if (globalScope) out = await renameTopLevel(out.code, forbiddenGlobals(plan), wantMap ? out.map : null);
      const renamed = {};
      const props = nameCache.props && nameCache.props.props;
      if (props) for (const k of Object.keys(props)) renamed[k.replace(/^\$/, "")] = props[k];
      if (options.onRenames) options.onRenames(renamed);
      if (options.report && plan) {
        const file = options.report === true ? (outputOptions.file || "bundle.js").replace(/\.js$/, "") + ".mangle.json" : options.report;
        writeFileSync(file, JSON.stringify({ renamed: renamed, kept: plan.kept }, null, 1));
      }
      return { code: out.code, map: wantMap ? out.map : null };
    },
  };
}

/** @rollup/plugin-terser with ES5_TERSER: for the device models (no property renaming, an IIFE). */
export function es5Terser() {
  return terserPlugin(ES5_TERSER);
}

/** The typescript plugin's `transformers` for firmware code (the class IIFEs unwrapped). */
export const FIRMWARE_TRANSFORMERS = { after: [unwrapClassIifes] };

/**
 * TypeScript `after` transformer: a top-level ES5 class
 *   var X = /** @class *\/ (function () { function X() {...} X.prototype.m = ...; return X; }());
 * becomes its inner statements at module level. The IIFE's scope otherwise stays alive, and every
 * method defined in it links to it and to the scopes around it (~2 blocks per method on Espruino,
 * 1,433 blocks for the firmware: see FIRMWARE_FORMAT). Only the
 * plain shape is unwrapped: no parameters (no `extends`), and nothing in the body but the
 * constructor, expression statements and the final `return X`.
 */
export function unwrapClassIifes(context) {
  const f = context.factory;
  const unwrap = (st) => {
    if (!ts.isVariableStatement(st) || st.declarationList.declarations.length !== 1) return null;
    if (st.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) return null;
    const d = st.declarationList.declarations[0];
    if (!ts.isIdentifier(d.name) || !d.initializer) return null;
    const name = d.name.text;
    let e = d.initializer;
    while (ts.isParenthesizedExpression(e) || ts.isPartiallyEmittedExpression(e)) e = e.expression;
    if (!ts.isCallExpression(e) || e.arguments.length !== 0) return null;
    let fn = e.expression;
    while (ts.isParenthesizedExpression(fn) || ts.isPartiallyEmittedExpression(fn)) fn = fn.expression;
    if (!ts.isFunctionExpression(fn) || fn.parameters.length !== 0 || fn.name) return null;
    const body = fn.body.statements;
    if (body.length < 2) return null;
    const ret = body[body.length - 1];
    if (!ts.isReturnStatement(ret) || !ret.expression) return null;
    let r = ret.expression;
    while (ts.isPartiallyEmittedExpression(r)) r = r.expression;
    if (!ts.isIdentifier(r) || r.text !== name) return null;
    let ctor = 0;
    for (let i = 0; i < body.length - 1; i++) {
      const s = body[i];
      if (ts.isFunctionDeclaration(s) && s.name && s.name.text === name) ctor++;
      else if (!ts.isExpressionStatement(s)) return null;
    }
    if (ctor !== 1) return null;
    return body.slice(0, body.length - 1);
  };
  return (sf) => {
    let changed = false;
    const out = [];
    for (const st of sf.statements) {
      const inner = unwrap(st);
      if (inner) {
        changed = true;
        for (const s of inner) out.push(s);
      } else out.push(st);
    }
    return changed ? f.updateSourceFile(sf, out) : sf;
  };
}
