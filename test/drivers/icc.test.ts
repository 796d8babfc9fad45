import { strict as assert } from "node:assert";
import { Scheduler } from "../../hil/sim/scheduler";
import { UartLink, ModelPin } from "../../hil/models/buses";
import type { PinNet } from "../../hil/models/ports";
import type { SerialLike } from "../../firmware/hal/serial";
import { IccReaderModule } from "../../hil/models/icc-reader-module";
import { ChipCard, ChipCardOptions, hexBytes, bytesHex } from "../../hil/models/chip-card";
import { CHIP_DEBIT, CHIP_CREDIT, TestCard } from "../../hil/models/test-cards";
import { EventRing } from "../../firmware/lib/event-ring";
import {
  EV_CARD_INSERTED,
  EV_CARD_REMOVED,
  EV_CHIP_READ,
  EV_CHIP_ERROR,
  EV_READER_FAULT,
} from "../../firmware/events";
import { CardData, ENTRY_CHIP } from "../../firmware/txn/card-data";
import {
  ChipReader,
  ChipReaderOptions,
  ICC_ERR_FRAME,
  ICC_ERR_MUTE,
  ICC_ERR_SW,
  ICC_ERR_BLOCKED,
  ICC_ERR_TLV,
  ICC_ERR_DECLINED,
  ICC_ERR_NO_APP,
  ICC_ERR_DATA,
  ICC_ERR_NAMES,
  ICC_STEP_IDLE,
  ICC_STEP_POWER_ON,
  ICC_STEP_SELECT_PPSE,
  ICC_STEP_SELECT_AID,
  ICC_STEP_GPO,
  ICC_STEP_READ_RECORD,
  ICC_STEP_GEN_AC,
  ICC_STEP_DONE,
  READER_ICC,
} from "../../firmware/drivers/icc";
import { FRAME_ERR_CHECKSUM, ST_BAD_FRAME, FRAME_ERR_ETX, FRAME_ERR_LEN } from "../../firmware/drivers/icc-frame";
import {
  tlvNext,
  TLV_OK,
  TLV_END,
  TLV_ERR_TAG,
  TLV_ERR_LEN,
  TLV_ERR_OVERRUN,
  TLV_ERR_DEPTH,
  W_SIZE,
  W_TAG,
  W_LEN,
  W_DEPTH,
} from "../../firmware/drivers/emv-tlv";
import { TagStore, tagFind, tagPut, tagClear, SLOT_CARD } from "../../firmware/drivers/emv-store";
import { FIELD55_TAGS, TXN_SALE, EMV_SPEC, DOL_ERR, buildDol, buildTlvList, putDateTime } from "../../firmware/drivers/emv-terminal";

type Ev = [number, number, number];

// 2024-03-05 14:07:09 local terminal time
const T0 = Date.UTC(2024, 2, 5, 14, 7, 9);

interface Rig {
  sched: Scheduler;
  module: IccReaderModule;
  link: UartLink;
  ring: EventRing;
  reader: ChipReader;
}

function rig(
  opts?: Partial<ChipReaderOptions>,
  ringSize?: number,
  net?: PinNet,
  wrapSerial?: (s: SerialLike) => SerialLike,
  apduDelayMs?: number,
): Rig {
  const sched = new Scheduler();
  const module = new IccReaderModule({ timers: sched, apduDelayMs: apduDelayMs, atrDelayMs: apduDelayMs });
  const link = new UartLink(sched, module, 9600);
  const ring = new EventRing(ringSize || 16);
  const clock = { now: () => T0 + sched.now() };
  const serial = wrapSerial ? wrapSerial(link.firmware) : link.firmware;
  const reader = new ChipReader(
    Object.assign(
      {
        serial: serial,
        presentPin: new ModelPin(net || module.presentSwitch),
        ring: ring,
        clock: clock,
        random: () => 0.5,
      },
      opts || {},
    ),
  );
  reader.setTransaction(12345, TXN_SALE, 42);
  sched.setInterval(() => reader.tick(clock.now()), 5);
  return { sched, module, link, ring, reader };
}

function drain(ring: EventRing): Ev[] {
  const out: Ev[] = [];
  while (ring.shift()) out.push([ring.kind, ring.a, ring.b]);
  return out;
}

