import { strict as assert } from "node:assert";
import { connect } from "node:net";
import { VirtualTerminal } from "../../hil/terminal/virtual-terminal";
import { CONFIG_FILE } from "../../firmware/config";
import { firmwareCode, isBootScreen, PROBE_KEY, showsProbeReaction, signInAndSwipeSale, uncaughtLines } from "./helpers";

/** Send one rig line and return what the board printed for it. */
function rig(vt: VirtualTerminal, line: string): string {
  const before = vt.board.console.output.length;
  vt.board.console.send("\x10" + line + "\n");
  return vt.board.console.output.slice(before);
}

function rigJson(vt: VirtualTerminal, expr: string): unknown {
  const out = rig(vt, "print(JSON.stringify(" + expr + "))");
  return JSON.parse(out.trim());
}

describe("VirtualTerminal", function () {
  this.timeout(120000);
  let code = "";
  before(function () {
    code = firmwareCode();
  });

  let vt: VirtualTerminal;
  afterEach(async () => {
    if (vt) await vt.close();
  });

  async function booted(opts: ConstructorParameters<typeof VirtualTerminal>[0] = {}): Promise<VirtualTerminal> {
    vt = new VirtualTerminal(Object.assign({ firmware: code }, opts));
    await vt.boot();
    await vt.advance(1000);
    return vt;
  }

  it("boots dist/firmware.js and the LCD model shows the boot screen, with no datasheet violations", async () => {
    await booted();
    assert.ok(isBootScreen(vt.hil.lcd()), "LCD: " + JSON.stringify(vt.hil.lcd()));
    assert.deepEqual(vt.models.lcd.errors, []);
    assert.deepEqual(uncaughtLines(vt.board.console.output), []);
    assert.equal(vt.hil.lcd().length, 4);
    assert.equal(vt.hil.lcd()[0].length, 20);
  });

  it("a tapped key reaches the firmware through the scanned matrix and the LCD reacts", async () => {
    await booted();
    const ms = vt.hil.key(PROBE_KEY);
    assert.equal(ms, 160, "hold 80 + gap 80");
    await vt.advance(ms + 100);
    assert.ok(showsProbeReaction(vt.hil.lcd()), "LCD: " + JSON.stringify(vt.hil.lcd()));
  });

  it("answers the hil global over the board console with plain JSON", async () => {
    await booted();
    assert.deepEqual(rigJson(vt, "hil.lcd()"), vt.hil.lcd());
    assert.equal(rig(vt, "print(typeof hil)").trim(), "function");
    const st = rigJson(vt, "hil.status()") as Record<string, unknown>;
    assert.equal(st.card, null);
    assert.equal(st.paperOut, false);
    assert.equal(st.lcdConnected, true);
    const cards = rigJson(vt, "hil.cards()") as Array<{ id: string; pan: string }>;
    assert.ok(cards.some((c) => c.id === "mag-debit" && c.pan === "622202******9873"), "PANs are masked");
    // typing from the console moves the keypad like a finger would
    assert.equal(rigJson(vt, 'hil.key("' + PROBE_KEY + '")'), 160);
    await vt.advance(300);
    assert.ok(showsProbeReaction(vt.hil.lcd()));
  });

  it("refuses bad hil input with a named error and touches nothing", async () => {
    await booted();
    const transitions = vt.models.keypad.transitions;
    let out = rig(vt, 'hil.keys("12x")');
    assert.match(out, /Uncaught Error: hil\.keys: no key for "x" at 2/);
    assert.equal(vt.models.keypad.transitions, transitions, "no key of a refused string was pressed");
    assert.equal(vt.hil.status().keysBusyMs, 0);
    out = rig(vt, 'hil.swipe("nope")');
    assert.match(out, /Uncaught Error: no test card 'nope' \(known: mag-debit/);
    assert.equal(vt.models.msr.lastSent, "");
    out = rig(vt, 'hil.insert("mag-debit")');
    assert.match(out, /has no chip/);
    assert.equal(vt.models.icc.card, null);
    out = rig(vt, 'hil.readerSilent(true, "printer")');
    assert.match(out, /reader must be "icc" or "msr"/);
    assert.equal(vt.models.icc.silent, false);
    await vt.advance(200);
    assert.ok(isBootScreen(vt.hil.lcd()), "the terminal is still at its first screen");
  });

  it("queues taps so typed keys never overlap into a chord", async () => {
    await booted();
    assert.equal(vt.hil.keys("12.50\n"), 5 * 160);
    assert.equal(vt.hil.key("CANCEL"), 6 * 160);
    let maxDown = 0;
    for (let t = 0; t < 6 * 160; t += 10) {
      let down = 0;
      for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) if (vt.models.keypad.isClosed(r, c)) down++;
      maxDown = Math.max(maxDown, down);
      vt.board.sched.advance(10);
    }
    assert.equal(maxDown, 1);
    assert.equal(vt.hil.status().keysBusyMs, 0);
  });

  it("power cut and boot show the boot screen again, with hil reinstalled and the LCD re-initialised", async () => {
    await booted();
    vt.hil.key(PROBE_KEY);
    await vt.advance(400);
    assert.ok(showsProbeReaction(vt.hil.lcd()));
    const boots = vt.board.bootCount;
    vt.powerCut();
    assert.equal(vt.board.bootCount, boots + 1);
    assert.deepEqual(vt.hil.lcd(), ["", "", "", ""].map(() => " ".repeat(20)), "the backpack lost power with the board");
    await vt.advance(1000);
    assert.ok(isBootScreen(vt.hil.lcd()), "LCD: " + JSON.stringify(vt.hil.lcd()));
    assert.deepEqual(vt.models.lcd.errors, []);
    assert.equal(rig(vt, "print(typeof hil)").trim(), "function");
    vt.reset();
    await vt.advance(1000);
    assert.ok(isBootScreen(vt.hil.lcd()));
    assert.equal(rig(vt, "print(typeof hil)").trim(), "function");
    // a reboot the firmware asks for starts once its code has unwound: hil is there too
    rig(vt, "E.reboot()");
    await vt.advance(1000);
    assert.equal(vt.board.lastResetCause, "reboot");
    assert.equal(rig(vt, "print(typeof hil)").trim(), "function");
    assert.ok(isBootScreen(vt.hil.lcd()));
  });

  it("wires the readers and the printer where the firmware's profile set them up", async () => {
    await booted();
    // MSR: the firmware opened Serial3, so a swipe's bytes are delivered, none lost
    assert.ok(vt.hil.swipe("mag-debit") > 20);
    await vt.advance(300);
    assert.equal(vt.board.lostUartBytes("Serial3"), 0);
    // chip reader switch on A1 (pulled up by the driver: low = card seated)
    assert.equal(rig(vt, "print(digitalRead(A1))").trim(), "1");
    assert.equal(vt.hil.insert("chip-debit"), "chip-debit");
    assert.equal(rig(vt, "print(digitalRead(A1))").trim(), "0");
    assert.match(rig(vt, 'hil.insert("chip-credit")'), /Uncaught Error: hil.insert: chip-debit is still in the reader/);
    const mark = vt.board.console.output.length;
    assert.equal(vt.hil.status().card, "chip-debit");
    assert.equal(vt.hil.pull(), true);
    assert.equal(vt.hil.pull(), false);
    assert.equal(rig(vt, "print(digitalRead(A1))").trim(), "1");
    // printer BUSY on A8 goes high with the paper out
    assert.equal(rig(vt, "print(digitalRead(A8))").trim(), "0");
    vt.hil.paperOut();
    assert.equal(rig(vt, "print(digitalRead(A8))").trim(), "1");
    vt.hil.loadPaper();
    assert.equal(rig(vt, "print(digitalRead(A8))").trim(), "0");
    await vt.advance(300);
    assert.deepEqual(uncaughtLines(vt.board.console.output.slice(mark)), []);
  });

  it("keeps running with the LCD unplugged and redraws it once it is back", async () => {
    await booted();
    vt.hil.unplugLcd();
    // the screen changes while the LCD is away: the driver's writes are NACKed (a fault, not a throw)
    vt.hil.key(PROBE_KEY);
    await vt.advance(500);
    assert.deepEqual(vt.hil.lcd(), ["", "", "", ""].map(() => " ".repeat(20)));
    assert.ok(vt.models.lcd.nacks > 0);
    vt.hil.plugLcd();
    await vt.advance(3000);
    assert.ok(showsProbeReaction(vt.hil.lcd()), "LCD: " + JSON.stringify(vt.hil.lcd()));
    assert.deepEqual(vt.models.lcd.errors, []);
    assert.deepEqual(uncaughtLines(vt.board.console.output), []);
  });

  it("provisions pos.cfg with its own host's port, once, and advance() lets loopback replies land", async () => {
    await booted({ ownHost: true, config: { merchantName: "TEST SHOP" } });
    const host = vt.host!;
    assert.ok(host.port > 0);
    const cfg = JSON.parse(vt.board.storage.read(CONFIG_FILE)!);
    assert.deepEqual(cfg, { hostIp: "127.0.0.1", hostPort: host.port, merchantName: "TEST SHOP" });
    const programmed = vt.board.storage.bytesProgrammed;
    vt.provision();
    assert.equal(vt.board.storage.bytesProgrammed, programmed, "an unchanged pos.cfg is not rewritten");
    // a socket from the firmware's context to the host: only advance()'s settling delivers the connect
    rig(vt, 'global.__c = 0; require("net").connect({host: "127.0.0.1", port: ' + host.port + "}, function () { global.__c = 1; })");
    await vt.advance(200);
    assert.equal(rig(vt, "print(global.__c)").trim(), "1");
    const port = host.port;
    await vt.close();
    await new Promise<void>((resolve, reject) => {
      const s = connect(port, "127.0.0.1");
      s.on("connect", () => reject(new Error("the owned host is still listening")));
      s.on("error", () => resolve());
    });
  });

  it("does a swiped sale end to end against its own host: sign-in, amount, PIN, reply, receipt", async () => {
    await booted({ ownHost: true });
    const host = vt.host!;
    await signInAndSwipeSale(vt, "1250", "123456");
    assert.ok(host.log.some((e) => e.mti === "0810" && e.code === "00"), "signed in: " + JSON.stringify(vt.hil.lcd()));
    const txns = host.ledger.snapshot().transactions.filter((t) => t.kind === "sale");
    assert.equal(txns.length, 1, "LCD: " + JSON.stringify(vt.hil.lcd()));
    assert.equal(txns[0].amount, 1250);
    assert.equal(txns[0].code, "00");
    await vt.advance(15000);
    const paper = vt.hil.printed().join("\n");
    assert.match(paper, /622202\*{6}9873/);
    assert.match(paper, /12\.50/);
    assert.doesNotMatch(paper, /6222021000009873/, "never the full PAN");
    assert.deepEqual(uncaughtLines(vt.board.console.output), []);
  });
});
