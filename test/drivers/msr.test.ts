import { strict as assert } from "node:assert";
import { Scheduler } from "../../hil/sim/scheduler";
import { UartLink } from "../../hil/models/buses";
import { MsrModule, MsrModuleOptions, SwipeOptions, lrcOf } from "../../hil/models/msr-module";
import {
  TestCard,
  TEST_CARDS,
  MAG_DEBIT,
  MAG_DEBIT_TRACK3,
  MAG_EXPIRED,
  MAG_BAD_LUHN,
  CHIP_DEBIT,
  track1Of,
  track2Of,
} from "../../hil/models/test-cards";
import { EventRing } from "../../firmware/lib/event-ring";
import { EV_CARD_SWIPED, EV_CARD_READ_ERROR } from "../../firmware/events";
import { CardData, ENTRY_SWIPE } from "../../firmware/txn/card-data";
import {
  MagStripeReader,
  MagStripeReaderOptions,
  MSR_ERR_GARBLED,
  MSR_ERR_PARTIAL,
  MSR_ERR_CHAR,
  MSR_ERR_PARITY,
  MSR_ERR_LRC,
  MSR_ERR_TRACK_FAILED,
  MSR_ERR_NO_TRACK2,
  MSR_ERR_FORMAT,
  MSR_ERR_LUHN,
  MSR_ERR_MISMATCH,
  MSR_ERR_TOO_LONG,
  MSR_ERR_NAMES,
  MSR_SWIPE_CHIP,
  serviceCodeWantsChip,
  luhnOk,
} from "../../firmware/drivers/msr";

type Ev = [number, number, number];

interface Rig {
  sched: Scheduler;
  module: MsrModule;
  link: UartLink;
  ring: EventRing;
  msr: MagStripeReader;
  /** The owner's card record (the terminal's), filled by the reader's hand-over. */
  rec: CardData;
}

