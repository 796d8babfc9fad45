/**
 * Power fails while the host has the request and the terminal has not had the reply. The 0400
 * was written before the request left (ARCHITECTURE.md "Persistence"), so after the reboot the
 * terminal still knows, and sends the reversal before anything else. A swiped sale's 0400 is
 * written earlier still, while the PIN prompt shows (the request is built then): power failing
 * there leaves a reversal of a request the host never saw, which it answers 25.
 */
import type { Scenario } from "./types";
import type { ScenarioContext } from "./context";
import { booted, done, OUT_APPROVED, signIn, swipeSale, swipeToPin } from "./flows";
import { pinOf } from "./flows";

/**
 * After the reboot: signed in again, the next sale sends the pending 0400 (trace `stan`) first,
 * then its own request, and leaves nothing pending. Returns the 0410's response code.
 */
async function reversalGoesFirst(ctx: ScenarioContext, stan: number): Promise<string> {
  await ctx.expectScreen(/NOT SIGNED IN/);
  await signIn(ctx);
  const mark = ctx.hostMark();
  const next = await swipeSale(ctx, { card: "mag-debit", amount: 100 });
  ctx.equal(next.outcome, OUT_APPROVED, "the next sale");
  ctx.equal(
    ctx.hostRequestsSince(mark).map((e) => e.mti + " " + e.stan),
    ["0400 " + String(stan).padStart(6, "0"), "0200 " + String(next.stan).padStart(6, "0")],
    "after the reboot: the reversal, then the sale",
  );
  ctx.check(next.stan > stan, `the trace counter moved on (${next.stan} > ${stan}): no trace reused`);
  ctx.equal(await ctx.pendingReversal(), null, "pending reversal");
  const answer = ctx.host.log.filter((e) => e.seq > mark && e.direction === "out" && e.mti === "0410");
  return answer.length > 0 && answer[0].code ? answer[0].code : "none";
}

export const powerCutInFlight: Scenario = {
  group: "power cut",
  name: "power cut after the request left, before the reply: reversal sent after the reboot",
  parts: ["keypad", "lcd", "msr", "power", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    // the host debits and holds its answer; the terminal loses power meanwhile
    ctx.host.inject({ fault: "no-reply", match: { mti: "0200" } });
    await swipeToPin(ctx, "mag-debit", 5600);
    await ctx.do('hil.keys("' + pinOf("mag-debit") + '\\n")');
    const req = await ctx.expectHost("the sale request", (e) => e.direction === "in" && e.mti === "0200", { timeoutMs: 10000 });
    await ctx.powerCut();
    await booted(ctx);
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 5600, "the host debited the card");
    const p = await ctx.pendingReversal();
    ctx.check(p && p.stan === Number(req.stan) && p.reason === "98" && p.amount === 5600, "after the reboot the reversal is pending: " + JSON.stringify(p));
    ctx.equal(await ctx.journal(Number(req.stan)), null, "no journal entry for the unanswered sale");
    ctx.equal(await reversalGoesFirst(ctx, Number(req.stan)), "00", "the host reversed the sale it had debited");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 100, "the lost sale's money is back");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const powerCutAtPinPrompt: Scenario = {
  group: "power cut",
  name: "power cut at the PIN prompt: the 0400 stored there goes first after the reboot, answered 25, nothing debited",
  parts: ["keypad", "lcd", "msr", "power", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    await swipeToPin(ctx, "mag-debit", 5600);
    const stored = await ctx.pendingReversal();
    ctx.check(stored !== null && stored.amount === 5600 && stored.reason === "98", "the 0400 is on flash while the PIN is typed: " + JSON.stringify(stored));
    const stray = stored ? stored.stan : -1;
    await ctx.keys(pinOf("mag-debit").slice(0, 2));
    await ctx.powerCut();
    await booted(ctx);
    ctx.equal(ctx.hostRequests("0200").length, 0, "sale requests the host saw");
    const p = await ctx.pendingReversal();
    ctx.check(p !== null && p.stan === stray, "after the reboot the stored 0400 is pending: " + JSON.stringify(p));
    ctx.equal(await ctx.journal(stray), null, "no journal entry for the sale that never left");
    ctx.equal(await reversalGoesFirst(ctx, stray), "25", "the host's answer to a reversal of a request it never saw");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 100, "only the second sale debited");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const POWER_CUT_SCENARIOS: Scenario[] = [powerCutInFlight, powerCutAtPinPrompt];
