import { strict as assert } from "node:assert";
import { HostSimulator } from "../../hil/host/server";
import { TestTerminal, Connection, type Exchange } from "../../hil/host/client";
import { HOST_CARDS, UNKNOWN_PAN } from "../../hil/host/cards";
import { CHIP_CREDIT, CHIP_DEBIT, MAG_BAD_LUHN, MAG_DEBIT, MAG_DEBIT_TRACK3, MAG_EXPIRED, track2Of } from "../../hil/models/test-cards";
import { luhnOk } from "../../hil/host/ledger";
import { encodeBody, frame, str, processingRequirement, type IsoMessage } from "../../hil/host/codec";
import { formatEntry } from "../../hil/host/log";

const NOW = new Date("2026-03-15T02:00:00Z"); // 10:00 in Beijing
const PAN = {
  normal: MAG_DEBIT.pan,
  chip: CHIP_DEBIT.pan,
  low: HOST_CARDS.lowBalance.pan,
  frozen: HOST_CARDS.frozen.pan,
  expired: MAG_EXPIRED.pan,
  notActivated: HOST_CARDS.notActivated.pan,
  lost: HOST_CARDS.lost.pan,
  stolen: HOST_CARDS.stolen.pan,
  daily: HOST_CARDS.dailyLimit.pan,
  credit: CHIP_CREDIT.pan,
  frequency: HOST_CARDS.frequency.pan,
  noPin: HOST_CARDS.noPin.pan,
  longPan: MAG_DEBIT_TRACK3.pan,
};
const PIN = "123456";

const rc = (ex: Exchange) => (ex.reply ? str(ex.reply, 39) : ex.error);