function rig(moduleOpts?: MsrModuleOptions, driverOpts?: Partial<MagStripeReaderOptions>, ringSize?: number): Rig {
  const sched = new Scheduler();
  const module = new MsrModule(moduleOpts);
  const link = new UartLink(sched, module, 9600);
  const ring = new EventRing(ringSize || 8);
  const msr = new MagStripeReader(Object.assign({ serial: link.firmware, ring: ring, clock: sched }, driverOpts || {}));
  sched.setInterval(() => msr.tick(sched.now()), 5);
  return { sched, module, link, ring, msr, rec: new CardData() };
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

/** The reader's raw track buffer: all zero when it keeps no swipe. */
function trackBytesZero(r: Rig): boolean {
  const b = (r.msr as unknown as { trk: Uint8Array }).trk;
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function snapshot(c: CardData): string {
  return JSON.stringify([ascii(c.pan, c.panLen), ascii(c.expiry, 4), ascii(c.serviceCode, 3), ascii(c.track2, c.track2Len), ascii(c.track3, c.track3Len), c.entryMode, c.panSeq, c.iccLen]);
}

/** Swipe and let the wire, the terminator and any timeout play out. */
function swipe(r: Rig, card: TestCard, o?: SwipeOptions): Ev[] {
  r.module.swipe(card, o);
  r.sched.advance(1500);
  return drain(r.ring);
}

function assertGood(r: Rig, card: TestCard, evs: Ev[]): void {
  assert.deepEqual(evs, [[EV_CARD_SWIPED, card.serviceCode[0] === "2" || card.serviceCode[0] === "6" ? MSR_SWIPE_CHIP : 0, 0]]);
  const c = r.rec;
  c.iccData[0] = 0x9f; // the hand-over writes the whole record: no chip data may stay
  c.iccLen = 1;
  assert.equal(r.msr.take(c), true, "a good swipe is handed over");
  assert.equal(c.iccData[0], 0);
  assert.ok(trackBytesZero(r), "the reader keeps no track data after the hand-over");
  assert.equal(r.msr.take(c), false, "only once");
  assert.equal(ascii(c.pan, c.panLen), card.pan);
  assert.equal(ascii(c.expiry, 4), card.expiry);
  assert.equal(ascii(c.serviceCode, 3), card.serviceCode);
  assert.equal(ascii(c.track2, c.track2Len), track2Of(card));
  assert.equal(c.entryMode, ENTRY_SWIPE);
  assert.equal(c.panSeq, -1);
  assert.equal(c.iccLen, 0);
}

describe("test cards", () => {
  it("have Luhn-valid PANs (except the bad-Luhn card) and tracks within ISO sizes", () => {
    for (const c of TEST_CARDS) {
      const d = new Uint8Array(c.pan.length);
      for (let i = 0; i < c.pan.length; i++) d[i] = c.pan.charCodeAt(i);
      assert.equal(luhnOk(d, d.length), c !== MAG_BAD_LUHN, c.id);
      assert.ok(/^62\d{11,17}$/.test(c.pan), c.id);
      assert.ok(track1Of(c).length <= 76 && track2Of(c).length <= 37, c.id);
      if (c.track3) assert.ok(c.track3.length <= 104 && /^[0-9=]+$/.test(c.track3), c.id);
      assert.ok(/^\d{4}$/.test(c.expiry) && /^\d{3}$/.test(c.serviceCode) && /^\d{4,6}$/.test(c.pin), c.id);
    }
  });
});

describe("MagStripeReader against MsrModule", () => {
  it("reads a track 1 + track 2 swipe into the card record", () => {
    const r = rig();
    const sent = r.module.swipe(MAG_DEBIT);
    assert.equal(sent, "%" + track1Of(MAG_DEBIT) + "?\r;" + track2Of(MAG_DEBIT) + "?\r\n");
    r.sched.advance(200);
    assertGood(r, MAG_DEBIT, drain(r.ring));
    assert.equal(r.rec.track3Len, 0);
    assert.equal(serviceCodeWantsChip(r.rec), false);
    assert.equal(r.msr.busy(), false);
  });

  it("reads a track-2-only swipe", () => {
    const r = rig();
    assertGood(r, MAG_DEBIT, swipe(r, MAG_DEBIT, { missingTrack: [1] }));
  });

  it("reads track 3 with either start sentinel, and a 19-digit PAN", () => {
    for (const ss of [";", "+"]) {
      const r = rig({ track3Sentinel: ss });
      assertGood(r, MAG_DEBIT_TRACK3, swipe(r, MAG_DEBIT_TRACK3));
      assert.equal(ascii(r.rec.track3, r.rec.track3Len), MAG_DEBIT_TRACK3.track3);
      // track 2 + 3 only
      assertGood(r, MAG_DEBIT_TRACK3, swipe(r, MAG_DEBIT_TRACK3, { missingTrack: [1] }));
      assert.equal(r.rec.track3Len, MAG_DEBIT_TRACK3.track3!.length);
    }
  });

  it("reads LRC mode, STX..ETX framing, and terminator-less modules (quiet gap)", () => {
    let r = rig({ lrc: true }, { lrc: true });
    assertGood(r, MAG_DEBIT, swipe(r, MAG_DEBIT));
    r = rig({ wrap: true, terminator: "" }, { endByte: 0x03 });
    assertGood(r, MAG_DEBIT_TRACK3, swipe(r, MAG_DEBIT_TRACK3));
    r = rig({ terminator: "\r" }, { endByte: -1, endGapMs: 50 });
    r.module.swipe(MAG_DEBIT);
    r.sched.advance(80); // bytes arrive after ~72 ms at 9600 baud; the gap has not passed
    assert.equal(r.ring.count, 0);
    r.sched.advance(100);
    assertGood(r, MAG_DEBIT, drain(r.ring));
  });

  it("flags chip cards (service code 2xx) so the UI can say 'use chip'", () => {
    const r = rig();
    const evs = swipe(r, CHIP_DEBIT);
    assert.deepEqual(evs, [[EV_CARD_SWIPED, MSR_SWIPE_CHIP, 0]]);
    assert.ok(r.msr.take(r.rec));
    assert.ok(serviceCodeWantsChip(r.rec));
    assert.equal(ascii(r.rec.serviceCode, 3), "201");
  });

  it("accepts an expired card: expiry against today is the engine's check", () => {
    const r = rig();
    assertGood(r, MAG_EXPIRED, swipe(r, MAG_EXPIRED));
  });

  it("accepts a reversed swipe on a bidirectional module", () => {
    const r = rig();
    assertGood(r, MAG_DEBIT, swipe(r, MAG_DEBIT, { reversed: true }));
  });

  // Each bad swipe: [name, module options, driver options, card, swipe options, reason, track]
  const t1 = track1Of(MAG_DEBIT).length + 2; // "%...?" length
  const t2start = t1 + 1; // after the CR separator
  const badSwipes: Array<[string, MsrModuleOptions, Partial<MagStripeReaderOptions>, TestCard, SwipeOptions, number, number]> = [
    ["partial swipe inside track 1", {}, {}, MAG_DEBIT, { cutAfter: 10 }, MSR_ERR_PARTIAL, 1],
    ["partial swipe inside track 2", {}, {}, MAG_DEBIT, { cutAfter: t2start + 8 }, MSR_ERR_PARTIAL, 2],
    ["swipe cut after track 1", {}, {}, MAG_DEBIT, { cutAfter: t1 + 1 }, MSR_ERR_NO_TRACK2, 2],
    ["missing track 2", {}, {}, MAG_DEBIT, { missingTrack: [2] }, MSR_ERR_NO_TRACK2, 2],
    ["bad Luhn", {}, {}, MAG_BAD_LUHN, {}, MSR_ERR_LUHN, 2],
    ["bit flip in the track 2 PAN", {}, {}, MAG_DEBIT, { flip: [t2start + 5] }, MSR_ERR_LUHN, 2],
    ["bit flip in the track 1 PAN", {}, {}, MAG_DEBIT, { flip: [4] }, MSR_ERR_MISMATCH, 1],
    ["bit flip in the track 2 expiry (LRC on)", { lrc: true }, { lrc: true }, MAG_DEBIT, { flip: [t1 + 2 + 18] }, MSR_ERR_LRC, 2],
    ["bit flip in the LRC byte", { lrc: true }, { lrc: true }, MAG_DEBIT, { flip: [t1], flipMask: 0x04 }, MSR_ERR_LRC, 1],
    ["garbled start sentinel", {}, {}, MAG_DEBIT, { flip: [t2start] }, MSR_ERR_GARBLED, 0],
    ["character outside track 2's set", {}, {}, MAG_DEBIT, { flip: [t2start + 3], flipMask: 0x08 }, MSR_ERR_CHAR, 2],
    ["byte with bit 7 set (parity)", {}, {}, MAG_DEBIT, { flip: [t2start + 3], flipMask: 0x80 }, MSR_ERR_PARITY, 2],
    ["module reports track 2 unreadable", {}, {}, MAG_DEBIT, { failTrack: [2] }, MSR_ERR_TRACK_FAILED, 2],
    ["module reports track 1 unreadable", {}, {}, MAG_DEBIT, { failTrack: [1] }, MSR_ERR_TRACK_FAILED, 1],
    ["reversed swipe on a one-way module", { bidirectional: false }, {}, MAG_DEBIT, { reversed: true }, MSR_ERR_TRACK_FAILED, 1],
    ["track 1 and 2 PANs differ", {}, {}, { ...MAG_DEBIT, track1: "B6222021000001235^ZHANG/SAN^3012101000" }, {}, MSR_ERR_MISMATCH, 1],
    ["track 1 expiry differs", {}, {}, { ...MAG_DEBIT, track1: "B6222021000009873^ZHANG/SAN^3112101000" }, {}, MSR_ERR_MISMATCH, 1],
    ["track 1 without format code B", {}, {}, { ...MAG_DEBIT, track1: "A6222021000009873^ZHANG/SAN^3012101000" }, {}, MSR_ERR_FORMAT, 1],
    ["expiry month 13", {}, {}, { ...MAG_DEBIT, track2: "6222021000009873=3013101" }, { missingTrack: [1] }, MSR_ERR_FORMAT, 2],
    ["PAN of 12 digits", {}, {}, { ...MAG_DEBIT, track2: "622202100007=3012101" }, { missingTrack: [1] }, MSR_ERR_FORMAT, 2],
    ["no service code", {}, {}, { ...MAG_DEBIT, track2: "6222021000009873=3012" }, { missingTrack: [1] }, MSR_ERR_FORMAT, 2],
    ["track 2 longer than 37", {}, {}, { ...MAG_DEBIT, disc2: "12345678901234567890" }, { missingTrack: [1] }, MSR_ERR_TOO_LONG, 2],
    ["garbage where the first start sentinel should be", {}, {}, MAG_DEBIT, { flip: [0], flipMask: 0x60 }, MSR_ERR_GARBLED, 0],
  ];

  for (const [name, mo, dro, card, so, reason, track] of badSwipes) {
    it("bad swipe -> read error, card untouched: " + name, () => {
      const r = rig(mo, dro);
      // A good card first: a bad swipe must neither change nor half-overwrite it.
      assertGood(r, MAG_DEBIT_TRACK3, swipe(r, MAG_DEBIT_TRACK3));
      const before = snapshot(r.rec);
      const evs = swipe(r, card, so);
      assert.deepEqual(evs, [[EV_CARD_READ_ERROR, reason, track]], MSR_ERR_NAMES[evs[0] ? evs[0][1] : 0]);
      assert.ok(trackBytesZero(r), "nothing of the bad swipe stays in the reader");
      assert.equal(r.msr.take(r.rec), false, "a bad swipe has nothing to hand over");
      assert.equal(snapshot(r.rec), before);
      assert.equal(r.msr.lastError, reason);
      assert.equal(r.msr.busy(), false);
      // ... and the reader is ready for the next swipe.
      assertGood(r, MAG_DEBIT, swipe(r, MAG_DEBIT));
    });
  }

  it("reports a partial swipe only when swipeTimeoutMs has passed", () => {
    const r = rig({}, { swipeTimeoutMs: 700 });
    r.module.swipe(MAG_DEBIT, { cutAfter: 20 });
    r.sched.advance(21 + 650); // bytes are in after ~21 ms
    assert.equal(r.ring.count, 0);
    assert.ok(r.msr.busy());
    r.sched.advance(60);
    assert.deepEqual(drain(r.ring), [[EV_CARD_READ_ERROR, MSR_ERR_PARTIAL, 1]]);
  });

  it("never reports a wrong card under line noise (LRC on): an error or the exact card", () => {
    let errors = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const r = rig({ lrc: true }, { lrc: true });
      r.module.swipe(MAG_DEBIT_TRACK3, { noise: { seed: seed, flips: 1 + (seed % 3), inserts: seed % 2 } });
      // events taken as they come, as the terminal does: each good swipe handed over at once
      const evs: Ev[] = [];
      for (let t = 0; t < 1500; t += 5) {
        r.sched.advance(5);
        for (const e of drain(r.ring)) {
          evs.push(e);
          if (e[0] === EV_CARD_SWIPED) assert.ok(r.msr.take(r.rec), "seed " + seed);
          else assert.equal(r.msr.take(r.rec), false, "seed " + seed);
        }
      }
      assert.ok(evs.length >= 1, "seed " + seed);
      for (const e of evs) {
        if (e[0] === EV_CARD_READ_ERROR) errors++;
        else {
          assert.equal(e[0], EV_CARD_SWIPED);
          assert.equal(ascii(r.rec.pan, r.rec.panLen), MAG_DEBIT_TRACK3.pan, "seed " + seed);
          assert.equal(ascii(r.rec.track2, r.rec.track2Len), track2Of(MAG_DEBIT_TRACK3), "seed " + seed);
        }
      }
    }
    assert.ok(errors > 120, "errors: " + errors);
  });

  it("a silent module gives no event and no card", () => {
    const r = rig();
    r.module.silent = true;
    assert.equal(r.module.swipe(MAG_DEBIT), "");
    r.sched.advance(3000);
    assert.equal(r.ring.count, 0);
    assert.equal(r.msr.take(r.rec), false);
    assert.equal(r.rec.panLen, 0);
  });

  it("reports garbage on an idle line once, as garbled, and reads the next swipe", () => {
    const r = rig();
    r.module.lineNoise("\r\n"); // stray terminators on an idle line: nothing
    r.sched.advance(100);
    assert.equal(r.ring.count, 0);
    r.module.lineNoise("\x00\x7fzz");
    r.sched.advance(100);
    assert.deepEqual(drain(r.ring), [[EV_CARD_READ_ERROR, MSR_ERR_GARBLED, 0]]);
    assertGood(r, MAG_DEBIT, swipe(r, MAG_DEBIT));
  });

  it("handles swipes back to back", () => {
    const r = rig();
    r.module.swipe(MAG_DEBIT);
    r.module.swipe(CHIP_DEBIT);
    r.sched.advance(500);
    const evs = drain(r.ring);
    assert.deepEqual(evs, [
      [EV_CARD_SWIPED, 0, 0],
      [EV_CARD_SWIPED, MSR_SWIPE_CHIP, 0],
    ]);
    assert.ok(r.msr.take(r.rec), "the later swipe is the one kept");
    assert.equal(ascii(r.rec.pan, r.rec.panLen), CHIP_DEBIT.pan);
  });

  it("counts events dropped on a full ring instead of throwing", () => {
    const r = rig({}, {}, 1);
    for (let i = 0; i < 3; i++) r.module.swipe(i === 1 ? MAG_BAD_LUHN : MAG_DEBIT);
    assert.doesNotThrow(() => r.sched.advance(2000));
    assert.equal(r.ring.count, 1);
    assert.equal(r.ring.dropped, 2);
    assert.deepEqual(drain(r.ring), [[EV_CARD_SWIPED, 0, 0]]);
  });

  it("drops a good swipe handed to nobody: its tracks are zeroed and the record stays as it was", () => {
    const r = rig();
    assert.deepEqual(swipe(r, MAG_DEBIT_TRACK3), [[EV_CARD_SWIPED, 0, 0]]);
    assert.equal(trackBytesZero(r), false, "tracks 2 and 3 are kept until the hand-over");
    assert.equal(r.msr.take(null), false);
    assert.ok(trackBytesZero(r));
    assert.equal(r.msr.take(r.rec), false, "nothing left to hand over");
    assert.equal(r.rec.panLen + r.rec.track2Len + r.rec.track3Len + r.rec.entryMode, 0);
  });

  it("a hand-over during the next swipe neither hands out nor disturbs that swipe", () => {
    const r = rig();
    assert.deepEqual(swipe(r, CHIP_DEBIT), [[EV_CARD_SWIPED, MSR_SWIPE_CHIP, 0]]);
    const t2 = ";" + track2Of(MAG_DEBIT) + "?\r\n";
    r.module.lineNoise(t2.slice(0, 9)); // the first bytes of the next swipe
    r.sched.advance(20);
    assert.ok(r.msr.busy());
    assert.equal(r.msr.take(r.rec), false, "the earlier swipe went when this one began");
    assert.equal(r.msr.take(null), false);
    r.module.lineNoise(t2.slice(9));
    r.sched.advance(100);
    assertGood(r, MAG_DEBIT, drain(r.ring));
  });

  it("computes the LRC the module sends as XOR of SS..ES", () => {
    assert.equal(lrcOf(";1?"), 0x3b ^ 0x31 ^ 0x3f);
  });
});