function ascii(b: Uint8Array, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Field 55 as [tag hex, value hex] pairs, in order (parsed independently of the driver). */
function field55(c: CardData): string[][] {
  const out: string[][] = [];
  const b = c.iccData;
  let i = 0;
  while (i < c.iccLen) {
    let tag = b[i++].toString(16);
    if ((parseInt(tag, 16) & 0x1f) === 0x1f) tag += (b[i] < 16 ? "0" : "") + b[i++].toString(16);
    const len = b[i++];
    out.push([tag.toUpperCase(), bytesHex(b.subarray(i, i + len))]);
    i += len;
  }
  assert.equal(i, c.iccLen);
  return out;
}

function assertNoCard(c: CardData): void {
  assert.equal(c.panLen, 0);
  assert.equal(c.track2Len, 0);
  assert.equal(c.iccLen, 0);
  assert.equal(c.panSeq, -1);
  assert.equal(c.entryMode, 0);
}

/** Insert and let the whole exchange play out. */
function insertAndRun(r: Rig, card: ChipCard, ms?: number): Ev[] {
  r.module.insert(card);
  r.sched.advance(ms || 3000);
  return drain(r.ring);
}

describe("ChipReader against IccReaderModule + ChipCard", () => {
  it("reads a UnionPay debit card: PAN, expiry, track 2 equivalent, PAN sequence, field 55", () => {
    const r = rig();
    const card = new ChipCard(CHIP_DEBIT);
    const evs = insertAndRun(r, card);
    assert.deepEqual(evs, [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    const c = r.reader.card;
    assert.equal(ascii(c.pan, c.panLen), CHIP_DEBIT.pan);
    assert.equal(ascii(c.expiry, 4), "3106");
    assert.equal(ascii(c.serviceCode, 3), "201");
    assert.equal(ascii(c.track2, c.track2Len), CHIP_DEBIT.pan + "=310620100000000");
    assert.equal(c.panSeq, 1);
    assert.equal(c.entryMode, ENTRY_CHIP);
    assert.equal(c.track3Len, 0);
    assert.equal(r.reader.step, ICC_STEP_DONE);

    // The APDU sequence a real card would see.
    assert.deepEqual(card.commands, [
      "00A404000E325041592E5359532E444446303100",
      "00A4040008A00000033301010100",
      // PDOL 9F7A01 9F0206 5F2A02 -> 00 | 000000012345 | 0156
      "80A800000B8309" + "00" + "000000012345" + "0156" + "00",
      "00B2010C00",
      "00B2011400",
      "00B2011C00",
      card.commands[6],
    ]);
    assert.ok(card.commands[6].startsWith("80AE8000" + "34" + "000000012345" + "000000000000" + "0156" + "8000000000" + "0156" + "240305" + "00" + "80808080" + "140709"));
    assert.equal(r.module.powered, false, "card powered off after the read");

    const f55 = field55(c);
    const tags = f55.map((t) => t[0]);
    const want = FIELD55_TAGS.map((t) => t.toString(16).toUpperCase());
    assert.deepEqual(tags, want, "every field-55 tag, in order");
    const v = (tag: string) => f55.filter((t) => t[0] === tag)[0][1];
    assert.equal(v("9F27"), "80", "ARQC");
    assert.equal(v("9F26").length, 16);
    assert.equal(v("9F36"), "0011");
    assert.equal(v("9F10"), CHIP_DEBIT.chip!.apps[0].iad);
    assert.equal(v("9F37"), "80808080");
    assert.equal(v("95"), "8000000000");
    assert.equal(v("9A"), "240305");
    assert.equal(v("9C"), "00");
    assert.equal(v("9F02"), "000000012345");
    assert.equal(v("5F2A"), "0156");
    assert.equal(v("82"), "7C00");
    assert.equal(v("9F1A"), "0156");
    assert.equal(v("84"), "A000000333010101");
    assert.equal(v("9F41"), "00000042");
  });

  it("picks the highest-priority supported application and reads format-1 answers", () => {
    const r = rig();
    const card = new ChipCard(CHIP_CREDIT);
    assert.deepEqual(insertAndRun(r, card), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    assert.equal(card.commands[1], "00A4040008A00000033301010200");
    assert.equal(card.commands[2], "80A80000028300" + "00", "no PDOL: empty 83 template");
    const c = r.reader.card;
    assert.equal(ascii(c.pan, c.panLen), CHIP_CREDIT.pan);
    assert.equal(c.panSeq, 0);
    const f55 = field55(c);
    assert.equal(f55.filter((t) => t[0] === "84")[0][1], "A000000333010102");
    assert.equal(f55.filter((t) => t[0] === "9F27")[0][1], "80");
  });

  it("handles a T=0 card (61xx GET RESPONSE, 6Cxx wrong Le)", () => {
    const r = rig();
    const card = new ChipCard(CHIP_DEBIT, { t0: true });
    assert.deepEqual(insertAndRun(r, card), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    assert.ok(card.commands.some((c) => c.startsWith("00C00000")), "GET RESPONSE used");
    assert.ok(card.commands.indexOf("00B2010C00") >= 0 && card.commands.some((c) => /^00B2010C[0-9A-F]{2}$/.test(c) && c !== "00B2010C00"));
    assert.equal(ascii(r.reader.card.pan, r.reader.card.panLen), CHIP_DEBIT.pan);
  });

  it("falls back to the terminal's AID list when the card has no PPSE", () => {
    const r = rig();
    const card = new ChipCard(CHIP_DEBIT, { noPpse: true });
    assert.deepEqual(insertAndRun(r, card), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    assert.equal(card.commands[1], "00A4040008A00000033301010100");
  });

  it("reads without GENERATE AC when asked: field 55 then has no cryptogram", () => {
    const r = rig({ generateAc: false });
    const card = new ChipCard(CHIP_DEBIT);
    assert.deepEqual(insertAndRun(r, card), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    const tags = field55(r.reader.card).map((t) => t[0]);
    assert.equal(tags.indexOf("9F26"), -1);
    assert.ok(tags.indexOf("82") >= 0 && tags.indexOf("9F37") >= 0);
    assert.equal(card.commands.length, 6);
  });

  // Commands of a full read: 1 POWER_ON, 2 SELECT PPSE, 3 SELECT AID, 4 GPO, 5-7 READ RECORD, 8 GEN AC
  const stepOfCommand = [0, ICC_STEP_POWER_ON, ICC_STEP_SELECT_PPSE, ICC_STEP_SELECT_AID, ICC_STEP_GPO, ICC_STEP_READ_RECORD, ICC_STEP_READ_RECORD, ICC_STEP_READ_RECORD, ICC_STEP_GEN_AC];

  // Who notices first: the switch (slow module) or the module's "no card" (slow debounce).
  const detections: Array<[string, number, number]> = [
    ["switch first", 5, 300],
    ["module first", 400, 20],
  ];
  for (let k = 1; k <= 8; k++) {
    for (const [who, debounceMs, delayMs] of detections) it("card pulled mid-command " + k + " (" + who + ") -> card removed at once, no card data", () => {
      const r = rig({ debounceMs: debounceMs }, 16, undefined, undefined, delayMs);
      let pulledAt = -1;
      r.module.onCommand = (i) => {
        if (i === k) {
          r.module.pull();
          pulledAt = r.sched.now();
        }
      };
      const evs = insertAndRun(r, new ChipCard(CHIP_DEBIT), 5000);
      assert.ok(pulledAt >= 0);
      assert.deepEqual(evs, [
        [EV_CARD_INSERTED, 0, 0],
        [EV_CARD_REMOVED, stepOfCommand[k], 0],
      ]);
      assertNoCard(r.reader.card);
      assert.equal(r.reader.step, ICC_STEP_IDLE);
      assert.equal(r.reader.isPresent(), false);
    });

    // After answer 8 (GENERATE AC) the read is complete: see "pulled after a complete read".
    if (k < 8) it("card pulled right after answer " + k + " -> card removed, no card data", () => {
      const r = rig();
      r.module.onReply = (i) => {
        if (i === k) r.module.pull();
      };
      const evs = insertAndRun(r, new ChipCard(CHIP_DEBIT));
      assert.equal(evs.length, 2);
      assert.deepEqual(evs[0], [EV_CARD_INSERTED, 0, 0]);
      assert.equal(evs[1][0], EV_CARD_REMOVED);
      assertNoCard(r.reader.card);
    });
  }

  it("pulled after a complete read: the record stays, one removal event", () => {
    const r = rig();
    insertAndRun(r, new ChipCard(CHIP_DEBIT));
    r.module.pull();
    r.sched.advance(200);
    assert.deepEqual(drain(r.ring), [[EV_CARD_REMOVED, 0, 0]]);
    assert.equal(ascii(r.reader.card.pan, r.reader.card.panLen), CHIP_DEBIT.pan);
  });

  it("reads again after a card was pulled mid-read and reinserted (late answers ignored)", () => {
    const r = rig();
    r.module.onCommand = (i) => {
      if (i === 4) r.module.pull();
    };
    const card = new ChipCard(CHIP_DEBIT);
    r.module.insert(card);
    r.sched.advance(400);
    r.module.onCommand = null;
    r.module.insert(card);
    r.sched.advance(3000);
    assert.deepEqual(drain(r.ring), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CARD_REMOVED, ICC_STEP_GPO, 0],
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    assert.equal(ascii(r.reader.card.pan, r.reader.card.panLen), CHIP_DEBIT.pan);
  });

  it("ignores answers to an aborted exchange that arrive during the next read", () => {
    // Slow module, fast switch: the card is pulled during GPO and put back before the module
    // has answered the GPO and the POWER_OFF that followed the removal.
    const r = rig({ debounceMs: 5 }, 16, undefined, undefined, 300);
    const card = new ChipCard(CHIP_DEBIT);
    r.module.onCommand = (i) => {
      if (i === 4) {
        r.module.pull();
        r.sched.setTimeout(() => r.module.insert(card), 30);
      }
    };
    r.module.insert(card);
    r.sched.advance(8000);
    assert.deepEqual(drain(r.ring), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CARD_REMOVED, ICC_STEP_GPO, 0],
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    assert.equal(r.module.commandCount, 4 + 1 + 9, "GPO, POWER_OFF after removal, then a full read");
  });

  it("a silent module -> reader fault after the response timeout, not before", () => {
    const r = rig({ responseTimeoutMs: 800, debounceMs: 30 });
    r.module.silent = true;
    r.module.insert(new ChipCard(CHIP_DEBIT));
    r.sched.advance(30 + 10 + 780); // debounce, POWER_ON out, most of the timeout
    assert.deepEqual(drain(r.ring), [[EV_CARD_INSERTED, 0, 0]]);
    r.sched.advance(60);
    assert.deepEqual(drain(r.ring), [[EV_READER_FAULT, READER_ICC, ICC_STEP_POWER_ON]]);
    assertNoCard(r.reader.card);
    assert.equal(r.reader.step, ICC_STEP_IDLE);
  });

  it("a module going silent mid-read -> reader fault at that step", () => {
    const r = rig();
    r.module.onCommand = (i) => {
      if (i === 4) r.module.silent = true;
    };
    assert.deepEqual(insertAndRun(r, new ChipCard(CHIP_DEBIT)), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_READER_FAULT, READER_ICC, ICC_STEP_GPO],
    ]);
    assertNoCard(r.reader.card);
  });

  it("a reply with a bad checksum -> chip error (frame), no card data", () => {
    for (let k = 1; k <= 8; k++) {
      const r = rig();
      r.module.onCommand = (i) => {
        if (i === k) r.module.corruptNextReply = true;
      };
      assert.deepEqual(insertAndRun(r, new ChipCard(CHIP_DEBIT)), [
        [EV_CARD_INSERTED, 0, 0],
        [EV_CHIP_ERROR, ICC_ERR_FRAME, -FRAME_ERR_CHECKSUM],
      ], "command " + k);
      assertNoCard(r.reader.card);
    }
  });

  it("a frame corrupted on the way to the module -> the module says so -> chip error", () => {
    let written = 0;
    const corruptThird = (s: SerialLike): SerialLike => ({
      on: s.on.bind(s),
      write(d: string | Uint8Array | number) {
        // flip a bit in the 12th byte the driver sends (inside the SELECT PPSE frame)
        if (typeof d === "number" && ++written === 12) d ^= 0x10;
        s.write(d);
      },
    });
    const r = rig({}, 16, undefined, corruptThird);
    assert.deepEqual(insertAndRun(r, new ChipCard(CHIP_DEBIT)), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_ERROR, ICC_ERR_FRAME, ST_BAD_FRAME],
    ]);
  });

  const chipErrors: Array<[string, ChipCardOptions, number, number]> = [
    ["malformed TLV in a record", { badTlv: "record" }, ICC_ERR_TLV, TLV_ERR_OVERRUN],
    ["malformed TLV in the FCI", { badTlv: "fci" }, ICC_ERR_TLV, TLV_ERR_OVERRUN],
    ["malformed TLV in the GPO answer", { badTlv: "gpo" }, ICC_ERR_TLV, TLV_ERR_OVERRUN],
    ["malformed TLV in the PPSE", { badTlv: "ppse" }, ICC_ERR_TLV, TLV_ERR_OVERRUN],
    ["malformed TLV in the GENERATE AC answer", { badTlv: "genac" }, ICC_ERR_TLV, TLV_ERR_OVERRUN],
    ["a mute card", { mute: true }, ICC_ERR_MUTE, 2],
    ["a blocked application", { blocked: true }, ICC_ERR_BLOCKED, 0],
    ["GPO refused (6985)", { gpoSw: 0x6985 }, ICC_ERR_SW, 0x6985],
    ["an offline decline (AAC)", { decline: true }, ICC_ERR_DECLINED, 0],
  ];
  for (const [name, o, code, detail] of chipErrors) {
    it("chip error, no card data: " + name, () => {
      const r = rig();
      const evs = insertAndRun(r, new ChipCard(CHIP_DEBIT, o));
      assert.deepEqual(evs, [
        [EV_CARD_INSERTED, 0, 0],
        [EV_CHIP_ERROR, code, detail],
      ], ICC_ERR_NAMES[evs[1] ? evs[1][1] : 0]);
      assertNoCard(r.reader.card);
      assert.equal(r.reader.step, ICC_STEP_IDLE);
      assert.equal(r.module.powered, false, "card powered off after the error");
    });
  }

  it("no supported application -> chip error", () => {
    const r = rig({ aids: ["A0000000031010"] });
    assert.deepEqual(insertAndRun(r, new ChipCard(CHIP_DEBIT)), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_ERROR, ICC_ERR_NO_APP, 0],
    ]);
  });

  it("debounces the card-present switch: one insert per bounce, none for a short glitch", () => {
    const r = rig({ debounceMs: 30 });
    r.module.insert(new ChipCard(CHIP_DEBIT), 25);
    r.sched.advance(3000);
    assert.deepEqual(drain(r.ring), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    // A 10 ms open, then closed again: not a removal.
    const card = r.module.card!;
    r.module.pull();
    r.sched.advance(10);
    r.module.insert(card);
    r.sched.advance(200);
    assert.deepEqual(drain(r.ring), []);
  });

  it("the module says 'no card' while the switch still reads present: one removal, no insert loop", () => {
    const stuckClosed: PinNet = { driven: () => undefined, level: () => false };
    const r = rig({}, 16, stuckClosed);
    r.sched.advance(2000); // nothing in the slot, but the switch claims a card
    assert.deepEqual(drain(r.ring), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CARD_REMOVED, ICC_STEP_POWER_ON, 0],
    ]);
  });

  it("counts events dropped on a full ring instead of throwing", () => {
    const r2 = rig({}, 1);
    r2.module.insert(new ChipCard(CHIP_DEBIT));
    assert.doesNotThrow(() => r2.sched.advance(3000));
    assert.equal(r2.ring.dropped, 1, "EV_CHIP_READ dropped behind the undrained insert");
    assert.equal(ascii(r2.reader.card.pan, r2.reader.card.panLen), CHIP_DEBIT.pan);
  });

  it("autoRead off: the app starts the read", () => {
    const r = rig({ autoRead: false });
    r.module.insert(new ChipCard(CHIP_DEBIT));
    r.sched.advance(500);
    assert.deepEqual(drain(r.ring), [[EV_CARD_INSERTED, 0, 0]]);
    assert.ok(r.reader.read());
    assert.equal(r.reader.read(), false, "one read at a time");
    r.sched.advance(3000);
    assert.deepEqual(drain(r.ring), [[EV_CHIP_READ, 0, 0]]);
  });
});

