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
  // Character loops, not regular expressions: Espruino's regex engine has no {n} quantifiers.
  // Each text field: its value, the lengths it may have, hex digits (else printable ASCII).
  const c = config;
  const texts: [string, number, number, boolean, string][] = [
    [c.tid, 8, 8, false, "tid must be 8 printable characters"],
    [c.mid, 15, 15, false, "mid must be 15 printable characters"],
    [c.tmk, 16, 32, true, "tmk must be 16 or 32 hex digits"],
    [c.tpduDest, 4, 4, true, "tpdu must be 4 hex digits"],
    [c.tpduSrc, 4, 4, true, "tpdu must be 4 hex digits"],
  ];
  let error = "";
  for (let i = 0; i < texts.length && !error; i++) {
    const s = texts[i][0];
    const hex = texts[i][3];
    let ok = s.length === texts[i][1] || s.length === texts[i][2];
    for (let k = 0; ok && k < s.length; k++) {
      const ch = s.charCodeAt(k);
      ok = hex ? (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66) : ch >= 0x20 && ch <= 0x7e;
    }
    if (!ok) error = texts[i][4];
  }
  if (!error) {
    if (!(c.hostPort > 0 && c.hostPort < 65536)) error = "hostPort out of range";
    else if (!(c.maxAmount > 0 && c.maxAmount <= 999999999999)) error = "maxAmount out of range";
    else if (!(c.connectMs >= 1000 && c.replyMs >= 1000)) error = "timeouts must be at least 1000 ms";
    else if (!(c.reversalRetries >= 1 && c.reversalRetries <= 9)) error = "reversalRetries must be 1..9";
    else if (c.lang !== "en" && c.lang !== "zh") error = "lang must be en or zh";
  }
  return { config: config, error: error };
}
