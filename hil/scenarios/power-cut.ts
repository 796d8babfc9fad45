/**
 * Power fails while the host has the request and the terminal has not had the reply. The 0400
 * was written before the request left (ARCHITECTURE.md "Persistence"), so after the reboot the
 * terminal still knows, and sends the reversal before anything else.
 */
import type { Scenario } from "./types";
import { booted, done, OUT_APPROVED, signIn, swipeSale } from "./flows";
import { pinOf } from "./flows";

export const powerCutInFlight: Scenario = {
  group: "power cut",
  name: "power cut after the request left, before the reply: reversal sent after the reboot",
  parts: ["keypad", "lcd", "msr", "power", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    // the host debits and holds its answer; the terminal loses power meanwhile
    ctx.host.inject({ fault: "no-reply", match: { mti: "0200" } });
    await ctx.swipe("mag-debit");
    await ctx.expectState("AMOUNT");
    await ctx.keys("5600\n");
    await ctx.expectState("PIN");
    await ctx.do('hil.keys("' + pinOf("mag-debit") + '\\n")');
    const req = await ctx.expectHost("the sale request", (e) => e.direction === "in" && e.mti === "0200", { timeoutMs: 10000 });
    await ctx.powerCut();
    await booted(ctx);
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 5600, "the host debited the card");
    const p = await ctx.pendingReversal();
    ctx.check(p && p.stan === Number(req.stan) && p.reason === "98" && p.amount === 5600, "after the reboot the reversal is pending: " + JSON.stringify(p));
    ctx.equal(await ctx.journal(Number(req.stan)), null, "no journal entry for the unanswered sale");
    await ctx.expectScreen(/NOT SIGNED IN/);
    await signIn(ctx);
    const mark = ctx.hostMark();
    const next = await swipeSale(ctx, { card: "mag-debit", amount: 100 });
    ctx.equal(next.outcome, OUT_APPROVED, "the next sale");
    ctx.equal(
      ctx.hostRequestsSince(mark).map((e) => e.mti + " " + e.stan),
      ["0400 " + req.stan, "0200 " + String(next.stan).padStart(6, "0")],
      "after the reboot: the reversal, then the sale",
    );
    ctx.check(next.stan > Number(req.stan), `the trace counter moved on (${next.stan} > ${req.stan}): no trace reused`);
    ctx.equal(await ctx.pendingReversal(), null, "pending reversal");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 100, "the lost sale's money is back");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const POWER_CUT_SCENARIOS: Scenario[] = [powerCutInFlight];
