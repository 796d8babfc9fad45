/**
 * The everyday transactions, approved: sign-in, sale by stripe and by chip, void, refund and
 * balance inquiry. Each checks the LCD, the paper (masked PAN only), the journal and the host's
 * money, and ends with the terminal's book agreeing with the host's.
 */
import type { Scenario } from "./types";
import type { ScenarioContext } from "./context";
import { balance, chipSale, done, menuSale, mmddOf, OUT_APPROVED, panOf, refund, signIn, swipeSale, voidSale } from "./flows";

export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

/** Receipts show 622202******9873, never the whole PAN. */
async function expectMaskedSlip(ctx: ScenarioContext, since: number, card: string, amount: number, trace: number): Promise<string> {
  const paper = await ctx.expectPrinted(/CARDHOLDER COPY/, { since: since });
  ctx.check(paper.indexOf(yuan(amount)) >= 0, `the slip shows the amount ${yuan(amount)}`);
  ctx.check(paper.indexOf(String(trace).padStart(6, "0")) >= 0, `the slip shows trace ${trace}`);
  ctx.check(/\d{6}\*+\d{4}/.test(paper), "the slip shows a masked PAN");
  ctx.check(paper.replace(/\s/g, "").indexOf(panOf(card)) < 0, "no full PAN on the paper");
  return paper;
}

export const signInScenario: Scenario = {
  group: "approved",
  name: "sign-in: refused sale before, working keys after",
  parts: ["keypad", "lcd", "msr", "host"],
  async run(ctx) {
    await ctx.expectScreen(/NOT SIGNED IN/);
    await ctx.swipe("mag-debit");
    await ctx.expectScreen(/NOT SIGNED IN\nSIGN IN AGAIN/);
    ctx.equal(ctx.hostRequests().length, 0, "requests before sign-in");
    await ctx.expectState("IDLE");
    await ctx.wait(2500); // the notice times out
    const r = await signIn(ctx);
    ctx.equal(r.outcome, 16, "sign-in outcome (OUT_SIGNED_IN)");
    const signOn = ctx.hostRequests("0800");
    ctx.equal(signOn.length, 1, "0800 requests");
    ctx.check(ctx.host.log.some((e) => e.direction === "out" && e.mti === "0810" && e.code === "00"), "the host answered 0810 with 00");
    const idle = await ctx.expectScreen(/TID 10000001/);
    ctx.check(!/NOT SIGNED IN/.test(idle), "the idle screen no longer says NOT SIGNED IN: " + idle);
    await ctx.ledgerAgrees();
  },
};

