/**
 * The host will not acknowledge a reversal. After the configured tries (pos.cfg
 * reversalRetries, 3) the terminal stops blocking the merchant: it prints a "reversal failed,
 * contact the acquirer" slip (trace, amount, masked PAN, time), keeps the record on the
 * manual-handling list, and transacts again. Never lost silently (PROTOCOL.md).
 */
import type { Scenario } from "./types";
import { done, OUT_APPROVED, OUT_NO_RESPONSE, OUT_REVERSAL_PENDING, swipeSale, signIn } from "./flows";

export const reversalRefusedThrice: Scenario = {
  group: "reversal refused",
  name: "reversal refused three times: failed-reversal slip printed, record on the manual list",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    ctx.host.inject({ fault: "no-reply", match: { mti: "0200" } });
    ctx.host.inject({ fault: "reversal-not-acked", code: "96", times: 3 });
    const lost = await swipeSale(ctx, { card: "mag-debit", amount: 4400 });
    ctx.equal(lost.outcome, OUT_NO_RESPONSE, "the unanswered sale");
    await ctx.expectScreen(/HOST NO REPLY\nWILL BE REVERSED/);
    await done(ctx);
    // while tries remain, every new sale is held back behind the reversal
    let attempts = 0;
    let last = lost;
    while ((await ctx.manualList()).length === 0 && attempts < 5) {
      attempts++;
      const mark = ctx.hostMark();
      last = await swipeSale(ctx, { card: "mag-debit", amount: 100 });
      const sent = ctx.hostRequestsSince(mark).map((e) => e.mti);
      ctx.check(sent[0] === "0400", `attempt ${attempts}: the reversal goes first (${sent.join(", ")})`);
      if (last.outcome === OUT_REVERSAL_PENDING) {
        await ctx.expectScreen(/REVERSAL PENDING\nTRY AGAIN LATER/);
        ctx.check(sent.indexOf("0200") < 0, `attempt ${attempts}: the sale was held back`);
      }
      await done(ctx);
    }
    const reversals = ctx.host.ledger.snapshot().reversals.filter((r) => r.stan === String(lost.stan).padStart(6, "0"));
    ctx.equal(reversals.map((r) => r.code), ["96", "96", "96"], "the host refused the reversal three times");
    const manual = await ctx.manualList();
    ctx.equal(manual.length, 1, "manual-handling list");
    ctx.check(manual[0].stan === lost.stan && manual[0].amount === 4400 && manual[0].pan === "622202******9873", "manual record: " + JSON.stringify(manual[0]));
    ctx.equal(await ctx.pendingReversal(), null, "pending reversal");
    // the merchant gets it on paper
    const slip = await ctx.expectPrinted(/REVERSAL FAILED[\s\S]*CONTACT THE ACQUIRER|CONTACT THE ACQUIRER[\s\S]*REVERSAL FAILED/);
    ctx.log("slip:\n" + slip);
    ctx.check(slip.indexOf(String(lost.stan).padStart(6, "0")) >= 0, "the slip shows the trace");
    ctx.check(slip.indexOf("44.00") >= 0, "the slip shows the amount");
    ctx.check(slip.indexOf("622202******9873") >= 0, "the slip shows the masked PAN");
    // and transacts again: the sale that found the list full-of-tries went through
    ctx.equal(last.outcome, OUT_APPROVED, "the sale after the reversal gave up");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 4400 - 100, "the unreversed sale and the new one stand at the host");
    await ctx.ledgerAgrees();
  },
};

export const REVERSAL_REFUSED_SCENARIOS: Scenario[] = [reversalRefusedThrice];