/** A reply frame's bytes as the module sends them: STX, LEN, payload, BCC, ETX (`etx` to break it). */
function frameOf(payload: number[], etx = 0x03): string {
  const len = payload.length;
  let bcc = (len >> 8) ^ (len & 0xff);
  let out = String.fromCharCode(0x02, len >> 8, len & 0xff);
  for (const b of payload) {
    bcc ^= b;
    out += String.fromCharCode(b);
  }
  return out + String.fromCharCode(bcc, etx);
}

/**
 * A serial whose replies from the module pass through `hook` (reply index from 1, its payload):
 * it returns the bytes to deliver instead, or null for the reply as it was.
 */
function replyHook(hook: (index: number, payload: number[]) => string | null) {
  return (s: SerialLike): SerialLike => ({
    write: s.write.bind(s),
    on(event: "data", handler: (d: string) => void) {
      let buf: number[] = [];
      let index = 0;
      s.on(event, (data: string) => {
        for (let i = 0; i < data.length; i++) buf.push(data.charCodeAt(i));
        let out = "";
        while (buf.length >= 3 && buf.length >= buf[1] * 256 + buf[2] + 5) {
          const len = buf[1] * 256 + buf[2];
          const payload = buf.slice(3, 3 + len);
          const raw = String.fromCharCode(...buf.slice(0, len + 5));
          buf = buf.slice(len + 5);
          const alt = hook(++index, payload);
          out += alt === null ? raw : alt;
        }
        if (out) handler(out);
      });
    },
  });
}

