/**
 * Terminal configuration, provisioned at manufacturing into the Storage file `pos.cfg` (JSON).
 * Loaded once at boot; anything missing takes the default below, anything malformed is
 * refused with a message naming the field, so a bad provisioning never half-configures a
 * terminal. The TMK lives here in clear: a general-purpose board has no secure element
 * (README "Security").
 */
import type { StoreLike } from "./hal/store";

export interface TerminalConfig {
  tid: string; // field 41, 8 chars
  mid: string; // field 42, 15 chars
  merchantName: string;
  hostIp: string;
  hostPort: number;
  /** TPDU destination/source, 4 hex digits each. */
  tpduDest: string;
  tpduSrc: string;
  /** Terminal master key, 32 hex digits (2-key 3DES) or 16 (single DES). */
  tmk: string;
  lang: string; // "en" | "zh" (printer language; the LCD shows English)
  /** Largest amount accepted at entry, fen. */
  maxAmount: number;
  connectMs: number;
  replyMs: number;
  reversalRetries: number;
  operator: string;
  printDeclined: boolean;
  wifiSsid: string;
  wifiPassword: string;
}

export const CONFIG_FILE = "pos.cfg";

export function defaultConfig(): TerminalConfig {
  return {
    tid: "10000001",
    mid: "898100012340001",
    merchantName: "DEMO MERCHANT",
    hostIp: "127.0.0.1",
    hostPort: 5000,
    tpduDest: "0001",
    tpduSrc: "0000",
    tmk: "0123456789ABCDEFFEDCBA9876543210",
    lang: "en",
    maxAmount: 5000000,
    connectMs: 10000,
    replyMs: 30000,
    reversalRetries: 3,
    operator: "01",
    printDeclined: false,
    wifiSsid: "",
    wifiPassword: "",
  };
}

// Character loops, not regular expressions: Espruino's regex engine has no {n} quantifiers.

/** `s` is exactly `len` printable ASCII characters. */
function isPrintable(s: string, len: number): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** `s` is exactly `len` hex digits. */
function isHex(s: string, len: number): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Checks one parsed config; returns "" when good, else what is wrong. */
export function validateConfig(c: TerminalConfig): string {
  if (!isPrintable(c.tid, 8)) return "tid must be 8 printable characters";
  if (!isPrintable(c.mid, 15)) return "mid must be 15 printable characters";
  if (!isHex(c.tmk, 16) && !isHex(c.tmk, 32)) return "tmk must be 16 or 32 hex digits";
  if (!isHex(c.tpduDest, 4) || !isHex(c.tpduSrc, 4)) return "tpdu must be 4 hex digits";
  if (!(c.hostPort > 0 && c.hostPort < 65536)) return "hostPort out of range";
  if (!(c.maxAmount > 0 && c.maxAmount <= 999999999999)) return "maxAmount out of range";
  if (!(c.connectMs >= 1000 && c.replyMs >= 1000)) return "timeouts must be at least 1000 ms";
  if (!(c.reversalRetries >= 1 && c.reversalRetries <= 9)) return "reversalRetries must be 1..9";
  if (c.lang !== "en" && c.lang !== "zh") return "lang must be en or zh";
  return "";
}

/**
 * Loads pos.cfg over the defaults. Returns the config and an error ("" when fine); on an
 * error the defaults are NOT silently used for the broken field: `error` is set and the app
 * shows it and refuses to transact until the terminal is provisioned again.
 */
export function loadConfig(store: StoreLike): { config: TerminalConfig; error: string } {
  const config = defaultConfig();
  const raw = store.read(CONFIG_FILE);
  if (raw === undefined) return { config: config, error: "" };
  let parsed: any;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    return { config: config, error: "pos.cfg is not valid JSON" };
  }
  const keys = Object.keys(config);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (parsed[k] === undefined) continue;
    if (typeof parsed[k] !== typeof (config as any)[k]) return { config: config, error: "pos.cfg: " + k + " has the wrong type" };
    (config as any)[k] = parsed[k];
  }
  return { config: config, error: validateConfig(config) };
}
