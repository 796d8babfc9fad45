/**
 * Boot: board profile -> configuration (pos.cfg) -> buses -> drivers -> stores -> engine ->
 * terminal loop. Only this file and firmware/boards touch Espruino's globals and built-in
 * modules; everything below gets them injected.
 *
 * A broken pos.cfg is shown on the LCD and the terminal refuses to transact (nothing else is
 * built). `T` (firmware/app/rig-api.ts) gives the HIL rig read-only views either way.
 *
 * RAM: the callbacks are module-level functions, not closures made inside boot(), so nothing
 * keeps boot's scope, and the configuration object goes once the parts have taken what they
 * need of it.
 */
import { selectBoard } from "./boards/index";
import { loadConfig, TerminalConfig } from "./config";
import type { StoreLike } from "./hal/store";
import type { Clock } from "./hal/clock";
import type { NetLike } from "./hal/socket";
import { EventRing } from "./lib/event-ring";
import { MatrixKeypad } from "./drivers/keypad";
import { Hd44780Lcd } from "./drivers/hd44780-lcd";
import { MagStripeReader } from "./drivers/msr";
import { ChipReader } from "./drivers/icc";
import { EscPosPrinter } from "./drivers/escpos-printer";
import { TxnStores } from "./txn/store/txn-stores";
import { STORE_OK, storeErrorName } from "./txn/store/codes";
import { NetLink } from "./app/net-link";
import { Terminal } from "./app/terminal";
import { makeRigApi, RigApiParts } from "./app/rig-api";
import { showFault } from "./app/fault-screen";
import { TxnEngine } from "./txn/engine";

/** Where the operator's language choice is kept (pos.cfg is the provisioning file: read-only). */
const LANG_FILE = "pos.lang";
const TICK_MS = 5;
const WATCHDOG_S = 5;

/**
 * Wall-clock ms: the board's uptime clock plus the offset the host's time sets at sign-in.
 * An offset instead of Espruino's setTime(): on Espruino for Linux setTime() stops every timer.
 */
let clockOffsetMs = 0;
const clock: Clock = {
  now: function () {
    return Math.floor(getTime() * 1000) + clockOffsetMs;
  },
};
const storage: StoreLike = require("Storage");
const board = selectBoard(process.env.BOARD);
const buses = board.wire();
const ring = new EventRing(32);
const lcd = new Hd44780Lcd({ i2c: buses.lcdI2c, address: board.lcd.address, cols: board.lcd.cols, rows: board.lcd.rows, ring: ring, clock: clock });
lcd.init();

/** A manual watchdog kicked from the loop, where the board has one. */
let kick: (() => void) | null = null;
try {
  E.enableWatchdog(WATCHDOG_S, false);
  kick = E.kickWatchdog;
} catch (e) {
  kick = null;
}

/** What T reads; the terminal and its books once booted. */
const rig: RigApiParts = { terminal: null, lcd: lcd }; // no terminal: T.state() says "FAULT"
let link: NetLink | null = null;

// T is made afresh on each read (rig-api.ts): a terminal nobody debugs keeps none of it.
Object.defineProperty(global, "T", {
  get: function () {
    return makeRigApi(rig);
  },
  configurable: true,
});

/** The host's time from the sign-in reply becomes the terminal's (the engine's setTime). */
function setClock(localMs: number): void {
  clockOffsetMs = localMs - Math.floor(getTime() * 1000);
}

/** The operator switched the printer language: keep it over a restart. */
function saveLanguage(lang: string): void {
  storage.erase(LANG_FILE);
  storage.write(LANG_FILE, lang);
}

/** The network came up (or could not). */
function onNet(net: NetLike | null): void {
  if (link !== null) link.net = net;
}

/** The loop: the terminal's tick, or only the display (and the watchdog) on a fault screen. */
function loop(): void {
  const t = rig.terminal;
  if (t !== null) t.tick();
  else {
    lcd.flush();
    if (kick) kick();
  }
}

/** Build the terminal on a checked configuration; returns why it must not transact ("" none). */
function boot(config: TerminalConfig): string {
  const savedLang = storage.read(LANG_FILE);
  if (savedLang === "en" || savedLang === "zh") config.lang = savedLang;
  const stores = new TxnStores(storage, { reversals: { retryLimit: config.reversalRetries } });
  const rc = stores.open();
  // the reversal queue / journal / counters could not be recovered: transacting now could lose
  // a reversal or reuse a trace number
  if (rc !== STORE_OK) return storeErrorName(rc);
  const keypad = new MatrixKeypad({ rows: buses.keypadRows, cols: buses.keypadCols, ring: ring, clock: clock });
  const msr = new MagStripeReader({ serial: buses.msrSerial, ring: ring, clock: clock });
  // autoRead off: the app starts the EMV read once the amount is known (9F02, the ARQC)
  const icc = new ChipReader({ serial: buses.iccSerial, presentPin: buses.iccPresent, ring: ring, clock: clock, autoRead: false });
  const printer = new EscPosPrinter({
    serial: buses.printerSerial,
    ring: ring,
    clock: clock,
    baud: buses.printerBaud,
    busyPin: buses.printerBusy || undefined,
  });
  link = new NetLink({ host: config.hostIp, port: config.hostPort, encode: E.toString });
  // the terminal first: it is the engine's listener, and gets the engine right after
  const term = new Terminal({
    clock: clock,
    ring: ring,
    lcd: lcd,
    keypad: keypad,
    msr: msr,
    icc: icc,
    printer: printer,
    config: config,
    journal: stores.journal,
    link: link,
    kick: kick,
    onLanguage: saveLanguage,
  });
  // pos.cfg's TMK as bytes (the config check made sure it is hex)
  const tmk = new Uint8Array(config.tmk.length >> 1);
  for (let i = 0; i < tmk.length; i++) tmk[i] = parseInt(config.tmk.substr(i * 2, 2), 16);
  const engine = new TxnEngine({
    config: {
      tid: config.tid,
      mid: config.mid,
      tpduDest: config.tpduDest,
      tpduSrc: config.tpduSrc,
      tmk: tmk,
      connectMs: config.connectMs,
      replyMs: config.replyMs,
      operator: config.operator,
    },
    clock: clock,
    stores: stores,
    link: link,
    listener: term,
    setTime: setClock,
  });
  term.engine = engine;
  link.listener = engine;
  rig.terminal = term;
  rig.journal = stores.journal;
  rig.reversals = stores.reversals;
  buses.net({ wifiSsid: config.wifiSsid, wifiPassword: config.wifiPassword }, onNet);
  setInterval(loop, TICK_MS);
  return "";
}

// Calls come after every function declaration: Espruino does not hoist declarations.
let loaded: { config: TerminalConfig; error: string } | null = loadConfig(storage);
const faultTitle = loaded.error ? "CONFIG ERROR" : "STORAGE ERROR";
const faultReason = loaded.error || boot(loaded.config);
loaded = null; // the parts keep what they need of the configuration: the rest can go
if (faultReason) {
  // show why and do nothing else: no stores opened (or none usable), no engine, no network
  showFault(lcd, faultTitle, faultReason);
  setInterval(loop, 50);
}