describe("ChipReader frames and answers (bytes edited on the wire)", () => {
  const APDU_OK = [0x11, 0x00];
  it("skips line noise before each frame", () => {
    const r = rig({}, 16, undefined, replyHook((_i, payload) => "\x55\xaa\x00" + frameOf(payload)));
    assert.deepEqual(insertAndRun(r, new ChipCard(CHIP_DEBIT)), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_READ, 0, 0],
    ]);
    assert.equal(ascii(r.reader.card.pan, r.reader.card.panLen), CHIP_DEBIT.pan);
  });

  it("a frame without its ETX, or with a bad length, is a frame error (detail -FRAME_ERR_*)", () => {
    let r = rig({}, 16, undefined, replyHook((i, payload) => (i === 3 ? frameOf(payload, 0x04) : null)));
    assert.deepEqual(insertAndRun(r, new ChipCard(CHIP_DEBIT)), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_ERROR, ICC_ERR_FRAME, -FRAME_ERR_ETX],
    ]);
    assertNoCard(r.reader.card);
    r = rig({}, 16, undefined, replyHook((i) => (i === 2 ? "\x02\x01\x2d" : null))); // 301 bytes: more than a frame holds
    assert.deepEqual(insertAndRun(r, new ChipCard(CHIP_DEBIT)), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_ERROR, ICC_ERR_FRAME, -FRAME_ERR_LEN],
    ]);
    assert.equal(r.module.powered, false);
  });

  it("a value longer than its slot is refused as bad card data, never cut", () => {
    // record 1 with an 11-byte PAN (the slot holds 10)
    const rec = [0x70, 0x0d, 0x5a, 0x0b, 0x62, 0x22, 0x02, 0x10, 0x00, 0x00, 0x98, 0x73, 0x11, 0x11, 0x11];
    const r = rig({}, 16, undefined, replyHook((i) => (i === 5 ? frameOf(APDU_OK.concat(rec, [0x90, 0x00])) : null)));
    assert.deepEqual(insertAndRun(r, new ChipCard(CHIP_DEBIT)), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_ERROR, ICC_ERR_DATA, 0x5a],
    ]);
    assertNoCard(r.reader.card);
  });

  it("a PDOL entry cut short is malformed data (DOL_ERR), and no GPO is sent", () => {
    // FCI: 84 (the AID), A5 { 9F38 02 9F02 }: the 9F02 entry has no length byte
    const fci = [0x6f, 0x11, 0x84, 0x08, 0xa0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01, 0x01, 0xa5, 0x05, 0x9f, 0x38, 0x02, 0x9f, 0x02];
    const r = rig({}, 16, undefined, replyHook((i) => (i === 3 ? frameOf(APDU_OK.concat(fci, [0x90, 0x00])) : null)));
    const card = new ChipCard(CHIP_DEBIT);
    assert.deepEqual(insertAndRun(r, card), [
      [EV_CARD_INSERTED, 0, 0],
      [EV_CHIP_ERROR, ICC_ERR_TLV, 0x9f38],
    ]);
    assert.equal(card.commands.length, 2, "SELECT PPSE and SELECT AID only");
  });
});

