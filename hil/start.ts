/**
 * `npm start`: the terminal firmware (dist/firmware.js) on the virtual board with every device
 * model, against the acquirer host simulator, in real time, drawn in a plain terminal.
 *
 *   npm start                                 host simulator on an ephemeral loopback port
 *   npm start -- --no-host --host-port 5000   use a host already running (npm run host)
 *   npm start -- --flash my.flash             keep the flash image here (default .hil-tmp/flash.bin)
 *   npm start -- --fresh                      start from an erased flash
 *   npm start -- --exit-after 3000            quit by itself after 3 s (smoke tests)
 *
 * On a TTY: raw keyboard, full-screen ANSI view (no curses). Otherwise (piped, CI): LCD frames
 * when they change, printed lines and host messages as plain text; piped input still types.
 * Keys: see hil/terminal/input.ts (also shown on screen).
 */
import { existsSync, mkdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { VirtualTerminal, DEFAULT_FIRMWARE } from "./terminal/virtual-terminal";
import { describeCard, TERMINAL_CARDS } from "./terminal/cards";
import { KeyDecoder, helpItems, type ViewAction } from "./terminal/input";
import { PlainLog, renderScreen, type ViewState } from "./terminal/view";
import { formatEntry } from "./host/log";
import { MAG_DEBIT } from "./models/test-cards";

interface StartArgs {
  ownHost: boolean;
  hostPort: number;
  flash: string;
  fresh: boolean;
  exitAfterMs: number;
  firmware: string;
}

const USAGE =
  "usage: npm start -- [--no-host --host-port N] [--flash FILE] [--fresh] [--exit-after MS] [--firmware dist/firmware.js]";

function parseArgs(argv: string[]): StartArgs {
  const a: StartArgs = { ownHost: true, hostPort: 5000, flash: ".hil-tmp/flash.bin", fresh: false, exitAfterMs: 0, firmware: DEFAULT_FIRMWARE };
  const value = (i: number, name: string): string => {
    if (i + 1 >= argv.length) throw new Error(name + " needs a value");
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === "--no-host") a.ownHost = false;
    else if (k === "--host-port") a.hostPort = Number(value(i++, k));
    else if (k === "--flash") a.flash = value(i++, k);
    else if (k === "--fresh") a.fresh = true;
    else if (k === "--exit-after") a.exitAfterMs = Number(value(i++, k));
    else if (k === "--firmware") a.firmware = value(i++, k);
    else if (k === "--help" || k === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error("unknown option " + k);
  }
  if (!(a.hostPort > 0 && a.hostPort < 65536)) throw new Error("--host-port must be 1..65535");
  if (!(a.exitAfterMs >= 0)) throw new Error("--exit-after must be a number of ms");
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(args.firmware)) throw new Error(args.firmware + " not found: run `npm run build` (npm start does)");
  mkdirSync(dirname(args.flash), { recursive: true });
  if (args.fresh && existsSync(args.flash)) unlinkSync(args.flash);

  const vt = new VirtualTerminal({
    firmwarePath: args.firmware,
    flashFile: args.flash,
    ownHost: args.ownHost,
    hostPort: args.ownHost ? undefined : args.hostPort,
    // The terminal's clock is set to local wall time, as a merchant's terminal is.
    clockStartMs: Date.now() - new Date().getTimezoneOffset() * 60000,
  });
  const hostLines: string[] = [];
  await vt.boot();
  const host = vt.host;
  if (host) host.on("message", (e) => hostLines.push(shortEntry(formatEntry(e))));

  const out = process.stdout;
  const tty = !!out.isTTY;
  const hostText = host ? "host simulator 127.0.0.1:" + host.port : "external host 127.0.0.1:" + args.hostPort;
  console.log("virtual terminal: " + hostText + ", flash " + args.flash);
  console.log("test cards (swipe 's' = mag-debit; 'c' chooses, 'S' swipes, 'i' inserts the chosen one):");
  for (const c of TERMINAL_CARDS) console.log("  " + describeCard(c));

  let chosen = 0;
  const messages: string[] = ["booted"];
  const say = (m: string): void => {
    messages.push(m);
  };
  // Firmware errors printed on the board console are news for whoever is at the keyboard.
  vt.board.console.onOutput((text) => {
    for (const l of text.split(/\r?\n/)) if (/Uncaught|Error/.test(l)) say("console: " + l.trim());
  });

  const state = (): ViewState => ({
    title: "VIRTUAL TERMINAL  " + hostText + "  flash " + args.flash,
    lcd: vt.hil.lcd(),
    lcdCols: vt.wiring.lcd.cols,
    paper: vt.hil.printed(),
    paperCols: 32,
    host: hostLines,
    status: statusLines(),
    messages: messages,
    help: helpItems(TERMINAL_CARDS[chosen].id),
  });
  const statusLines = (): string[] => {
    const st = vt.hil.status();
    return [
      "card: " + describeCard(TERMINAL_CARDS[chosen]),
      "reader: " + (st.card ? st.card + " inserted" : "empty") + "   paper: " + (st.paperOut ? "OUT" : "ok") + "   lcd: " + (st.lcdConnected ? "ok" : "UNPLUGGED"),
    ];
  };

  const act = (a: ViewAction): void => {
    try {
      say(perform(a));
    } catch (e) {
      say((e as Error).message);
    }
  };
  const perform = (a: ViewAction): string => {
    const card = TERMINAL_CARDS[chosen];
    switch (a.kind) {
      case "key":
        vt.hil.key(a.key);
        return "key " + a.key;
      case "swipe-good":
        vt.hil.swipe(MAG_DEBIT.id);
        return "swiped " + MAG_DEBIT.id;
      case "swipe-chosen":
        vt.hil.swipe(card.id);
        return "swiped " + card.id;
      case "card":
        chosen = (chosen + a.step + TERMINAL_CARDS.length) % TERMINAL_CARDS.length;
        return "chosen card " + TERMINAL_CARDS[chosen].id;
      case "insert":
        vt.hil.insert(card.id);
        return "inserted " + card.id;
      case "pull":
        return vt.hil.pull() ? "card pulled" : "no card in the reader";
      case "paper":
        if (vt.hil.status().paperOut) {
          vt.hil.loadPaper();
          return "paper loaded";
        }
        vt.hil.paperOut();
        return "paper out";
      case "lcd":
        if (vt.hil.status().lcdConnected) {
          vt.hil.unplugLcd();
          return "LCD unplugged";
        }
        vt.hil.plugLcd();
        return "LCD plugged in";
      case "power-cut":
        vt.powerCut();
        return "power cut: rebooted";
      case "quit":
        void shutdown(0);
        return "quitting";
    }
  };

  // ---- output
  const plain = new PlainLog();
  let lastFrame = "";
  let drawing = true;
  const draw = (force: boolean): void => {
    if (!drawing) return; // the screen was handed back
    const s = state();
    if (!tty) {
      for (const l of plain.lines(s)) out.write(l + "\n");
      return;
    }
    const frame = renderScreen(s, out.columns || 80, out.rows || 24).join("\x1b[K\r\n") + "\x1b[K";
    if (!force && frame === lastFrame) return;
    lastFrame = frame;
    out.write("\x1b[H" + frame + "\x1b[J");
  };
  if (tty) {
    out.write("\x1b[?1049h\x1b[?25l\x1b[2J");
    out.on("resize", () => draw(true));
  }

  // ---- input
  const stdin = process.stdin;
  const decoder = new KeyDecoder();
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on("data", (chunk: Buffer) => {
    for (const a of decoder.feed(chunk.toString("latin1"))) act(a);
    draw(false);
  });
  stdin.on("error", () => undefined);
  stdin.resume();

  // ---- run
  const stopTime = vt.runRealTime(5);
  const drawTimer = setInterval(() => draw(false), 50);
  draw(true);

  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(drawTimer);
    stopTime();
    draw(false);
    drawing = false;
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    if (tty) out.write("\x1b[?25h\x1b[?1049l");
    const lcd = vt.hil.lcd();
    const printed = vt.hil.printed().length;
    await vt.close();
    console.log("stopped. LCD showed:");
    for (const l of lcd) console.log("  |" + l + "|");
    console.log(printed + " lines printed; flash kept in " + args.flash);
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  if (args.exitAfterMs > 0) setTimeout(() => void shutdown(0), args.exitAfterMs);
}

/** A host log line without the date part of its timestamp (the view is narrow). */
function shortEntry(line: string): string {
  return line.replace(/^\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)\S*/, "$1");
}

main().catch((e) => {
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  if (process.stdout.isTTY) process.stdout.write("\x1b[?25h\x1b[?1049l");
  console.error("npm start: " + ((e as Error).message || e));
  process.exit(1);
});
