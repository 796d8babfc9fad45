/**
 * Boot: board profile -> configuration (pos.cfg) -> buses -> drivers -> stores -> engine ->
 * terminal loop. Only this file and firmware/boards touch Espruino's globals and built-in
 * modules; everything below gets them injected.
 *
 * A broken pos.cfg is shown on the LCD and the terminal refuses to transact (nothing else is
 * built). `global.T` (firmware/app/rig-api.ts) gives the HIL rig read-only views either way.
 */
import { selectBoard } from "./boards/index";
import { loadConfig, TerminalConfig } from "./config";
import type { StoreLike } from "./hal/store";
import type { Clock } from "./hal/clock";
import { EventRing } from "./lib/event-ring";
import { MatrixKeypad } from "./drivers/keypad";
import { Hd44780Lcd } from "./drivers/hd44780-lcd";
import { MagStripeReader } from "./drivers/msr";
import { ChipReader } from "./drivers/icc";
import { EscPosPrinter } from "./drivers/escpos-printer";
import { TxnStores } from "./txn/store/txn-stores";
import { STORE_OK, storeErrorName } from "./txn/store/codes";
import type { TxnEngineApi, TxnResult, HostLink } from "./txn/engine-api";
import { NetLink } from "./app/net-link";
import { Terminal } from "./app/terminal";
import { makeRigApi } from "./app/rig-api";
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
const loaded = loadConfig(storage);
const cfg = loaded.config;
const savedLang = storage.read(LANG_FILE);
if (savedLang === "en" || savedLang === "zh") cfg.lang = savedLang;

const buses = board.wire();
const ring = new EventRing(32);
const lcd = new Hd44780Lcd({ i2c: buses.lcdI2c, address: board.lcd.address, cols: board.lcd.cols, rows: board.lcd.rows, ring: ring, clock: clock });
lcd.init();


/** Show why and do nothing else: no stores opened, no engine, no network. */
function refuse(title: string, reason: string): void {
  showFault(lcd, title, reason);
  global.T = makeRigApi({
    terminal: null,
    faultState: "FAULT",
    lcdRows: function () {
      const rows: string[] = [];
      for (let r = 0; r < lcd.rows; r++) rows.push(lcd.text(r));
      return rows;
    },
  });
  setInterval(function () {
    lcd.flush();
    if (kick) kick();
  }, 50);
}

function boot(config: TerminalConfig): void {
  const stores = new TxnStores(storage, { reversals: { retryLimit: config.reversalRetries } });
  const rc = stores.open();
  if (rc !== STORE_OK) {
    // the reversal queue / journal / counters could not be recovered: transacting now could
    // lose a reversal or reuse a trace number
    refuse("STORAGE ERROR", storeErrorName(rc));
    return;
  }
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
  const link = new NetLink({
    host: config.hostIp,
    port: config.hostPort,
    encode: function (buf: Uint8Array, len: number) {
      return E.toString(buf.subarray(0, len));
    },
  });
  let term: Terminal | null = null;
  const engine = makeEngine(config, stores, link, {
    onProgress: function (stage: number) {
      if (term) term.onProgress(stage);
    },
    onResult: function (r: TxnResult) {
      if (term) term.onResult(r);
    },
  });
  link.attach(engine);
  term = new Terminal({
    clock: clock,
    ring: ring,
    lcd: lcd,
    keypad: keypad,
    msr: msr,
    icc: icc,
    printer: printer,
    engine: engine,
    config: config,
    journal: stores.journal,
    link: link,
    kick: kick,
    onLanguage: function (lang: string) {
      storage.erase(LANG_FILE);
      storage.write(LANG_FILE, lang);
    },
  });
  const t = term;
  global.T = makeRigApi({ terminal: t, journal: stores.journal, reversals: stores.reversals });
  buses.net({ wifiSsid: config.wifiSsid, wifiPassword: config.wifiPassword }, function (net) {
    link.setNet(net);
  });
  setInterval(function () {
    t.tick();
  }, TICK_MS);
}

/** The transaction engine over the opened stores and the host link (firmware/txn/engine.ts). */
function makeEngine(
  config: TerminalConfig,
  stores: TxnStores,
  link: HostLink,
  listener: { onProgress(stage: number): void; onResult(r: TxnResult): void },
): TxnEngineApi {
  return new TxnEngine({
    config: {
      tid: config.tid,
      mid: config.mid,
      tpduDest: config.tpduDest,
      tpduSrc: config.tpduSrc,
      tmk: hexBytes(config.tmk),
      connectMs: config.connectMs,
      replyMs: config.replyMs,
      operator: config.operator,
    },
    clock: clock,
    stores: stores,
    link: link,
    listener: listener,
    // the host's time from the sign-in reply becomes the terminal's
    setTime: function (localMs: number) {
      clockOffsetMs = localMs - Math.floor(getTime() * 1000);
    },
  });
}

/** "0123AB..." -> bytes (pos.cfg's TMK; validateConfig checked it is hex). */
function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** A manual watchdog kicked from the loop, where the board has one; null elsewhere. */
function startWatchdog(): (() => void) | null {
  try {
    E.enableWatchdog(WATCHDOG_S, false);
  } catch (e) {
    return null;
  }
  return function () {
    E.kickWatchdog();
  };
}

// Calls come after every function declaration: Espruino does not hoist declarations.
const kick = startWatchdog();

if (loaded.error) refuse("CONFIG ERROR", loaded.error);
else boot(cfg);
