/**
 * "Paid but not arrived": a customer says the money left their account but the merchant has no
 * slip (or doubts it). The merchant looks the transaction up by the trace number, sees its
 * status, amount, masked card and reference number, and reprints the slip, marked REPRINT.
 * A transaction the terminal reversed shows REVERSED, and there is nothing to reprint.
 */
import type { Scenario } from "./types";
import { done, OUT_APPROVED, pinOf, query, reprintTrace, result, signIn, swipeSale } from "./flows";

export const paidNotArrived: Scenario = {
  group: "lookup",
  name: "paid but not arrived: look up by trace, see APPROVED, reprint marked REPRINT",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const sale = await swipeSale(ctx, { card: "mag-debit", amount: 8800 });
    ctx.equal(sale.outcome, OUT_APPROVED, "sale");
    await done(ctx);
    await ctx.printerIdle();
    // another customer in between
    await swipeSale(ctx, { card: "mag-debit-track3", amount: 120 });
    await done(ctx);
    await ctx.printerIdle();
    const trace = String(sale.stan).padStart(6, "0");
    const screen = await query(ctx, sale.stan);
    ctx.check(new RegExp("SALE +" + trace + "\nAMOUNT +88\\.00\n622202\\*{6}9873\nAPPROVED").test(screen), "the query shows the sale: " + screen);
    const host = ctx.host.ledger.snapshot().transactions.find((t) => t.stan === trace && t.kind === "sale")!;
    ctx.check(host && host.status === "approved" && host.amount === 8800, "the host has it approved: " + JSON.stringify(host));
    // the second page: time and reference number, which the customer's bank can trace
    await ctx.key("F1");
    const page2 = await ctx.expectScreen(/RRN +\d{12}/);
    ctx.check(page2.indexOf(host.rrn) >= 0, `the query shows the host's RRN ${host.rrn}: ${page2}`);
    const mark = await ctx.printMark();
    await ctx.key("ENTER");
    const paper = await ctx.expectPrinted(/REPRINT[\s\S]*88\.00|88\.00[\s\S]*REPRINT/, { since: mark });
    ctx.check(paper.indexOf(trace) >= 0, "the reprint shows the trace");
    ctx.check(paper.indexOf(host.rrn) >= 0, "the reprint shows the reference number");
    ctx.check(paper.indexOf(host.authCode) >= 0, "the reprint shows the auth code");
    await ctx.printerIdle();
    await ctx.key("CANCEL");
    await ctx.expectState("IDLE");
    // menu 7 reprints by trace too
    const mark2 = await ctx.printMark();
    await reprintTrace(ctx, sale.stan);
    await ctx.expectPrinted(/REPRINT/, { since: mark2 });
    await ctx.printerIdle();
    await ctx.ledgerAgrees();
  },
};

export const reversedLookup: Scenario = {
  group: "lookup",
  name: "look up a chip sale the terminal reversed: REVERSED, no slip to reprint",
  parts: ["keypad", "lcd", "icc", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    await ctx.insert("chip-debit");
    await ctx.expectState("AMOUNT");
    await ctx.keys("2200\n");
    await ctx.expectState("PIN", { timeoutMs: 15000 });
    await ctx.keys(pinOf("chip-debit") + "\n");
    const approval = await ctx.expectHost("0210 approved", (e) => e.direction === "out" && e.mti === "0210" && e.code === "00", { timeoutMs: 15000 });
    await ctx.expectScreen(/DO NOT REMOVE/, { timeoutMs: 2000 });
    await ctx.pull();
    await result(ctx);
    await done(ctx);
    const stan = Number(approval.stan);
    const screen = await query(ctx, stan);
    ctx.check(/\nREVERSED/.test(screen), "the query says REVERSED: " + screen);
    const mark = await ctx.printMark();
    await ctx.key("ENTER");
    await ctx.expectScreen(/REVERSED/);
    await ctx.wait(3000);
    ctx.equal((await ctx.printed()).slice(mark), [], "nothing printed for a reversed sale");
    await ctx.key("CANCEL");
    await ctx.expectState("IDLE");
    await ctx.ledgerAgrees();
  },
};

export const LOOKUP_SCENARIOS: Scenario[] = [paidNotArrived, reversedLookup];
