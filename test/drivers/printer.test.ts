import { strict as assert } from "node:assert";
import { Scheduler } from "../../hil/sim/scheduler";
import { UartLink, ModelPin } from "../../hil/models/buses";
import { EscPosPrinterModel, type EscPosPrinterModelOptions } from "../../hil/models/escpos-printer";
import { decodeGb18030 } from "../../hil/models/escpos-gb-decode";
import { EventRing } from "../../firmware/lib/event-ring";
import { EV_PRINT_DONE, EV_PRINT_FAILED } from "../../firmware/events";
import { EscPosPrinter, type EscPosPrinterOptions } from "../../firmware/drivers/escpos-printer";
import { mapInPlace } from "../../hil/virtual/espruino-E";
import {
  PRN_OK,
  PRN_ERR_PAPER_OUT,
  PRN_ERR_NO_ANSWER,
  PRN_ERR_OVERFLOW,
  PRN_ERR_BUSY_TIMEOUT,
  PRN_ERR_BAD_TEXT,
  PRN_ERR_BAD_ARG,
  PRN_ERR_STATE,
  PRN_IDLE,
  PRN_FAILED,
} from "../../firmware/drivers/escpos-codes";
import {
  MSG_ZH_GB,
  MSG_ZH_AT,
  MSG_SLIP_TITLE,
  MSG_MERCHANT_COPY,
  MSG_AMOUNT,
  MSG_REVERSAL_FAILED,
  msgZhGb,
} from "../../firmware/ui/messages.gen";

interface RigOptions {
  baud?: number;
  model?: EscPosPrinterModelOptions;
  driver?: Partial<EscPosPrinterOptions>;
  busy?: boolean;
  ringSize?: number;
}

/** Driver and model on a simulated UART, with the app's tick every 5 ms. */
function rig(o: RigOptions = {}) {
  const baud = o.baud || 9600;
  const sched = new Scheduler();
  const model = new EscPosPrinterModel(sched, Object.assign({ decodeGb: decodeGb18030 }, o.model));
  const link = new UartLink(sched, model, baud);
  const ring = new EventRing(o.ringSize || 8);
  const clock = { now: () => sched.now() };
  const printer = new EscPosPrinter(
    Object.assign(
      { serial: link.firmware, ring, clock, baud, busyPin: o.busy ? new ModelPin(model.busyNet) : undefined },
      o.driver,
    ) as EscPosPrinterOptions,
  );
  sched.setInterval(() => printer.tick(sched.now()), 5);
  /** Events taken from the ring so far. */
  const events: number[][] = [];
  function drain(): number[][] {
    while (ring.shift()) events.push([ring.kind, ring.a, ring.b]);
    return events;
  }
  /** Advance until an event arrives (or `limit` ms pass); returns the new events. */
  function run(limit = 60000): number[][] {
    const before = events.length;
    const end = sched.now() + limit;
    while (sched.now() < end) {
      sched.advance(5);
      if (drain().length > before) break;
    }
    return events.slice(before);
  }
  return { sched, model, link, ring, printer, events, drain, run };
}

type Printer = EscPosPrinter;

/** A whole binary string of GB18030 bytes. */
function gb(p: Printer, s: string): number {
  return p.gbTextAt(s, 0, s.length);
}

/** Bytes of bigJob(p, n): ESC @, n lines of 32 bytes, GS V 66 0. */
function bigJobBytes(n: number): number {
  return 2 + n * 32 + 4;
}

/** A short receipt: 6 text lines, feed, cut. */
function smallJob(p: Printer): number {
  const id = p.begin();
  assert.ok(id > 0);
  p.init();
  p.align(1);
  p.bold(true);
  p.text("SALES SLIP");
  p.line();
  p.bold(false);
  p.align(0);
  for (let i = 1; i <= 4; i++) {
    p.text("LINE " + i);
    p.line();
  }
  p.text("END");
  p.line();
  p.feed(2);
  p.cut();
  assert.equal(p.end(), PRN_OK);
  return id;
}
const SMALL_LINES = ["SALES SLIP", "LINE 1", "LINE 2", "LINE 3", "LINE 4", "END", "", ""];