describe("host simulator over loopback", () => {
  let host: HostSimulator;
  let t: TestTerminal;

  beforeEach(async () => {
    host = new HostSimulator({ now: () => NOW });
    await host.listen();
    t = new TestTerminal({ port: host.port });
  });

  afterEach(async () => {
    t.close();
    await host.close();
  });

  describe("sign-in", () => {
    for (const mode of ["001", "004"] as const) {
      it("delivers working keys under the TMK whose check values the terminal verifies (60.3 " + mode + ")", async () => {
        const ex = await t.signIn(mode);
        assert.equal(rc(ex), "00");
        assert.equal(ex.keyError, undefined);
        assert.ok(t.keys);
        assert.equal(t.keys!.pinKey.length, mode === "001" ? 8 : 16);
        assert.equal(t.keys!.macKey.length, 8);
        const reply = ex.reply!;
        assert.equal(reply.mti, "0810");
        assert.equal((reply.fields[62] as Buffer).length, mode === "001" ? 24 : 40);
        assert.equal(str(reply, 60), "00" + "000001" + mode);
        assert.equal(str(reply, 12), "100000");
        assert.equal(str(reply, 13), "0315");
        assert.equal(reply.tpdu.toString("hex"), "6000000001", "TPDU destination/source swapped");
        assert.equal(reply.fields[64], undefined, "sign-in reply carries no MAC");
      });
    }

    it("with a different TMK the terminal's KCV check fails", async () => {
      const other = new TestTerminal({ port: host.port, tmk: "00112233445566778899AABBCCDDEEFF" });
      const ex = await other.signIn("004");
      other.close();
      assert.equal(rc(ex), "00");
      assert.match(ex.keyError || "", /check value mismatch/);
    });

    it("unknown terminal -> 97, wrong merchant -> 03", async () => {
      const stranger = new TestTerminal({ port: host.port, terminalId: "99999999" });
      assert.equal(rc(await stranger.signIn()), "97");
      stranger.close();
      const wrongMerchant = new TestTerminal({ port: host.port, merchantId: "000000000000000" });
      assert.equal(rc(await wrongMerchant.signIn()), "03");
      wrongMerchant.close();
    });

    it("defaultTmk registers unknown terminals on first contact", async () => {
      const open = new HostSimulator({ now: () => NOW, defaultTmk: "0123456789ABCDEFFEDCBA9876543210" });
      await open.listen();
      const other = new TestTerminal({ port: open.port, terminalId: "20000002", merchantId: "898100012340002" });
      const ex = await other.signIn("001");
      other.close();
      await open.close();
      assert.equal(rc(ex), "00");
      assert.equal(ex.keyError, undefined);
    });

    it("a financial request before any sign-in -> A0 and 'sign in again' in the header", async () => {
      const ex = await t.sale({ pan: PAN.normal, amount: 100, pin: PIN });
      assert.equal(rc(ex), "A0");
      assert.equal(processingRequirement(ex.reply!.header), 3);
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000);
    });
  });

  describe("sale", () => {
    beforeEach(async () => {
      assert.equal(rc(await t.signIn("004")), "00");
    });

    it("approves, debits, MACs the reply and records STAN/terminal/RRN/auth code", async () => {
      const ex = await t.sale({ pan: PAN.normal, expiry: "3012", amount: 12345, pin: PIN });
      assert.equal(rc(ex), "00");
      assert.equal(ex.macOk, true);
      const reply = ex.reply!;
      assert.equal(reply.mti, "0210");
      assert.equal(str(reply, 11), str(ex.request, 11));
      assert.equal(str(reply, 4), "000000012345");
      assert.match(str(reply, 37) || "", /^[0-9]{12}$/);
      assert.match(str(reply, 38) || "", /^[0-9]{6}$/);
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000 - 12345);
      const snap = host.ledger.snapshot();
      const txn = snap.transactions[snap.transactions.length - 1];
      assert.deepEqual(
        [txn.kind, txn.status, txn.terminalId, txn.stan, txn.rrn, txn.authCode, txn.amount, txn.panMasked],
        ["sale", "approved", "10000001", str(ex.request, 11), str(reply, 37), str(reply, 38), 12345, "622202******9873"],
      );
      const posting = snap.postings[snap.postings.length - 1];
      assert.deepEqual([posting.delta, posting.stan, posting.rrn, posting.authCode], [-12345, txn.stan, txn.rrn, txn.authCode]);
    });

    it("swiped (track 2 only) and a 19-digit PAN both work", async () => {
      assert.equal(rc(await t.sale({ pan: PAN.normal, track2: track2Of(MAG_DEBIT), amount: 100, pin: PIN })), "00");
      assert.equal(rc(await t.sale({ pan: PAN.longPan, track2: track2Of(MAG_DEBIT_TRACK3), amount: 100, pin: MAG_DEBIT_TRACK3.pin })), "00");
      assert.equal(host.ledger.balanceOf("mag-debit-track3"), 10000000 - 100);
    });

    it("single-DES keys work end to end too", async () => {
      assert.equal(rc(await t.signIn("001")), "00");
      const ex = await t.sale({ pan: PAN.normal, amount: 100, pin: PIN });
      assert.equal(rc(ex), "00");
      assert.equal(ex.macOk, true);
    });

    const declines: Array<[string, string, Partial<{ pan: string; amount: number; pin: string | undefined; expiry: string }>]> = [
      ["insufficient funds", "51", { pan: PAN.low, amount: 1001 }],
      ["expired card", "54", { pan: PAN.expired }],
      ["expiry sent does not match the card", "54", { pan: PAN.normal, expiry: "2912" }],
      ["wrong PIN", "55", { pan: PAN.normal, pin: "000000" }],
      ["PIN missing where required", "55", { pan: PAN.normal, pin: undefined }],
      ["frozen (restricted card)", "62", { pan: PAN.frozen }],
      ["not activated", "21", { pan: PAN.notActivated }],
      ["lost", "41", { pan: PAN.lost }],
      ["stolen", "43", { pan: PAN.stolen }],
      ["unknown card", "14", { pan: UNKNOWN_PAN }],
      ["Luhn check fails", "14", { pan: MAG_BAD_LUHN.pan }],
      ["zero amount", "13", { pan: PAN.normal, amount: 0 }],
      ["over the daily amount limit", "61", { pan: PAN.daily, amount: 50001 }],
    ];
    for (const [name, code, card] of declines) {
      it("declines " + name + " -> " + code + " and moves no money", async () => {
        const before = host.ledger.snapshot();
        const args = Object.assign({ pan: PAN.normal, amount: 1000, pin: PIN as string | undefined }, card);
        const ex = await t.sale({ pan: args.pan, amount: args.amount, pin: args.pin, expiry: args.expiry });
        assert.equal(rc(ex), code);
        assert.equal(ex.macOk, true, "declines are MACed too");
        assert.equal(str(ex.reply!, 38), undefined, "no auth code on a decline");
        const after = host.ledger.snapshot();
        assert.deepEqual(after.accounts, before.accounts);
        assert.equal(after.postings.length, before.postings.length);
        assert.equal(after.transactions[after.transactions.length - 1].status, "declined");
      });
    }

    it("test cards and UNKNOWN_PAN pass Luhn (so its 14 comes from the account lookup)", () => {
      for (const p of Object.values(PAN)) assert.ok(luhnOk(p), p);
      assert.ok(luhnOk(UNKNOWN_PAN));
      assert.ok(!luhnOk(MAG_BAD_LUHN.pan));
    });

    it("daily limit counts earlier approvals (61 on the one that crosses it)", async () => {
      assert.equal(rc(await t.sale({ pan: PAN.daily, amount: 30000, pin: PIN })), "00");
      assert.equal(rc(await t.sale({ pan: PAN.daily, amount: 20001, pin: PIN })), "61");
      assert.equal(rc(await t.sale({ pan: PAN.daily, amount: 20000, pin: PIN })), "00");
    });

    it("frequency limit -> 65", async () => {
      assert.equal(rc(await t.sale({ pan: PAN.frequency, amount: 100, pin: PIN })), "00");
      assert.equal(rc(await t.sale({ pan: PAN.frequency, amount: 100, pin: PIN })), "00");
      assert.equal(rc(await t.sale({ pan: PAN.frequency, amount: 100, pin: PIN })), "65");
    });

    it("third wrong PIN in a row -> 75, then even the right PIN gets 75", async () => {
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: "111111" })), "55");
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: "111111" })), "55");
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: "111111" })), "75");
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: PIN })), "75");
      host.ledger.resetPinTries("mag-debit");
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: PIN })), "00");
    });

    it("a card without PIN requirement is approved without field 52", async () => {
      assert.equal(rc(await t.sale({ pan: PAN.noPin, amount: 100 })), "00");
    });

    it("duplicate STAN in the batch -> 94 and no second debit", async () => {
      const first = await t.sale({ pan: PAN.normal, amount: 500, pin: PIN, stan: "000777" });
      assert.equal(rc(first), "00");
      const again = await t.sale({ pan: PAN.normal, amount: 500, pin: PIN, stan: "000777" });
      assert.equal(rc(again), "94");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000 - 500);
    });

    it("batch number other than the open batch -> 77", async () => {
      t.batch = "000009";
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 500, pin: PIN })), "77");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000);
    });

    it("bad MAC from the terminal -> A0, nothing posted", async () => {
      const m = t.saleMessage({ pan: PAN.normal, amount: 500, pin: PIN });
      const bytes = t.encode(m, true);
      bytes[bytes.length - 1] ^= 0x01;
      const ex = await t.exchangeRaw(bytes, m);
      assert.equal(rc(ex), "A0");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000);
    });

    it("MAC missing on a sale -> A0", async () => {
      const ex = await t.exchange(t.saleMessage({ pan: PAN.normal, amount: 500, pin: PIN }), { mac: false });
      assert.equal(rc(ex), "A0");
    });

    it("a sign-off drops the keys: the next sale gets A0", async () => {
      const off = await t.exchange(t.message("0820", { 11: t.nextStan(), 60: "00" + t.batch + "002" }), { mac: false });
      assert.equal(rc(off), "00");
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: PIN })), "A0");
    });
  });

  describe("malformed requests", () => {
    beforeEach(async () => {
      await t.signIn("004");
    });

    async function raw(bytes: Buffer): Promise<IsoMessage | string> {
      const c = await Connection.open(host.port);
      c.send(bytes);
      const r = await c.next(2000);
      c.close();
      if (typeof r === "string") return r;
      const { decodeBody } = await import("../../hil/host/codec");
      return decodeBody(r).message;
    }

    it("garbage inside a valid frame -> 30, and the host keeps serving", async () => {
      const r = await raw(frame(Buffer.from("this is not iso 8583 at all", "ascii")));
      assert.notEqual(typeof r, "string");
      assert.equal(str(r as IsoMessage, 39), "30");
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: PIN })), "00");
    });

    it("truncated fields -> 30 echoing what was readable", async () => {
      const m = t.saleMessage({ pan: PAN.normal, amount: 100, pin: PIN });
      const body = t.encode(m, true).subarray(2);
      const r = (await raw(frame(body.subarray(0, body.length - 4)))) as IsoMessage;
      assert.equal(str(r, 39), "30");
      assert.equal(r.mti, "0210");
      assert.equal(str(r, 11), str(m, 11));
      assert.equal(str(r, 4), "000000000100");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000);
    });

    it("a zero frame length -> 30 and the connection is closed", async () => {
      const c = await Connection.open(host.port);
      c.send(Buffer.from([0, 0]));
      const r = await c.next(2000);
      assert.ok(Buffer.isBuffer(r));
      const r2 = await c.next(2000);
      assert.equal(r2, "closed");
      c.close();
    });

    it("unknown processing code -> 12; sale without amount -> 30", async () => {
      const m = t.saleMessage({ pan: PAN.normal, amount: 100, pin: PIN });
      m.fields[3] = "990000";
      assert.equal(rc(await t.exchange(m)), "12");
      const n = t.saleMessage({ pan: PAN.normal, amount: 100, pin: PIN });
      delete n.fields[4];
      assert.equal(rc(await t.exchange(n)), "30");
      const e = t.saleMessage({ pan: PAN.normal, amount: 100, pin: PIN });
      e.fields[22] = "210"; // not an entry mode (what "021" packed the wrong way round would read as)
      assert.equal(rc(await t.exchange(e)), "30");
    });
  });

  describe("reversal, void, refund, balance, pre-auth", () => {
    beforeEach(async () => {
      assert.equal(rc(await t.signIn("004")), "00");
    });

    it("reversal restores the debit (00) and a repeated reversal is acknowledged again", async () => {
      const sale = await t.sale({ pan: PAN.normal, amount: 2500, pin: PIN });
      assert.equal(rc(sale), "00");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000 - 2500);
      const rev = await t.reversal(sale.request, "98");
      assert.equal(rc(rev), "00");
      assert.equal(rev.reply!.mti, "0410");
      assert.equal(rev.macOk, true);
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000);
      assert.equal(rc(await t.reversal(sale.request, "98")), "00");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000, "not credited twice");
      const snap = host.ledger.snapshot();
      assert.equal(snap.transactions.find((x) => x.stan === str(sale.request, 11))!.status, "reversed");
      assert.deepEqual(snap.reversals.map((r) => [r.reason, r.code]), [["98", "00"], ["98", "00"]]);
      assert.equal(host.ledger.totals("10000001", "000001").debitCount, 0, "reversed sale not settled");
    });

    it("reversal of a transaction the host never saw -> 25", async () => {
      const never = t.saleMessage({ pan: PAN.normal, amount: 2500, pin: PIN });
      assert.equal(rc(await t.reversal(never, "98")), "25");
    });

    it("reversal of a declined original -> 12", async () => {
      const declined = await t.sale({ pan: PAN.low, amount: 999999, pin: PIN });
      assert.equal(rc(declined), "51");
      assert.equal(rc(await t.reversal(declined.request, "98")), "12");
    });

    it("reversal with a bad MAC -> A0 and nothing restored", async () => {
      const sale = await t.sale({ pan: PAN.normal, amount: 2500, pin: PIN });
      const m = t.reversalMessage(sale.request, "98");
      const bytes = t.encode(m, true);
      bytes[bytes.length - 2] ^= 0x01;
      assert.equal(rc(await t.exchangeRaw(bytes, m)), "A0");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000 - 2500);
    });

    it("void credits the sale back; a second void -> 12; reversal of the void re-debits", async () => {
      const sale = await t.sale({ pan: PAN.normal, amount: 4000, pin: PIN });
      const v = await t.voidSale({ pan: PAN.normal, amount: 4000, origStan: str(sale.request, 11)!, rrn: str(sale.reply!, 37), authCode: str(sale.reply!, 38) });
      assert.equal(rc(v), "00");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000);
      const again = await t.voidSale({ pan: PAN.normal, amount: 4000, origStan: str(sale.request, 11)! });
      assert.equal(rc(again), "12");
      assert.equal(rc(await t.reversal(v.request, "98")), "00");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000 - 4000);
      assert.equal(host.ledger.snapshot().transactions.find((x) => x.stan === str(sale.request, 11))!.status, "approved");
    });

    it("void of an unknown original -> 25; amount differing -> 64; other card -> 14", async () => {
      assert.equal(rc(await t.voidSale({ pan: PAN.normal, amount: 1, origStan: "123456" })), "25");
      const sale = await t.sale({ pan: PAN.normal, amount: 4000, pin: PIN });
      const stan = str(sale.request, 11)!;
      assert.equal(rc(await t.voidSale({ pan: PAN.normal, amount: 3999, origStan: stan })), "64");
      assert.equal(rc(await t.voidSale({ pan: PAN.chip, amount: 4000, origStan: stan })), "14");
    });

    it("refund credits up to the original amount, then 13", async () => {
      const sale = await t.sale({ pan: PAN.normal, amount: 10000, pin: PIN });
      const rrn = str(sale.reply!, 37)!;
      const stan = str(sale.request, 11)!;
      const r1 = await t.refund({ pan: PAN.normal, amount: 6000, origStan: stan, rrn: rrn, origDate: "0315" });
      assert.equal(rc(r1), "00");
      assert.equal(r1.reply!.mti, "0230");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000 - 4000);
      assert.equal(rc(await t.refund({ pan: PAN.normal, amount: 4001, origStan: stan, rrn: rrn })), "13");
      assert.equal(rc(await t.refund({ pan: PAN.normal, amount: 4000, origStan: stan, rrn: rrn })), "00");
      assert.equal(host.ledger.balanceOf("mag-debit"), 10000000);
      assert.equal(rc(await t.refund({ pan: PAN.normal, amount: 1, origStan: "000000", rrn: "999999999999" })), "25");
    });

    it("refund is not reversible -> 12", async () => {
      const sale = await t.sale({ pan: PAN.normal, amount: 1000, pin: PIN });
      const r = await t.refund({ pan: PAN.normal, amount: 1000, origStan: str(sale.request, 11)!, rrn: str(sale.reply!, 37) });
      assert.equal(rc(r), "00");
      const rev = await t.exchange(t.reversalMessage(r.request, "98"));
      assert.equal(rc(rev), "12");
    });

    it("balance inquiry answers field 54 with the available balance", async () => {
      await t.sale({ pan: PAN.normal, amount: 1234, pin: PIN });
      const b = await t.balance({ pan: PAN.normal, pin: PIN });
      assert.equal(rc(b), "00");
      assert.equal(str(b.reply!, 54), "1002156C" + String(10000000 - 1234).padStart(12, "0"));
      const c = await t.balance({ pan: PAN.credit, pin: CHIP_CREDIT.pin });
      assert.equal(str(c.reply!, 54)!.slice(0, 2), "30");
      assert.equal(rc(await t.balance({ pan: PAN.normal, pin: "999999" })), "55");
    });

    it("pre-auth holds, completion debits, pre-auth void releases", async () => {
      const pa = await t.preAuth({ pan: PAN.normal, amount: 20000, pin: PIN });
      assert.equal(rc(pa), "00");
      assert.equal(pa.reply!.mti, "0110");
      let acct = host.ledger.snapshot().accounts.find((a) => a.name === "mag-debit")!;
      assert.deepEqual([acct.balance, acct.held, acct.available], [10000000, 20000, 10000000 - 20000]);
      const auth = str(pa.reply!, 38)!;
      const done = await t.preAuthComplete({ pan: PAN.normal, amount: 21000, authCode: auth, pin: PIN });
      assert.equal(rc(done), "00");
      acct = host.ledger.snapshot().accounts.find((a) => a.name === "mag-debit")!;
      assert.deepEqual([acct.balance, acct.held], [10000000 - 21000, 0]);

      const pa2 = await t.preAuth({ pan: PAN.normal, amount: 5000, pin: PIN });
      const v = await t.preAuthVoid({ pan: PAN.normal, amount: 5000, authCode: str(pa2.reply!, 38)! });
      assert.equal(rc(v), "00");
      acct = host.ledger.snapshot().accounts.find((a) => a.name === "mag-debit")!;
      assert.equal(acct.held, 0);
      assert.equal(rc(await t.preAuthComplete({ pan: PAN.normal, amount: 5000, authCode: str(pa2.reply!, 38)! })), "12");
      assert.equal(rc(await t.preAuthComplete({ pan: PAN.normal, amount: 5000, authCode: "999999" })), "25");
    });
  });

  describe("settlement and batch upload", () => {
    beforeEach(async () => {
      assert.equal(rc(await t.signIn("004")), "00");
    });

    it("balanced: flag 1, batch advances, the old batch refuses new sales (77)", async () => {
      const s1 = await t.sale({ pan: PAN.normal, amount: 1000, pin: PIN });
      await t.sale({ pan: PAN.chip, amount: 2000, pin: CHIP_DEBIT.pin });
      await t.voidSale({ pan: PAN.normal, amount: 1000, origStan: str(s1.request, 11)! });
      const declined = await t.sale({ pan: PAN.low, amount: 999999, pin: PIN });
      assert.equal(rc(declined), "51");
      const reversed = await t.sale({ pan: PAN.normal, amount: 700, pin: PIN });
      await t.reversal(reversed.request);
      const totals = { debitAmount: 3000, debitCount: 2, creditAmount: 1000, creditCount: 1 };
      assert.deepEqual(host.ledger.totals("10000001", "000001"), totals);
      const st = await t.settle(totals);
      assert.equal(rc(st), "00");
      assert.equal(st.reply!.mti, "0510");
      const f48 = str(st.reply!, 48)!;
      assert.equal(f48.length, 62);
      assert.equal(f48[30], "1", "domestic balanced");
      assert.equal(f48[61], "1", "foreign balanced");
      assert.equal(host.ledger.currentBatch("10000001"), "000002");
      assert.equal(rc(await t.batchClose(0)), "00");
      assert.equal(host.ledger.batchRecord("10000001", "000001")!.state, "closed");
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: PIN })), "77");
      t.batch = "000002";
      assert.equal(rc(await t.sale({ pan: PAN.normal, amount: 100, pin: PIN })), "00");
    });

    it("not balanced: flag 2, then batch upload is checked item by item and the batch closes", async () => {
      const a = await t.sale({ pan: PAN.normal, amount: 1000, pin: PIN });
      const b = await t.sale({ pan: PAN.chip, amount: 2000, pin: CHIP_DEBIT.pin });
      const st = await t.settle({ debitAmount: 1000, debitCount: 1, creditAmount: 0, creditCount: 0 });
      assert.equal(str(st.reply!, 48)![30], "2");
      const rec = host.ledger.batchRecord("10000001", "000001")!;
      assert.equal(rec.balanced, false);
      assert.deepEqual(rec.hostTotals, { debitAmount: 3000, debitCount: 2, creditAmount: 0, creditCount: 0 });
      const up = await t.batchUpload([
        { stan: str(a.request, 11)!, pan: PAN.normal, amount: 1000 },
        { stan: str(b.request, 11)!, pan: PAN.chip, amount: 1999 },
        { stan: "654321", pan: PAN.normal, amount: 5 },
      ]);
      assert.equal(rc(up), "00");
      assert.equal(up.reply!.mti, "0330");
      assert.equal(rc(await t.batchClose(3)), "00");
      const closed = host.ledger.batchRecord("10000001", "000001")!;
      assert.equal(closed.state, "closed");
      assert.equal(closed.closingCount, 3);
      assert.deepEqual(closed.uploaded.map((u) => u.result), ["matched", "mismatch", "unknown"]);
      assert.equal(rc(await t.batchUpload([{ stan: "000001", pan: PAN.normal, amount: 1 }])), "12", "closed batch takes no upload");
    });

    it("settlement repeated for the same batch is answered again without skipping a batch", async () => {
      await t.sale({ pan: PAN.normal, amount: 1000, pin: PIN });
      const totals = { debitAmount: 1000, debitCount: 1, creditAmount: 0, creditCount: 0 };
      assert.equal(str((await t.settle(totals)).reply!, 48)![30], "1");
      assert.equal(str((await t.settle(totals)).reply!, 48)![30], "1");
      assert.equal(host.ledger.currentBatch("10000001"), "000002");
    });

    it("settlement with a malformed field 48 -> 30", async () => {
      const m = t.settleMessage({ debitAmount: 0, debitCount: 0, creditAmount: 0, creditCount: 0 });
      m.fields[48] = "123";
      assert.equal(rc(await t.exchange(m, { mac: false })), "30");
    });
  });

  describe("connections and log", () => {
    it("one persistent connection carries many requests", async () => {
      const p = new TestTerminal({ port: host.port, persistent: true });
      assert.equal(rc(await p.signIn()), "00");
      for (let i = 0; i < 3; i++) assert.equal(rc(await p.sale({ pan: PAN.normal, amount: 100, pin: PIN })), "00");
      p.close();
      const conns = new Set(host.log.filter((e) => e.direction === "in").map((e) => e.connection));
      assert.equal(conns.size, 1);
    });

    it("closeAfterReply closes each connection after its answer", async () => {
      const h2 = new HostSimulator({ now: () => NOW, closeAfterReply: true });
      await h2.listen();
      const c = await Connection.open(h2.port);
      const m = new TestTerminal({ port: h2.port }).message("0800", { 11: "000001", 60: "00000001004" });
      c.send(frame(encodeBody(m)));
      assert.ok(Buffer.isBuffer(await c.next(2000)));
      assert.equal(await c.next(2000), "closed");
      c.close();
      await h2.close();
    });

    it("the log masks PANs and never holds track data, PIN blocks or keys", async () => {
      await t.signIn("004");
      await t.sale({ pan: PAN.normal, swipe: true, amount: 100, pin: PIN });
      await t.sale({ pan: PAN.longPan, amount: 100, pin: MAG_DEBIT_TRACK3.pin });
      const text = host.log.map(formatEntry).join("\n") + JSON.stringify(host.log);
      assert.ok(!text.includes(PAN.normal), "full PAN in log");
      assert.ok(!text.includes(PAN.longPan), "full PAN in log");
      assert.ok(text.includes("622202******9873"));
      assert.ok(!text.includes("=3012"), "track data in log");
      const pinKeyHex = t.keys!.pinKey.toString("hex");
      assert.ok(!text.toLowerCase().includes(pinKeyHex));
      const snapText = JSON.stringify(host.ledger.snapshot());
      assert.ok(!snapText.includes(PAN.normal), "full PAN in snapshot");
    });
  });
});
