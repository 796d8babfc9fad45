import { strict as assert } from "node:assert";
import { Rig } from "./rig";
import { MAG_DEBIT } from "../../hil/models/test-cards";
import { MSG_COUNT, msgEn, msgZhGb } from "../../firmware/ui/messages.gen";
import { draw, D_MSG, D_REPEAT, AT_RIGHT } from "../../firmware/ui/screen";
import { paint } from "../../firmware/ui/screens";
import { F_MONEY } from "../../firmware/ui/format";
import { MSG_RC_51, MSG_SALE, MSG_REVERSAL_FAILED } from "../../firmware/ui/messages.gen";
import { V_LCD_FAULT } from "../../firmware/ui/ui-model";

/** Catalogue entries that only ever print (receipts) or only show on a 20-column display. */
const NOT_FOR_16_COLUMNS = new Set([
  "REVERSAL FAILED, CALL ACQUIRER",
  "SWIPE/INSERT OR F1",
  "NOT BALANCED, UPLOADED",
  "CARDHOLDER SIGNATURE",
  "I AGREE TO THE ABOVE TRANSACTION",
  "SETTLEMENT REPORT",
  "CONTACT THE ACQUIRER",
]);

describe("Screens: 16x2 and 20x4", () => {
  it("idle on 16x2: terminal id and time, the prompt; the clock moves", () => {
    const r = new Rig();
    assert.deepEqual(r.lines(), ["10000001   14:07", "CARD OR F1=MENU "]);
    r.advance(60000);
    assert.equal(r.lines()[0], "10000001   14:08");
  });

  it("idle on 20x4: date and time, terminal id, the prompt", () => {
    const r = new Rig({ cols: 20, rows: 4 });
    assert.deepEqual(r.lines(), ["2024-03-05     14:07", "TID 10000001        ", "SWIPE/INSERT OR F1  ", "                    "]);
  });

  it("menu: every entry reachable by paging (F1 / ENTER forward, CLEAR back), numbered by key", () => {
    const r = new Rig();
    r.keys("F1");
    const seen: string[] = [];
    for (let p = 0; p < 5; p++) {
      seen.push(...r.lines().map((l) => l.trim()));
      r.keys(p % 2 ? "F1" : "ENTER");
    }
    assert.deepEqual(seen, [
      "1 SALE",
      "2 VOID",
      "3 REFUND",
      "4 BALANCE",
      "5 SETTLEMENT",
      "6 REPRINT LAST",
      "7 REPRINT TRACE",
      "8 QUERY",
      "9 SIGN IN",
      "0 LANGUAGE",
    ]);
    assert.equal(r.lines()[0].trim(), "1 SALE", "wrapped round");
    r.keys("CLEAR");
    assert.equal(r.lines()[0].trim(), "9 SIGN IN");
    const big = new Rig({ cols: 20, rows: 4 });
    big.keys("F1");
    assert.deepEqual(big.lines().map((l) => l.trim()), ["1 SALE", "2 VOID", "3 REFUND", "4 BALANCE"]);
    big.keys("F1", "F1");
    assert.deepEqual(big.lines().map((l) => l.trim()), ["9 SIGN IN", "0 LANGUAGE", "", ""]);
  });

  it("20x4 sale screens: amount, card, PIN, processing with countdown, approved", () => {
    const r = new Rig({ cols: 20, rows: 4 });
    r.keys("F1", "1", "2550");
    assert.deepEqual(r.lines(), ["SALE                ", "ENTER AMOUNT        ", "               25.50", "                    "]);
    r.keys("ENTER");
    assert.deepEqual(r.lines(), ["SALE                ", "               25.50", "SWIPE/INSERT        ", "                    "]);
    r.swipe(MAG_DEBIT);
    r.keys("1234");
    assert.deepEqual(r.lines(), ["SALE           25.50", "ENTER PIN           ", "****                ", "                    "]);
    r.engine.next = { outcome: 1, rc: "00", authCode: "777777", delayMs: 2000 };
    r.keys("ENTER");
    r.advance(100);
    assert.deepEqual(r.lines(), ["SALE           25.50", "CONNECTING          ", "PLEASE WAIT         ", "                  10"]);
    r.advance(2000);
    assert.deepEqual(r.lines(), ["SALE        APPROVED", "AMOUNT         25.50", "AUTH CODE     777777", "TRACE NO      000101"]);
  });

  it("every message the LCD may show fits 16 columns; every message has both languages", () => {
    for (let id = 0; id < MSG_COUNT; id++) {
      const en = msgEn(id);
      assert.ok(en.length > 0 && msgZhGb(id).length > 0, "message " + id);
      if (!NOT_FOR_16_COLUMNS.has(en)) assert.ok(en.length <= 16, `"${en}" is ${en.length} wide`);
    }
  });

  it("a display fault does not stop the terminal; the screen comes back when the display does", () => {
    const r = new Rig();
    r.keys("F1", "1", "300", "ENTER");
    r.lcdModel.unplug();
    r.swipe(MAG_DEBIT);
    r.keys("1234", "ENTER");
    r.advance(1000);
    assert.equal(r.term.v[V_LCD_FAULT], 1);
    assert.equal(r.state(), "RESULT", "the sale went through with the display dead");
    assert.equal(r.engine.called("sale").length, 1);
    r.lcdModel.plug();
    r.advance(1500);
    assert.equal(r.term.v[V_LCD_FAULT], 0);
    assert.deepEqual(r.lines(), ["APPROVED       \u2713", "AUTH CODE A1B2C3"]);
    assert.deepEqual(r.lcdModel.errors, []);
  });

  it("draws into the LCD driver's frame, clipped at the edges; a repaint sends only what changed", () => {
    const r = new Rig();
    const t = r.term;
    assert.equal(r.lcd.flush(), 0, "settled");
    paint(t);
    assert.equal(r.lcd.flush(), 0, "a repaint of the same screen sends nothing");
    for (let i = 0; i < 32; i++) r.lcd.frame[i] = 32;
    draw(t, 0, 0, D_MSG, MSG_SALE, 0);
    assert.equal(draw(t, 1, AT_RIGHT, F_MONEY, 12345, 0), 16);
    assert.deepEqual([r.lcd.text(0), r.lcd.text(1)], ["SALE            ", "          123.45"]);
    assert.equal(draw(t, 0, 12, D_MSG, MSG_RC_51, 0), 12 + 16, "the column after it, clipped or not");
    draw(t, 2, 0, D_MSG, MSG_RC_51, 0); // no row 2: nothing
    draw(t, 1, -3, D_REPEAT, 42, 5);
    assert.deepEqual([r.lcd.text(0), r.lcd.text(1)], ["SALE        NOT ", "**        123.45"]);
    draw(t, 0, AT_RIGHT, D_MSG, MSG_REVERSAL_FAILED, 0); // longer than the row: from column 0
    assert.equal(r.lcd.text(0), msgEn(MSG_REVERSAL_FAILED).slice(0, 16));
    assert.ok(r.lcd.flush() > 0);
    assert.equal(r.lcd.flush(), 0);
    r.advance(100);
    assert.deepEqual(r.lines(), [msgEn(MSG_REVERSAL_FAILED).slice(0, 16), "**        123.45"], "the glass shows the frame");
  });
});