export const swipeSaleScenario: Scenario = {
  group: "approved",
  name: "sale by mag stripe",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    const mark = await ctx.printMark();
    const r = await swipeSale(ctx, { card: "mag-debit", amount: 1250 });
    await ctx.expectScreen(/SALE +APPROVED\nAMOUNT +12\.50\nAUTH CODE +\d{6}\nTRACE NO +\d{6}/);
    ctx.equal(r.outcome, OUT_APPROVED, "outcome");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 1250, "cardholder balance");
    await ctx.expectJournal(r.stan, { type: "SALE", status: "APPROVED", amount: 1250, pan: "622202******9873", rc: "00" });
    const paper = await expectMaskedSlip(ctx, mark, "mag-debit", 1250, r.stan);
    ctx.check(/MERCHANT COPY/.test(paper), "merchant copy printed");
    ctx.check(/SWIPE/.test(paper), "entry mode SWIPE on the slip");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const menuSaleScenario: Scenario = {
  group: "approved",
  name: "sale from the menu: amount first, then the card",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const r = await menuSale(ctx, { card: "mag-debit-track3", amount: 99900 });
    await ctx.expectScreen(/SALE +APPROVED\nAMOUNT +999\.00/);
    await ctx.expectJournal(r.stan, { type: "SALE", status: "APPROVED", amount: 99900 });
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const chipSaleScenario: Scenario = {
  group: "approved",
  name: "sale by chip: completed with the card in, REMOVE CARD",
  parts: ["keypad", "lcd", "icc", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("chip-debit");
    const mark = await ctx.printMark();
    const r = await chipSale(ctx, { card: "chip-debit", amount: 5000 });
    await ctx.expectScreen(/SALE +APPROVED\nAMOUNT +50\.00\n.*\nREMOVE CARD/);
    ctx.equal(r.outcome, OUT_APPROVED, "outcome");
    ctx.equal(await ctx.pendingReversal(), null, "pending reversal after completion");
    await ctx.pull();
    await ctx.expectScreen(/TRACE NO +\d{6}/);
    const j = await ctx.expectJournal(r.stan, { type: "SALE", status: "APPROVED", amount: 5000 });
    ctx.equal(Math.floor(j.entryMode / 10), 5, "entry mode 05x (chip)");
    ctx.equal(ctx.host.ledger.balanceOf("chip-debit"), before - 5000, "cardholder balance");
    const sale = ctx.hostRequests("0200").pop()!;
    ctx.check(sale.fields!.indexOf(55) >= 0, "the request carried ICC data (field 55)");
    await expectMaskedSlip(ctx, mark, "chip-debit", 5000, r.stan);
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const voidScenario: Scenario = {
  group: "approved",
  name: "void of a sale: money back, sale VOIDED",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    const sale = await swipeSale(ctx, { card: "mag-debit", amount: 3300 });
    ctx.equal(sale.outcome, OUT_APPROVED, "sale outcome");
    await done(ctx);
    await ctx.printerIdle();
    const mark = await ctx.printMark();
    const v = await voidSale(ctx, sale.stan, "mag-debit");
    await ctx.expectScreen(/VOID +APPROVED\nAMOUNT +33\.00/);
    ctx.equal(v.outcome, OUT_APPROVED, "void outcome");
    await ctx.expectJournal(sale.stan, { type: "SALE", status: "VOIDED" });
    await ctx.expectJournal(v.stan, { type: "VOID", status: "APPROVED", amount: 3300, origStan: sale.stan });
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before, "balance after the void");
    await ctx.expectPrinted(/VOID/, { since: mark });
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const refundScenario: Scenario = {
  group: "approved",
  name: "refund against the original's reference number and date",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const sale = await swipeSale(ctx, { card: "mag-debit", amount: 8000 });
    await done(ctx);
    const orig = ctx.host.ledger.snapshot().transactions.filter((t) => t.kind === "sale").pop()!;
    ctx.equal(sale.rrn, orig.rrn, "the terminal kept the host's RRN");
    const before = ctx.host.ledger.balanceOf("mag-debit");
    const r = await refund(ctx, { card: "mag-debit", amount: 3000, rrn: sale.rrn, mmdd: mmddOf(orig.date) });
    await ctx.expectScreen(/REFUND +APPROVED\nAMOUNT +30\.00/);
    ctx.equal(r.outcome, OUT_APPROVED, "refund outcome");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before + 3000, "balance after the refund");
    await ctx.expectJournal(r.stan, { type: "REFUND", status: "APPROVED", amount: 3000 });
    await ctx.expectJournal(sale.stan, { type: "SALE", status: "APPROVED" });
    ctx.equal(await ctx.pendingReversal(), null, "a refund is not reversible: no reversal record");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const balanceScenario: Scenario = {
  group: "approved",
  name: "balance inquiry shows the host's balance, journals nothing",
  parts: ["keypad", "lcd", "msr", "host"],
  async run(ctx) {
    await signIn(ctx);
    ctx.host.ledger.setBalance("mag-debit", 123456);
    const r = await balance(ctx, "mag-debit");
    await ctx.expectScreen(/BALANCE\n +1234\.56/);
    ctx.equal(r.outcome, OUT_APPROVED, "outcome");
    ctx.equal(r.balance, 123456, "T.last().balance");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), 123456, "an inquiry moves no money");
    ctx.equal(((await ctx.T("batch()")) as unknown[]).length, 0, "journal entries");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const APPROVED_SCENARIOS: Scenario[] = [signInScenario, swipeSaleScenario, menuSaleScenario, chipSaleScenario, voidScenario, refundScenario, balanceScenario];