describe("EMV TLV", () => {
  function walk(hex: string): Array<[number, number, number]> | number {
    const b = new Uint8Array(hexBytes(hex));
    const w = new Int32Array(W_SIZE);
    const out: Array<[number, number, number]> = [];
    let rc = tlvNext(b, w, 0, b.length);
    while (rc === TLV_OK) {
      out.push([w[W_TAG], w[W_LEN], w[W_DEPTH]]);
      rc = tlvNext(b, w, -1, 0);
    }
    return rc === TLV_END ? out : rc;
  }
  it("walks nested templates with 1-3 byte tags, long lengths and padding", () => {
    const long = "AB".repeat(130);
    assert.deepEqual(walk("6F0D" + "8401AA" + "A508" + "9F380300FF01" + "00" + "00" + "5F2481" + "82" + long), [
      [0x6f, 13, 0],
      [0x84, 1, 1],
      [0xa5, 8, 1],
      [0x9f38, 3, 2],
      [0x5f24, 130, 0],
    ]);
    assert.deepEqual(walk("DF810102AABB"), [[0xdf8101, 2, 0]]);
    assert.deepEqual(walk("5F20820003414243"), [[0x5f20, 3, 0]], "0x82 length form");
  });
  it("gives an error code, never an exception or an overread, for malformed TLV", () => {
    assert.equal(walk("9F"), TLV_ERR_TAG);
    assert.equal(walk("9F8181810100"), TLV_ERR_TAG);
    assert.equal(walk("5A"), TLV_ERR_LEN);
    assert.equal(walk("5A83010000"), TLV_ERR_LEN);
    assert.equal(walk("5A81"), TLV_ERR_LEN);
    assert.equal(walk("5A8101"), TLV_ERR_OVERRUN);
    assert.equal(walk("5A05112233"), TLV_ERR_OVERRUN);
    assert.equal(walk("70055A05112233"), TLV_ERR_OVERRUN);
    assert.equal(walk("7003" + "5A0411"), TLV_ERR_OVERRUN);
    let deep = "7000";
    for (let i = 0; i < 7; i++) deep = "70" + (deep.length / 2).toString(16).padStart(2, "0") + deep;
    assert.equal(walk(deep), TLV_ERR_DEPTH);
    // A walk bounded below the buffer's end does not look past its bound.
    const b = new Uint8Array(hexBytes("5A0411223344"));
    assert.equal(tlvNext(b, new Int32Array(W_SIZE), 0, 4), TLV_ERR_OVERRUN);
  });
});