/** `n` lines of 31 characters + LF = 32 bytes each. */
function bigJob(p: Printer, n: number): number {
  const id = p.begin();
  assert.ok(id > 0);
  p.init();
  for (let i = 0; i < n; i++) {
    assert.equal(p.text("LINE " + String(i).padStart(3, "0") + " ABCDEFGHIJKLMNOPQRSTUVW"), PRN_OK);
    p.line();
  }
  p.cut();
  assert.equal(p.end(), PRN_OK);
  return id;
}
function bigLines(n: number): string[] {
  const r: string[] = [];
  for (let i = 0; i < n; i++) r.push("LINE " + String(i).padStart(3, "0") + " ABCDEFGHIJKLMNOPQRSTUVW");
  return r;
}

describe("EscPosPrinter driver with the ESC/POS printer model", () => {
  it("prints text with bold, alignment, double size, feed and cut as the model decodes it", () => {
    const r = rig();
    const p = r.printer;
    const id = p.begin();
    p.init();
    p.align(1);
    p.bold(true);
    p.text("SALES SLIP");
    p.line();
    p.bold(false);
    p.align(2);
    p.text("TOTAL");
    p.line();
    p.align(0);
    p.doubleSize(true);
    p.text("RMB 12.34");
    p.line();
    p.doubleSize(false);
    p.feed(3);
    p.cut();
    assert.equal(p.end(), PRN_OK);
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    const lines = r.model.printed();
    assert.deepEqual(
      lines.map((l) => [l.text, l.bold, l.align, l.width, l.height]),
      [
        ["SALES SLIP", true, 1, 1, 1],
        ["TOTAL", false, 2, 1, 1],
        ["RMB 12.34", false, 0, 2, 2],
        ["", false, 0, 1, 1],
        ["", false, 0, 1, 1],
        ["", false, 0, 1, 1],
      ],
    );
    assert.deepEqual(r.model.receipts(), [["SALES SLIP", "TOTAL", "RMB 12.34", "", "", ""]]);
    assert.equal(r.model.cuts(), 1);
    assert.deepEqual(r.model.errors, []);
    assert.equal(p.state(), PRN_IDLE);
  });

  it("wraps text longer than 32 columns like the printer, and ends a pending line before cutting", () => {
    const r = rig();
    const p = r.printer;
    const id = p.begin();
    p.init();
    p.text("0123456789012345678901234567890123456789"); // 40 columns
    p.cut(); // no line() before: the driver ends the line itself
    p.end();
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    assert.deepEqual(r.model.receipts(), [["01234567890123456789012345678901", "23456789"]]);
    assert.deepEqual(r.model.errors, []);
  });

  /** The parts-of-a-source job, printed; `native`: with an E like Espruino's (mapInPlace copies bytes). */
  function printParts(native: boolean): { lines: string[]; mapped: number; views: number } {
    const g = globalThis as { E?: unknown };
    let mapped = 0;
    let views = 0;
    if (native) {
      g.E = {
        toArrayBuffer: (str: string) => {
          views++;
          return Uint8Array.from(str, (c) => c.charCodeAt(0)).buffer;
        },
        mapInPlace: (a: unknown, b: unknown, m: unknown, bits: unknown) => {
          mapped++;
          mapInPlace(a, b, m, bits);
        },
      };
    }
    try {
      return partsJob();
    } finally {
      delete g.E;
    }

    function partsJob(): { lines: string[]; mapped: number; views: number } {
      const r = rig();
      const p = r.printer;
      const id = p.begin();
      p.init();
      const pad = " ".repeat(40);
      assert.equal(p.text("[AMOUNT:]", 1, 8), PRN_OK);
      assert.equal(p.text(pad, 0, 16), PRN_OK);
      const bytes = new Uint8Array([0, 82, 77, 66, 32, 49, 50, 46, 51, 52, 0]);
      assert.equal(p.text(bytes, 1, 10), PRN_OK); // "RMB 12.34": 7 + 16 + 9 = 32 columns
      p.line();
      assert.equal(p.text(bytes, 1, 5), PRN_OK);
      assert.equal(p.text(pad), PRN_OK); // wraps after 28 of them
      assert.equal(p.text("X"), PRN_OK);
      p.line();
      p.doubleSize(true);
      assert.equal(p.text("ABCDEFGHIJKLMNOPQRS", 2, 19), PRN_OK); // 17 wide characters: the last wraps
      p.line();
      p.doubleSize(false);
      assert.equal(p.text(new Uint8Array([65, 7, 66])), PRN_ERR_BAD_TEXT); // a control byte is printed as '?'
      assert.equal(p.text(pad, 3, 3), PRN_OK);
      p.line();
      assert.equal(p.text(pad, 0, 30), PRN_OK);
      assert.equal(p.text(bytes, 1, 10), PRN_OK); // bytes that wrap: "RM" fits, "B 12.34" goes on
      p.line();
      assert.equal(p.text("ABC", 2, 4), PRN_ERR_BAD_ARG);
      assert.equal(p.text("ABC", 2, 1), PRN_ERR_BAD_ARG);
      assert.equal(p.text(pad, -1, 2), PRN_ERR_BAD_ARG);
      // GB18030 from part of a binary string: "A金额B" is 6 bytes and 6 columns
      const zh = "x\x41\xBD\xF0\xB6\xEE\x42x";
      const before = views;
      assert.equal(p.gbTextAt(zh, 1, 7), PRN_OK);
      p.line();
      const fitted = views - before;
      assert.equal(p.text(pad, 0, 30), PRN_OK);
      assert.equal(p.gbTextAt(zh, 1, 7), PRN_OK); // "A" fits, 金 wraps
      p.line();
      assert.equal(views - before, fitted, "a line that wraps goes a character at a time");
      p.cut();
      assert.equal(p.end(), PRN_OK);
      assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
      assert.deepEqual(r.model.errors, []);
      return { lines: r.model.lines(), mapped, views: fitted };
    }
  }

  const PARTS_LINES = [
      "AMOUNT:                RMB 12.34",
      "RMB " + " ".repeat(28),
      " ".repeat(12) + "X",
      "CDEFGHIJKLMNOPQR",
      "S",
      "A?B",
      " ".repeat(30) + "RM",
      "B 12.34",
      "A金额B",
      " ".repeat(30) + "A",
      "金额B",
  ];

  it("prints part of a string and bytes of a buffer, wrapping each like the printer", () => {
    const out = printParts(false);
    assert.deepEqual(out.lines, PARTS_LINES);
    assert.equal(out.mapped, 0);
  });

  it("copies bytes in one native call where Espruino has E.mapInPlace, printing the same", () => {
    const out = printParts(true);
    assert.deepEqual(out.lines, PARTS_LINES);
    assert.ok(out.mapped >= 3, `bytes went through E.mapInPlace ${out.mapped} times`);
    assert.equal(out.views, 1, "GB18030 that fits its line is copied from one view of the string");
  });

  it("prints Chinese from the build-time GB18030 catalogue and reads back the same text", () => {
    const r = rig();
    const p = r.printer;
    const id = p.begin();
    p.init();
    p.align(1);
    assert.equal(p.gbTextAt(MSG_ZH_GB, MSG_ZH_AT[MSG_SLIP_TITLE], MSG_ZH_AT[MSG_SLIP_TITLE + 1]), PRN_OK);
    p.line();
    assert.equal(gb(p, msgZhGb(MSG_MERCHANT_COPY)), PRN_OK);
    p.line();
    p.align(0);
    gb(p, msgZhGb(MSG_AMOUNT));
    p.text(": RMB 12.34");
    p.line();
    gb(p, msgZhGb(MSG_REVERSAL_FAILED));
    p.line();
    p.cut();
    p.end();
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    assert.deepEqual(r.model.receipts(), [["签购单", "商户存根", "金额: RMB 12.34", "冲正失败 请联系收单机构"]]);
    assert.deepEqual(r.model.errors, []);
    // The bytes on the wire are GB18030 inside FS & ... FS .
    assert.ok(r.link.sent.includes("\x1c&\xC7\xA9\xB9\xBA\xB5\xA5\x1c."));
  });

  it("wraps Chinese at 16 characters (2 columns each)", () => {
    const r = rig();
    const p = r.printer;
    const id = p.begin();
    const one = msgZhGb(MSG_SLIP_TITLE); // 签购单: 3 characters, 6 columns
    for (let i = 0; i < 6; i++) gb(p, one); // 18 characters
    p.line();
    p.end();
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    assert.deepEqual(r.model.lines(), ["签购单签购单签购单签购单签购单签", "购单"]);
  });

  it("refuses bad input with a code and writes nothing it should not", () => {
    const r = rig({ driver: { buffer: 64 } });
    const p = r.printer;
    assert.equal(p.text("X"), PRN_ERR_STATE); // no job
    const id = p.begin();
    assert.equal(p.begin(), 0); // one job at a time
    assert.equal(gb(p, "\xC7"), PRN_ERR_BAD_TEXT); // lone lead byte
    assert.equal(gb(p, "\xC7\xA9\x1b"), PRN_ERR_BAD_TEXT); // control byte inside
    assert.equal(gb(p, "签"), PRN_ERR_BAD_TEXT); // not encoded
    assert.equal(p.gbTextAt(MSG_ZH_GB, 0, MSG_ZH_GB.length + 1), PRN_ERR_BAD_ARG);
    assert.equal(p.align(3), PRN_ERR_BAD_ARG);
    assert.equal(p.feed(256), PRN_ERR_BAD_ARG);
    assert.equal(p.text("A\nB"), PRN_ERR_BAD_TEXT); // printed as A?B, never as a raw LF
    p.line();
    assert.equal(p.end(), PRN_OK);
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    assert.deepEqual(r.model.lines(), ["A?B"]);
    // the refused calls wrote nothing: status query, the one line, status query
    assert.equal(r.link.sent, "\x10\x04\x04A?B\n\x10\x04\x04");
  });

  it("a job that does not fit is refused at end() with PRN_ERR_OVERFLOW, and the printer stays usable", () => {
    const r = rig({ driver: { buffer: 64 } });
    const p = r.printer;
    const id = p.begin();
    assert.equal(p.text("0123456789012345678901234567890123456789"), PRN_OK);
    assert.equal(p.text("0123456789012345678901234567890123456789"), PRN_ERR_OVERFLOW);
    assert.equal(p.line(), PRN_ERR_OVERFLOW);
    assert.equal(p.end(), PRN_ERR_OVERFLOW);
    assert.deepEqual(r.drain(), [[EV_PRINT_FAILED, id, PRN_ERR_OVERFLOW]]);
    r.sched.advance(2000);
    assert.equal(r.link.sent, ""); // nothing half-printed
    const id2 = smallJob(p);
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id2, 0]]);
  });

  it("paper out before the job: failed and kept; after loading paper, reprint prints it once, fully", () => {
    const r = rig();
    const p = r.printer;
    r.model.paperOut();
    const id = smallJob(p);
    assert.deepEqual(r.run(), [[EV_PRINT_FAILED, id, PRN_ERR_PAPER_OUT]]);
    assert.equal(p.state(), PRN_FAILED);
    assert.equal(p.keptJob(), id);
    assert.equal(p.begin(), 0); // the kept job is not overwritten
    assert.equal(r.link.sent, "\x10\x04\x04"); // only the status query went out
    r.sched.advance(1000);
    assert.deepEqual(r.model.lines(), []);
    r.model.loadPaper();
    assert.equal(p.reprint(), id);
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    assert.deepEqual(r.model.receipts(), [SMALL_LINES]);
    assert.equal(p.keptJob(), 0);
    assert.deepEqual(r.model.errors, []);
  });

  it("paper out mid-job: the between-chunk check stops the output, the job is kept and reprints in full", () => {
    const r = rig({ driver: { buffer: 2048 } });
    const p = r.printer;
    const id = bigJob(p, 40);
    r.model.paperOut(10);
    assert.deepEqual(r.run(), [[EV_PRINT_FAILED, id, PRN_ERR_PAPER_OUT]]);
    assert.equal(p.keptJob(), id);
    assert.equal(r.model.lines().length, 10);
    assert.ok(r.link.sent.length < bigJobBytes(40), "output stopped before the end of the job");
    assert.equal(r.model.overflowBytes, 0);
    r.sched.advance(2000);
    assert.ok(r.link.sent.length < bigJobBytes(40), "and stays stopped");
    // New roll: the printer first prints the tail it still holds (real modules do), then the reprint.
    r.model.loadPaper();
    assert.equal(p.reprint(), id);
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    const receipts = r.model.receipts();
    assert.deepEqual(receipts[receipts.length - 1].slice(-40), bigLines(40));
    assert.ok(receipts[receipts.length - 1].length > 40, "the held tail came before the reprint");
    assert.equal(r.model.overflowBytes, 0);
  });

  it("no answer to the status query: failed only after the timeout, kept, reprinted when it answers again", () => {
    const r = rig({ driver: { statusTimeoutMs: 500 } });
    const p = r.printer;
    r.model.goSilent();
    const id = smallJob(p);
    r.sched.advance(450);
    assert.deepEqual(r.drain(), []);
    assert.deepEqual(r.run(1000), [[EV_PRINT_FAILED, id, PRN_ERR_NO_ANSWER]]);
    assert.ok(r.sched.now() >= 500);
    assert.equal(p.keptJob(), id);
    r.model.wake();
    assert.equal(p.reprint(), id);
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    assert.deepEqual(r.model.receipts(), [SMALL_LINES]);
  });

  it("printer goes silent mid-job: failed with PRN_ERR_NO_ANSWER and kept", () => {
    const r = rig({ driver: { buffer: 2048 } });
    const p = r.printer;
    const id = bigJob(p, 40);
    r.model.goSilent(5);
    assert.deepEqual(r.run(), [[EV_PRINT_FAILED, id, PRN_ERR_NO_ANSWER]]);
    assert.equal(p.keptJob(), id);
    assert.equal(r.model.lines().length, 5);
  });

  it("paper near end is reported but the job still prints", () => {
    const r = rig();
    r.model.setNearEnd(true);
    const id = smallJob(r.printer);
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
    assert.equal(r.printer.paperNearEnd, true);
  });

  describe("pacing", () => {
    const JOB_LINES = 64; // 64 x 32 bytes = 2 KB
    const small = { bufferBytes: 512 };

    it("a 2 KB job at 9600 baud never overflows a 512-byte printer buffer when paced by time", () => {
      const r = rig({ baud: 9600, model: small, driver: { buffer: 2304 } });
      const id = bigJob(r.printer, JOB_LINES);
      assert.ok(bigJobBytes(JOB_LINES) >= 2048);
      assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
      assert.equal(r.model.bufferedBytes(), 0, "done means printed");
      assert.equal(r.model.overflowBytes, 0);
      assert.ok(r.model.maxBuffered <= 128, "buffer high-water mark " + r.model.maxBuffered);
      assert.deepEqual(r.model.receipts(), [bigLines(JOB_LINES)]);
      assert.deepEqual(r.model.errors, []);
    });

    it("the same job DOES overflow with the print-time allowance off (lineMs 0: wire speed only)", () => {
      const r = rig({ baud: 9600, model: small, driver: { buffer: 2304, lineMs: 0 } });
      bigJob(r.printer, JOB_LINES);
      r.run();
      assert.ok(r.model.overflowBytes > 0);
      assert.match(r.model.errors[0], /input buffer overflow/);
      assert.notDeepEqual(r.model.receipts(), [bigLines(JOB_LINES)]);
    });

    const busyModel = { bufferBytes: 512, busyAbove: 256, busyBelow: 128 };

    it("busy-pin pacing at 115200 baud keeps the buffer below full and prints everything", () => {
      // lineMs still sets the end-of-job wait; sending follows the pin only.
      const r = rig({ baud: 115200, model: busyModel, busy: true, driver: { buffer: 2304 } });
      const id = bigJob(r.printer, JOB_LINES);
      assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
      assert.equal(r.model.bufferedBytes(), 0, "done means printed");
      assert.ok(r.model.busyAsserts > 0, "the pin was really used");
      assert.equal(r.model.overflowBytes, 0);
      assert.ok(r.model.maxBuffered < 512);
      assert.deepEqual(r.model.receipts(), [bigLines(JOB_LINES)]);
    });

    it("without the busy pin the same setup overflows (the busy test can fail)", () => {
      const r = rig({ baud: 115200, model: busyModel, busy: false, driver: { buffer: 2304, lineMs: 0 } });
      bigJob(r.printer, JOB_LINES);
      r.run();
      assert.ok(r.model.overflowBytes > 0);
    });

    it("busy stuck high (printer offline) past busyTimeoutMs: status asked, job failed and kept", () => {
      const r = rig({
        baud: 115200,
        model: busyModel,
        busy: true,
        driver: { buffer: 2304, lineMs: 0, checkEveryBytes: 0, busyTimeoutMs: 1000 },
      });
      const id = bigJob(r.printer, JOB_LINES);
      r.model.paperOut(3);
      const t0 = r.sched.now();
      assert.deepEqual(r.run(), [[EV_PRINT_FAILED, id, PRN_ERR_PAPER_OUT]]);
      assert.ok(r.sched.now() - t0 >= 1000, "waited for the busy timeout first");
      assert.equal(r.printer.keptJob(), id);
      assert.equal(r.model.overflowBytes, 0);
    });

    it("busy stuck high while the printer reports paper: PRN_ERR_BUSY_TIMEOUT", () => {
      // busyAbove 0: the pin is high from the start and never drops.
      const r = rig({ model: { bufferBytes: 512, busyAbove: 0, busyBelow: 0 }, busy: true, driver: { busyTimeoutMs: 300 } });
      const id = smallJob(r.printer);
      assert.deepEqual(r.run(), [[EV_PRINT_FAILED, id, PRN_ERR_BUSY_TIMEOUT]]);
      assert.equal(r.printer.keptJob(), id);
    });
  });

  it("counts events lost to a full ring, and a failed job is still kept for reprint", () => {
    const r = rig({ ringSize: 1 });
    r.ring.push(99, 0, 0); // the app has not drained yet
    r.model.paperOut();
    const id = smallJob(r.printer);
    r.sched.advance(2000);
    assert.equal(r.ring.dropped, 1);
    assert.equal(r.printer.state(), PRN_FAILED);
    assert.equal(r.printer.keptJob(), id);
    assert.equal(r.printer.lastError, PRN_ERR_PAPER_OUT);
    while (r.ring.shift()) continue; // empty the ring
    r.model.loadPaper();
    assert.equal(r.printer.reprint(), id);
    assert.deepEqual(r.run(), [[EV_PRINT_DONE, id, 0]]);
  });

  it("discard() drops a kept job so a new one can start", () => {
    const r = rig();
    r.model.paperOut();
    const id = smallJob(r.printer);
    assert.deepEqual(r.run(), [[EV_PRINT_FAILED, id, PRN_ERR_PAPER_OUT]]);
    assert.equal(r.printer.discard(), true);
    assert.equal(r.printer.state(), PRN_IDLE);
    const id2 = smallJob(r.printer);
    assert.ok(id2 > id);
    assert.equal(r.printer.discard(), false); // a job being printed cannot be dropped
  });
});

