/**
 * The whole terminal end to end: the built bundle (main.ts with the real TxnEngine) on the
 * virtual board with every device model on the virtual profile's pins, against the acquirer
 * host simulator over loopback TCP. Simulated time for the board, real sockets for the host:
 * `adv()` steps the scheduler and lets socket events land between steps.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFirmware } from "../../tools/build";
import { VirtualBoard } from "../../hil/virtual/board";
import { Hd44780Pcf8574Model } from "../../hil/models/hd44780-pcf8574";
import { KeypadMatrixModel } from "../../hil/models/keypad-matrix";
import { EscPosPrinterModel } from "../../hil/models/escpos-printer";
import { decodeGb18030 } from "../../hil/models/escpos-gb-decode";
import { IccReaderModule } from "../../hil/models/icc-reader-module";
import { MsrModule } from "../../hil/models/msr-module";
import { ChipCard } from "../../hil/models/chip-card";
import { CHIP_DEBIT, MAG_DEBIT } from "../../hil/models/test-cards";
import { HostSimulator } from "../../hil/host/server";
import { CONFIG_FILE } from "../../firmware/config";

let bundle = "";

class Terminal {
  readonly board = new VirtualBoard({ clockStartMs: Date.UTC(2024, 2, 5, 14, 7, 0) });
  readonly lcd = new Hd44780Pcf8574Model({ cols: 20, rows: 4 });
  readonly pad = new KeypadMatrixModel({ sched: this.board.sched });
  readonly printer = new EscPosPrinterModel(this.board.sched, { decodeGb: decodeGb18030 });
  readonly icc = new IccReaderModule({ timers: this.board.sched });
  readonly msr = new MsrModule();

  constructor(hostPort: number) {
    const b = this.board;
    b.attachI2C("I2C1", this.lcd);
    b.attachUart("Serial1", this.printer);
    b.attachUart("Serial2", this.icc);
    b.attachUart("Serial3", this.msr);
    b.attachPin("A1", this.icc.presentSwitch);
    b.attachPin("A8", this.printer.busyNet);
    ["B15", "B14", "B13", "B10"].forEach((p, i) => b.attachPin(p, this.pad.rows[i]));
    ["B1", "A7", "A6", "A5"].forEach((p, i) => b.attachPin(p, this.pad.cols[i]));
    b.storage.write(CONFIG_FILE, JSON.stringify({ hostPort, replyMs: 5000, connectMs: 3000 }));
    b.load(bundle);
  }

  async adv(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 20) {
      this.board.sched.advance(20);
      await this.board.settle();
    }
  }

  async keys(...ks: string[]): Promise<void> {
    for (const k of ks) {
      for (const one of /^[0-9]+$/.test(k) ? k.split("") : [k]) {
        this.pad.tap(one, 60);
        await this.adv(140);
      }
    }
  }

  lines(): string[] {
    return this.lcd.lines().map((l) => l.trim());
  }

  T(expr: string): any {
    return JSON.parse(this.board.eval("JSON.stringify(T." + expr + ")") as string);
  }

  async signIn(): Promise<void> {
    await this.keys("F1", "9");
    await this.adv(1500);
    assert.equal(this.lines()[1], "SIGNED IN");
    await this.keys("ENTER");
  }
}

describe("End to end: bundle + virtual board + models + host simulator", function () {
  this.timeout(180000);
  let host: HostSimulator;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "pos-e2e-"));
    try {
      const r = await buildFirmware({ outDir: dir, warn: () => undefined });
      assert.deepEqual(r.violations, []);
      bundle = readFileSync(join(dir, "firmware.js"), "utf8");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  beforeEach(async () => {
    host = new HostSimulator();
    await host.listen();
  });

  afterEach(async () => {
    await host.close();
  });

  it("sign in, swipe sale with PIN: approved on screen, both copies printed, journaled with a masked PAN", async () => {
    const t = new Terminal(host.port);
    await t.adv(300);
    assert.equal(t.lines()[3], "NOT SIGNED IN");
    await t.signIn();
    await t.keys("F1", "1", "12345", "ENTER");
    t.msr.swipe(MAG_DEBIT);
    await t.adv(300);
    assert.equal(t.T("state()"), "PIN");
    await t.keys(MAG_DEBIT.pin, "ENTER");
    await t.adv(1500);
    assert.equal(t.lines()[0], "SALE        APPROVED");
    const last = t.T("last()");
    assert.equal(last.outcome, 1);
    assert.equal(last.amount, 12345);
    assert.equal(last.pan, "622202******9873");
    await t.adv(15000);
    const rc = t.printer.receipts();
    assert.equal(rc.length, 2);
    assert.ok(rc[0].includes("MERCHANT COPY") && rc[1].includes("CARDHOLDER COPY"));
    assert.ok(rc[0].includes("622202******9873 SWIPE"));
    assert.ok(rc[0].some((l) => l.endsWith(last.authCode) && l.startsWith("AUTH CODE")));
    const j = t.T(`journal(${last.stan})`);
    assert.equal(j.status, "APPROVED");
    assert.equal(j.pan, "622202******9873");
    const printed = t.printer.lines().join("\n");
    assert.equal(printed.indexOf(MAG_DEBIT.pan), -1);
    t.board.powerOff();
  });

  it("chip sale completes with the card kept in; the host not answering leaves a reversal that goes first next time", async () => {
    const t = new Terminal(host.port);
    await t.adv(300);
    await t.signIn();
    t.icc.insert(new ChipCard(CHIP_DEBIT));
    await t.adv(200);
    await t.keys("5000", "ENTER");
    await t.adv(1500);
    assert.equal(t.T("state()"), "PIN");
    await t.keys(CHIP_DEBIT.pin, "ENTER");
    await t.adv(2000);
    assert.deepEqual(t.lines(), ["SALE        APPROVED", "AMOUNT         50.00", t.lines()[2], "REMOVE CARD"]);
    const chipStan = t.T("last()").stan;
    assert.equal(t.T(`journal(${chipStan})`).status, "APPROVED");
    assert.equal(t.T("pendingReversal()"), null, "completed: no reversal left");
    t.icc.pull();
    await t.adv(200);
    await t.keys("ENTER");

    // the sale and the engine's immediate reversal both go unanswered: the reversal stays
    host.inject({ match: { mti: "0200" }, fault: "no-reply" });
    host.inject({ match: { mti: "0400" }, fault: "no-reply" });
    await t.keys("F1", "1", "700", "ENTER");
    t.msr.swipe(MAG_DEBIT);
    await t.adv(300);
    await t.keys(MAG_DEBIT.pin, "ENTER");
    await t.adv(12000);
    assert.deepEqual(t.lines().slice(1, 3), ["HOST NO REPLY", "WILL BE REVERSED"]);
    const lost = t.T("last()");
    assert.equal(lost.reversalPending, true);
    const pending = t.T("pendingReversal()");
    assert.equal(pending.stan, lost.stan);
    assert.equal(pending.pan, "622202******9873");
    assert.equal(t.T(`journal(${lost.stan})`), null, "no journal entry for an unanswered sale");
    await t.keys("ENTER", "F1", "1", "800", "ENTER");
    t.msr.swipe(MAG_DEBIT);
    await t.adv(300);
    await t.keys(MAG_DEBIT.pin, "ENTER");
    await t.adv(3000);
    assert.equal(t.lines()[0], "SALE        APPROVED");
    assert.equal(t.T("pendingReversal()"), null, "the reversal went before the new sale");

    t.board.powerOff();
  });

  it("settlement: totals on screen and the report printed", async () => {
    const t = new Terminal(host.port);
    await t.adv(300);
    await t.signIn();
    await t.keys("F1", "1", "2000", "ENTER");
    t.msr.swipe(MAG_DEBIT);
    await t.adv(300);
    await t.keys(MAG_DEBIT.pin, "ENTER");
    await t.adv(1500);
    await t.keys("ENTER");
    await t.adv(15000);
    await t.keys("F1", "5");
    await t.adv(3000);
    assert.equal(t.lines()[0].slice(0, 7), "SETTLED");
    assert.equal(t.lines()[1], "DEBIT 1        20.00");
    await t.adv(10000);
    const rep = t.printer.receipts()[2];
    assert.ok(rep && rep.includes("SETTLEMENT REPORT"), String(rep));
    assert.ok(rep.some((l) => /^TOTAL: +RMB 20\.00$/.test(l)));
    t.board.powerOff();
  });
});
