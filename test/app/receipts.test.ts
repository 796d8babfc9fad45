import { strict as assert } from "node:assert";
import { Rig } from "./rig";
import { MAG_DEBIT } from "../../hil/models/test-cards";
import { OUT_DECLINED, OUT_SETTLED, OUT_APPROVED, CLS_DO_NOT_RETRY, TXN_SALE } from "../../firmware/txn/engine-api";
import { J_REVERSED } from "../../firmware/txn/store/journal";
import { MSG_RC_51, MSG_OUT_SETTLED } from "../../firmware/ui/messages.gen";
import { COLUMNS } from "../../firmware/ui/receipt";
import { V_Q_COUNT, V_Q_DROPPED } from "../../firmware/ui/ui-model";

function sale(r: Rig, amount: string): void {
  r.keys("F1", "1", amount, "ENTER");
  r.swipe(MAG_DEBIT);
  r.keys("123456", "ENTER");
  r.advance(1000);
}

function has(lines: string[], re: RegExp): boolean {
  return lines.some((l) => re.test(l));
}

describe("Receipts", () => {
  it("query by trace: type, amount, masked PAN, status, time, RRN, paged; ENTER reprints marked REPRINT", () => {
    const r = new Rig();
    r.addJournalSale(7, 4321, MAG_DEBIT.pan);
    r.keys("F1", "8", "7", "ENTER");
    assert.equal(r.state(), "QUERY");
    const pages: string[][] = [r.lines()];
    for (let i = 0; i < 3; i++) {
      r.keys("F1");
      pages.push(r.lines());
    }
    assert.deepEqual(pages, [
      ["SALE      000007", "AMOUNT     43.21"],
      ["622202******9873", "APPROVED        "],
      ["03-05 13:07     ", "RRN 240305000042"],
      ["ENTER=REPRINT   ", "                "],
    ]);
    r.keys("F1");
    assert.equal(r.lines()[0], "SALE      000007", "pages wrap around");
    r.keys("ENTER");
    r.printAll();
    const rc = r.receipts();
    assert.equal(rc.length, 1);
    assert.ok(rc[0].includes("*** REPRINT ***"), rc[0].join("\n"));
    assert.ok(rc[0].includes("MERCHANT COPY"));
    assert.ok(has(rc[0], /^TRACE NO: +000007$/));
    assert.ok(has(rc[0], /^AUTH CODE: +XY9876$/));
    assert.ok(has(rc[0], /^DATE\/TIME: +2024-03-05 13:07:00$/));
    assert.ok(rc[0].includes("622202******9873 SWIPE"));
  });

  it("query on 20x4 shows the entry in two pages", () => {
    const r = new Rig({ cols: 20, rows: 4 });
    r.addJournalSale(7, 4321, MAG_DEBIT.pan, J_REVERSED);
    r.keys("F1", "8", "7", "ENTER");
    assert.deepEqual(r.lines(), ["SALE          000007", "AMOUNT         43.21", "622202******9873    ", "REVERSED            "]);
    r.keys("F1");
    assert.deepEqual(r.lines(), ["2024-03-05 13:07:00 ", "RRN     240305000042", "ENTER=REPRINT       ", "                    "]);
    r.keys("ENTER");
    r.printAll(2000);
    assert.equal(r.receipts().length, 0, "a reversed sale has no slip to reprint");
  });

  it("reprint last and reprint by trace", () => {
    const r = new Rig();
    r.addJournalSale(5, 100, MAG_DEBIT.pan);
    r.addJournalSale(6, 200, MAG_DEBIT.pan);
    r.keys("F1", "6");
    assert.equal(r.state(), "IDLE");
    assert.equal(r.lines()[1].trim(), "PRINTING");
    r.printAll();
    r.keys("F1", "7", "5", "ENTER");
    r.printAll();
    r.keys("F1", "7", "9", "ENTER");
    assert.equal(r.lines()[1].trim(), "NO SUCH TRACE");
    const rc = r.receipts();
    assert.equal(rc.length, 2);
    assert.ok(has(rc[0], /^TRACE NO: +000006$/) && rc[0].includes("*** REPRINT ***"));
    assert.ok(has(rc[1], /^TRACE NO: +000005$/) && rc[1].includes("*** REPRINT ***"));
  });

  it("a second sale while the first's copies still print: four copies, in order, each with its own data", () => {
    const r = new Rig();
    r.engine.next = { outcome: OUT_APPROVED, rc: "00", authCode: "AAAAAA", rrn: "000000000001" };
    sale(r, "101");
    r.keys("ENTER");
    assert.ok(r.term.v[V_Q_COUNT] > 0, "still printing");
    r.engine.next = { outcome: OUT_APPROVED, rc: "00", authCode: "BBBBBB", rrn: "000000000002" };
    sale(r, "202");
    r.printAll(60000);
    const rc = r.receipts();
    assert.equal(rc.length, 4);
    const auth = rc.map((c) => (c.find((l) => l.startsWith("AUTH CODE")) || "").slice(-6));
    const amount = rc.map((c) => (c.find((l) => l.startsWith("AMOUNT")) || "").slice(-4));
    assert.deepEqual(auth, ["AAAAAA", "AAAAAA", "BBBBBB", "BBBBBB"]);
    assert.deepEqual(amount, ["1.01", "1.01", "2.02", "2.02"]);
    assert.equal(r.term.v[V_Q_DROPPED], 0);
  });

  it("reprint last with an empty journal says NO TRANSACTION", () => {
    const r = new Rig();
    r.keys("F1", "6");
    assert.equal(r.lines()[1].trim(), "NO TRANSACTION");
  });

  it("paper out: LOAD PAPER, ENTER=REPRINT; after loading paper the copy prints marked REPRINT", () => {
    const r = new Rig();
    r.printerModel.paperOut();
    sale(r, "999");
    r.advance(500);
    assert.equal(r.state(), "PAPER", "over the result screen");
    assert.deepEqual(r.lines().map((l) => l.trim()), ["LOAD PAPER", "ENTER=REPRINT"]);
    assert.equal(r.receipts().length, 0);
    assert.equal(r.last().outcome, OUT_APPROVED, "the transaction stands");
    r.printerModel.loadPaper();
    r.keys("ENTER");
    assert.equal(r.state(), "RESULT", "back where it was");
    r.printAll();
    const rc = r.receipts();
    assert.equal(rc.length, 2);
    assert.ok(rc[0].includes("MERCHANT COPY") && rc[0].includes("*** REPRINT ***"));
    assert.ok(rc[1].includes("CARDHOLDER COPY") && !rc[1].includes("*** REPRINT ***"));
  });

  it("paper out, CANCEL gives that copy up and the next one prints", () => {
    const r = new Rig();
    r.printerModel.paperOut();
    sale(r, "999");
    r.advance(1500);
    assert.equal(r.state(), "PAPER");
    r.printerModel.loadPaper();
    r.keys("CANCEL");
    r.printAll();
    const rc = r.receipts();
    assert.equal(rc.length, 1);
    assert.ok(rc[0].includes("CARDHOLDER COPY"));
  });

  it("settlement: totals on screen and the report printed", () => {
    const r = new Rig({ cols: 20, rows: 4 });
    r.engine.next = {
      outcome: OUT_SETTLED,
      msgId: MSG_OUT_SETTLED,
      batch: 7,
      debitTotal: 1234567,
      debitCount: 12,
      creditTotal: 5000,
      creditCount: 1,
      uploaded: true,
    };
    r.keys("F1", "5");
    assert.equal(r.state(), "PROCESSING");
    assert.equal(r.engine.called("settle").length, 1);
    r.advance(1000);
    assert.deepEqual(r.lines(), ["SETTLED       000007", "DEBIT 12    12345.67", "CREDIT 1       50.00", "NOT BALANCED        "]);
    r.printAll();
    const rep = r.receipts()[0];
    assert.ok(rep.includes("SETTLEMENT REPORT"), rep.join("\n"));
    assert.ok(has(rep, /^BATCH NO: +000007$/));
    const d = rep.indexOf("DEBIT");
    assert.ok(d > 0 && /^COUNT: +12$/.test(rep[d + 1]) && /^TOTAL: +RMB 12345\.67$/.test(rep[d + 2]), rep.join("\n"));
    const c = rep.indexOf("CREDIT");
    assert.ok(c > d && /^COUNT: +1$/.test(rep[c + 1]) && /^TOTAL: +RMB 50\.00$/.test(rep[c + 2]));
    assert.ok(rep.some((l) => l.trim() === "NOT BALANCED, UPLOADED"));
  });

  it("settlement on 16x2: debit and credit rows", () => {
    const r = new Rig();
    r.keys("F1", "5");
    r.advance(1000);
    assert.deepEqual(r.lines(), ["DEBIT 2   123.45", "CREDIT 1    5.00"]);
  });

  it("a failed reversal reported on the way to a sale prints the slip; the sale goes on", () => {
    const r = new Rig();
    r.engine.next = {
      outcome: OUT_APPROVED,
      rc: "00",
      authCode: "111111",
      rrn: "240305000001",
      slip: { type: TXN_SALE, stan: 95, amount: 7700, pan: "622202******9873", dateTime: 240304180102, reason: "98" },
    };
    sale(r, "250");
    assert.equal(r.state(), "RESULT");
    assert.equal(r.lines()[0].trim().startsWith("APPROVED"), true);
    r.printAll();
    const rc = r.receipts();
    assert.equal(rc.length, 3);
    const slip = rc[0];
    assert.ok(slip.includes("REVERSAL FAILED, CALL ACQUIRER"), slip.join("\n"));
    assert.ok(slip.includes("CONTACT THE ACQUIRER"));
    assert.ok(slip.includes("REVERSE BY HAND:"));
    assert.ok(has(slip, /^TRACE NO: +000095$/));
    assert.ok(has(slip, /^AMOUNT: +RMB 77\.00$/));
    assert.ok(slip.includes("622202******9873"));
    assert.ok(has(slip, /^TXN TYPE: +SALE$/));
    assert.ok(has(slip, /^DATE\/TIME: +2024-03-04 18:01:02$/));
    assert.ok(has(slip, /^TERMINAL NO: +10000001$/) && has(slip, /^MERCHANT NO: +898100012340001$/));
    assert.ok(rc[1].includes("MERCHANT COPY") && rc[2].includes("CARDHOLDER COPY"));
  });

  it("a failed reversal as the whole answer shows REVERSAL FAILED / CALL ACQUIRER", () => {
    const r = new Rig();
    r.engine.next = { outcome: 8, delayMs: 600 };
    r.keys("F1", "5");
    r.advance(1000);
    assert.deepEqual(r.lines().map((l) => l.trim()), ["REVERSAL FAILED", "CALL ACQUIRER"]);
    r.printAll();
    assert.ok(r.receipts()[0].includes("REVERSAL FAILED, CALL ACQUIRER"));
  });

  it("a declined slip when config.printDeclined", () => {
    const r = new Rig({ config: { printDeclined: true } });
    r.engine.next = { outcome: OUT_DECLINED, rc: "51", msgId: MSG_RC_51, cls: CLS_DO_NOT_RETRY };
    sale(r, "300");
    r.printAll();
    const rc = r.receipts();
    assert.equal(rc.length, 1);
    assert.ok(rc[0].includes("DECLINED SLIP"));
    assert.ok(has(rc[0], /^RESPONSE: +51$/));
    assert.ok(rc[0].includes("NOT ENOUGH FUNDS"));
    assert.ok(rc[0].includes("622202******9873 SWIPE"));
  });

  it("Chinese receipts: labels in GB18030 (decoded by the printer model), values in ASCII", () => {
    const r = new Rig({ config: { lang: "zh" } });
    sale(r, "12345");
    r.printAll();
    const rc = r.receipts();
    assert.equal(rc.length, 2);
    const m = rc[0];
    assert.ok(m.includes("签购单"), m.join("\n"));
    assert.ok(m.includes("商户存根"));
    assert.ok(rc[1].includes("持卡人存根"));
    assert.ok(has(m, /^商户名称: +DEMO MERCHANT$/));
    assert.ok(has(m, /^终端编号: +10000001$/));
    assert.ok(m.includes("622202******9873 刷卡"));
    assert.ok(has(m, /^交易类型: +消费$/));
    assert.ok(has(m, /^金额: +RMB 123\.45$/));
    assert.ok(has(m, /^持卡人签名:/));
    assert.deepEqual(r.printerModel.errors, []);
    for (const line of r.printerModel.lines()) {
      const width = [...line].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
      assert.ok(width <= COLUMNS, `"${line}" is ${width} columns`);
      // a "LABEL: value" line has its value at the right edge
      if (/: +\S/.test(line)) assert.equal(width, COLUMNS, `"${line}" right-aligned`);
    }
  });

  it("menu 0 switches the printer language and reports it for saving", () => {
    const r = new Rig();
    r.keys("F1", "0");
    assert.equal(r.lines()[1].trim(), "PRINTER CHINESE");
    assert.deepEqual(r.languages, ["zh"]);
    r.keys("CANCEL");
    sale(r, "100");
    r.printAll();
    assert.ok(r.receipts()[0].includes("签购单"));
    r.keys("ENTER", "F1", "0");
    assert.deepEqual(r.languages, ["zh", "en"]);
  });

  it("English receipts stay within 32 columns and the printer model sees no bad commands", () => {
    const r = new Rig({ config: { merchantName: "A VERY LONG MERCHANT NAME LTD" } });
    sale(r, "4999999");
    r.printAll();
    assert.deepEqual(r.printerModel.errors, []);
    const m = r.receipts()[0];
    const i = m.indexOf("MERCHANT NAME:");
    assert.ok(i >= 0 && m[i + 1].trim() === "A VERY LONG MERCHANT NAME LTD", "a long value goes on its own line");
    for (const line of r.printerModel.lines()) assert.ok(line.length <= COLUMNS, line);
  });
});
