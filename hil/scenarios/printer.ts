/**
 * The printer runs out of paper after the host approved. A printing failure is not a reason
 * to reverse (PROTOCOL.md): the sale stands, the terminal asks for paper and prints the slip
 * once it is loaded.
 */
import type { Scenario } from "./types";
import { done, OUT_APPROVED, swipeSale, signIn } from "./flows";

export const paperOutAfterApproval: Scenario = {
  group: "printer",
  name: "out of paper after approval: the sale stands, slip printed after reload",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    await ctx.printerIdle();
    // paper runs out a few lines into the merchant copy
    await ctx.paperOut(3);
    const mark = await ctx.printMark();
    const r = await swipeSale(ctx, { card: "mag-debit", amount: 7700 });
    ctx.equal(r.outcome, OUT_APPROVED, "outcome");
    await ctx.expectScreen(/LOAD PAPER\nENTER=REPRINT/, { timeoutMs: 20000 });
    await ctx.expectJournal(r.stan, { type: "SALE", status: "APPROVED", amount: 7700 });
    ctx.equal(await ctx.pendingReversal(), null, "no reversal for a printer fault");
    ctx.equal(ctx.hostRequests("0400").length, 0, "reversals sent");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 7700, "the sale stands at the host");
    await ctx.loadPaper();
    await ctx.key("ENTER");
    const paper = await ctx.expectPrinted(/CARDHOLDER COPY/, { since: mark });
    const trace = String(r.stan).padStart(6, "0");
    ctx.log("paper:\n" + paper);
    ctx.check(/MERCHANT COPY/.test(paper), "the merchant copy printed after the reload");
    ctx.check(paper.split(trace).length >= 3, "both copies show the trace");
    ctx.check(paper.indexOf("77.00") >= 0, "the slip shows the amount");
    await ctx.printerIdle();
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const PRINTER_SCENARIOS: Scenario[] = [paperOutAfterApproval];