describe("EscPosPrinterModel status answers (ESC/POS bit meanings)", () => {
  function modelOnly() {
    const sched = new Scheduler();
    const model = new EscPosPrinterModel(sched);
    const got: number[] = [];
    model.attach((d) => {
      for (let i = 0; i < d.length; i++) got.push(d.charCodeAt(i));
    });
    return { sched, model, got };
  }

  it("DLE EOT 4: 0x12 with paper, bits 2-3 near end, bits 5-6 (and 2-3) when out", () => {
    const m = modelOnly();
    m.model.onReceive("\x10\x04\x04");
    m.model.setNearEnd(true);
    m.model.onReceive("\x10\x04\x04");
    m.model.paperOut();
    m.model.onReceive("\x10\x04\x04");
    assert.deepEqual(m.got, [0x12, 0x1e, 0x7e]);
  });

  it("DLE EOT 1 shows offline (bit 3) when out of paper; DLE EOT is answered even with a full buffer", () => {
    const m = modelOnly();
    m.model.paperOut();
    m.model.onReceive("x".repeat(5000)); // 4 KB buffer overflows
    m.model.onReceive("\x10\x04\x01");
    assert.deepEqual(m.got, [0x1a]);
    assert.ok(m.model.overflowBytes > 0);
  });

  it("GS r 1 is answered in order, after the lines before it are printed", () => {
    const m = modelOnly();
    m.model.onReceive("A\nB\n\x1dr\x01");
    assert.deepEqual(m.got, []);
    m.sched.advance(1000);
    assert.deepEqual(m.got, [0x00]);
    assert.deepEqual(m.model.lines(), ["A", "B"]);
  });

  it("records commands outside the modelled subset", () => {
    const m = modelOnly();
    m.model.onReceive("\x1bZ\x07ok\n");
    m.sched.advance(1000);
    assert.equal(m.model.errors.length, 2);
    assert.deepEqual(m.model.lines(), ["ok"]);
  });
});
