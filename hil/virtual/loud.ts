/**
 * The virtual board never silently lies about what a board has: whatever the firmware
 * reaches for that is not emulated throws, naming it. Provided objects are wrapped in a
 * Proxy that throws on unknown property names; known Espruino globals that are not
 * emulated are getters that throw; JavaScript built-ins Espruino lacks throw too.
 */
import type { Realm } from "./realm";

/** Property names tools and runtimes probe on any object; reading them is not a board call. */
const HARMLESS = new Set([
  "toJSON", "then", "inspect", "constructor", "nodeType", "$$typeof", "asymmetricMatch",
  "prototype", "__proto__", "length", "name", "valueOf", "toString",
]);

export function notProvided(realm: Realm, what: string): Error {
  return realm.error("virtual board does not provide " + what);
}

/**
 * Wrap a provided object so reading a property it lacks throws
 * "virtual board does not provide <name>.<key>". Symbols and HARMLESS names pass through.
 */
export function strict<T extends object>(realm: Realm, name: string, target: T): T {
  const proxy = new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === "symbol" || key in t) return Reflect.get(t, key, receiver);
      if (HARMLESS.has(key)) return undefined;
      throw notProvided(realm, name + "." + key);
    },
  });
  targets.set(proxy, target);
  return proxy;
}

const targets = new WeakMap<object, object>();

/** The object behind a `strict` proxy (or the object itself). */
export function unwrap<T extends object>(obj: T): T {
  return (targets.get(obj) as T) || obj;
}

/** Espruino globals (functions, objects, classes) this emulation does not provide. */
export const UNEMULATED_GLOBALS = [
  "analogRead", "analogWrite", "digitalPulse", "shiftOut", "getSerial", "peek8", "peek16", "peek32",
  "poke8", "poke16", "poke32", "save", "dump", "reset", "edit", "echo", "trace",
  "setBusyIndicator", "setSleepIndicator", "setDeepSleep", "show", "led", "acceleration", "compass",
  "Wifi", "WLAN", "Ethernet", "WIZnet", "CC3000", "ESP8266", "ESP32", "NRF", "Bluetooth",
  "BluetoothDevice", "Graphics", "Waveform", "OneWire", "Stepper", "Modules", "Flash", "Telnet",
  "TelnetServer", "Terminal", "Trig", "AES", "SWDCON", "SPI2", "SPI3", "Serial", "I2C", "SPI", "Pin",
  "Puck", "Pixl", "Bangle", "Badge", "Jolt", "Microbit", "WioLTE", "Qwiic", "tensorflow",
  "TFMicroInterpreter", "Unistroke", "Dickens", "url", "Socket", "Server", "StorageFile",
];

/** What V8 has and Espruino does not (shared/ESPRUINO.md), so the firmware must not rely on. */
export const NOT_IN_ESPRUINO = [
  "Map", "Set", "WeakMap", "WeakSet", "Symbol", "Proxy", "Reflect", "BigInt", "BigInt64Array",
  "BigUint64Array", "WeakRef", "FinalizationRegistry", "Intl", "WebAssembly", "SharedArrayBuffer",
  "Atomics", "AggregateError",
];

/** Static methods V8 has that Espruino lacks: [owner global, property]. */
export const STATICS_NOT_IN_ESPRUINO: Array<[string, string]> = [
  ["Array", "from"], ["Array", "of"], ["Uint8Array", "from"], ["Uint8Array", "of"],
  ["Number", "isInteger"], ["Number", "isFinite"], ["Number", "isNaN"], ["Number", "isSafeInteger"],
  ["String", "raw"], ["Promise", "allSettled"], ["Promise", "any"], ["Object", "fromEntries"],
];

/** Install the throwing getters on the context's global (after the realm helpers ran). */
export function installLoudGlobals(realm: Realm): void {
  for (const name of UNEMULATED_GLOBALS) {
    realm.defineGlobalGetter(name, function () {
      throw notProvided(realm, name);
    });
  }
  for (const name of NOT_IN_ESPRUINO) {
    realm.defineGlobalGetter(name, function () {
      throw realm.error("virtual board: Espruino has no " + name);
    });
  }
  for (const [owner, prop] of STATICS_NOT_IN_ESPRUINO) {
    const target = realm.global[owner];
    if (!target) continue;
    Object.defineProperty(target, prop, {
      get: function () {
        throw realm.error("virtual board: Espruino has no " + owner + "." + prop);
      },
      configurable: true,
    });
  }
}