describe("EMV tag store, DOL and field-55 builders", () => {
  /** 5A (10, numeric, card), 57 (2, card), 9F02 (6, numeric), 95 (5), 9F38 (8, card) */
  function store(): TagStore {
    const spec = "\x00\x5a\x0a\x03" + "\x00\x57\x02\x02" + "\x9f\x02\x06\x01" + "\x00\x95\x05\x00" + "\x9f\x38\x08\x02";
    return { spec, lens: new Uint8Array(5), pool: new Uint8Array(31), at: 0, cap: 0, si: 0 };
  }
  it("refuses values longer than their slot, terminal slots from the card, and clears the card's to zeros", () => {
    const s = store();
    const v = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(tagPut(s, 0x5a, v, 0, 11), -1);
    assert.equal(tagPut(s, 0x9f26, v, 0, 1), 0, "not a tag of this store");
    assert.equal(tagPut(s, 0x9f02, v, 0, 6), 0, "terminal data is not the card's to set");
    assert.equal(tagPut(s, 0x5a, v, 1, 4), 1);
    assert.equal(tagFind(s, 0x5a), 0);
    assert.deepEqual([s.at, s.cap, s.lens[s.si]], [0, 10, 4]);
    assert.equal(tagFind(s, 0x95), 3);
    assert.deepEqual([s.at, s.cap], [18, 5]);
    s.lens[3] = 5;
    s.pool.fill(0xee, 18, 23); // terminal data
    tagClear(s, 0);
    assert.equal(s.lens[0], 0);
    assert.ok(s.pool.subarray(0, 10).every((x) => x === 0));
    assert.equal(s.lens[3], 5, "terminal data stays");
    tagClear(s, 0x95);
    assert.equal(s.lens[3], 0);
    assert.ok(s.pool.every((x) => x === 0));
  });
  it("builds DOL data: numeric values right-aligned, others left, absent ones zeros; malformed or too long refused", () => {
    const s = store();
    s.pool.set([0x00, 0x00, 0x00, 0x01, 0x23, 0x45], 12); // 9F02 = 12345 fen
    s.lens[2] = 6;
    s.pool.set([0x80, 0x01, 0x02, 0x03, 0x04], 18); // 95
    s.lens[3] = 5;
    // PDOL 9F02 04, 95 03, 9F37 02 (absent) in the 9F38 slot
    s.pool.set([0x9f, 0x02, 0x04, 0x95, 0x03, 0x9f, 0x37, 0x02], 23);
    s.lens[4] = 8;
    const out = new Uint8Array(16);
    assert.equal(buildDol(s, 23, 8, out, 1, 16), 1 + 4 + 3 + 2);
    assert.equal(bytesHex(out.subarray(1, 10)), "00012345" + "800102" + "0000");
    assert.equal(buildDol(s, 23, 8, out, 8, 16), -1, "no room");
    assert.equal(buildDol(s, 23, 7, out, 0, 16), DOL_ERR, "the last entry has no length");
    assert.equal(buildDol(s, 23, 1, out, 0, 16), DOL_ERR, "a 2-byte tag cut short");
  });
  it("builds TLV lists in the order asked, skipping absent tags, within the room given", () => {
    const s = store();
    s.pool.set([0x12, 0x34], 10); // 57
    s.lens[1] = 2;
    s.pool.set([0x80, 0, 0, 0, 0], 18); // 95
    s.lens[3] = 5;
    const out = new Uint8Array(16);
    const tags = "\x00\x95\x9f\x02\x00\x57";
    assert.equal(buildTlvList(s, tags, out, 0, 16), 7 + 4);
    assert.equal(bytesHex(out.subarray(0, 11)), "95058000000000" + "57021234");
    assert.equal(buildTlvList(s, tags, out, 0, 10), -1, "no room for the last");
  });
  it("computes the transaction date and time from wall-clock milliseconds", () => {
    for (const [ms, date, time] of [
      [Date.UTC(2024, 1, 29, 23, 59, 58), "240229", "235958"],
      [Date.UTC(2000, 0, 1, 0, 0, 0), "000101", "000000"],
      [Date.UTC(2031, 11, 31, 12, 30, 1), "311231", "123001"],
    ] as Array<[number, string, string]>) {
      const out = new Uint8Array(7);
      putDateTime(out, 1, ms);
      assert.equal(bytesHex(out.subarray(1, 7)), date + time);
      assert.equal(out[0], 0);
    }
  });
  it("keeps the terminal's slots first and 9F21 right after 9A (read() writes both at once)", () => {
    const s: TagStore = { spec: EMV_SPEC, lens: new Uint8Array(EMV_SPEC.length / 4), pool: new Uint8Array(600), at: 0, cap: 0, si: 0 };
    tagFind(s, 0x9a);
    const at = s.at;
    assert.equal(tagFind(s, 0x9f21), tagFind(s, 0x9a) + 1);
    tagFind(s, 0x9f21);
    assert.equal(s.at, at + 3);
    let card = false;
    for (let i = 3; i < EMV_SPEC.length; i += 4) {
      const isCard = (EMV_SPEC.charCodeAt(i) & SLOT_CARD) !== 0;
      assert.ok(!card || isCard, "no terminal slot after a card slot");
      card = isCard;
    }
  });
});
