/**
 * Settlement (PROTOCOL.md "Settlement"): the terminal sends its batch totals; balanced closes
 * the batch, not balanced uploads every record (0320) and then closes. Either way the next
 * batch starts empty and the settlement report is printed.
 */
import type { Scenario } from "./types";
import type { ScenarioContext } from "./context";
import { uploadMatches } from "./ledger-check";
import { done, mmddOf, OUT_APPROVED, OUT_SETTLED, refund, settle, signIn, swipeSale } from "./flows";

async function sales(ctx: ScenarioContext, amounts: number[]): Promise<number[]> {
  const traces: number[] = [];
  for (const a of amounts) {
    const r = await swipeSale(ctx, { card: "mag-debit", amount: a });
    ctx.equal(r.outcome, OUT_APPROVED, "sale " + a);
    traces.push(r.stan);
    await done(ctx);
  }
  return traces;
}

export const settleBalanced: Scenario = {
  group: "settlement",
  name: "settlement balanced: totals on screen, batch closed, report printed",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    const traces = await sales(ctx, [1000, 2500]);
    const orig = ctx.host.ledger.snapshot().transactions.filter((t) => t.kind === "sale").pop()!;
    const rf = await refund(ctx, { card: "mag-debit", amount: 500, rrn: orig.rrn, mmdd: mmddOf(orig.date) });
    ctx.equal(rf.outcome, OUT_APPROVED, "refund");
    await done(ctx);
    await ctx.printerIdle();
    await ctx.ledgerAgrees(); // entry by entry, before the batch leaves the terminal
    const batch = (await ctx.T("batch()"))[0].batch as number;
    const mark = await ctx.printMark();
    const mmark = ctx.hostMark();
    const r = await settle(ctx);
    ctx.equal(r.outcome, OUT_SETTLED, "outcome");
    await ctx.expectScreen(new RegExp("SETTLED +" + String(batch).padStart(6, "0") + "\nDEBIT 2 +35\\.00\nCREDIT 1 +5\\.00\nBALANCED"));
    ctx.equal(ctx.hostRequestsSince(mmark).map((e) => e.mti), ["0500"], "one settlement request, no batch upload");
    const rec = ctx.host.ledger.snapshot().batches.find((b) => Number(b.batch) === batch)!;
    ctx.check(rec && rec.balanced === true, "the host found the batch balanced: " + JSON.stringify(rec));
    await ctx.expectPrinted(/SETTLEMENT REPORT/, { since: mark });
    ctx.equal(((await ctx.T("batch()")) as unknown[]).length, 0, "open-batch entries after settlement");
    await ctx.expectJournal(traces[0], { status: "SETTLED" }).catch(() => undefined); // may be compacted away
    await done(ctx);
    // the next sale goes into the next batch
    const next = await swipeSale(ctx, { card: "mag-debit", amount: 100 });
    ctx.equal(next.batch, batch + 1, "the next sale's batch");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const settleNotBalanced: Scenario = {
  group: "settlement",
  name: "settlement not balanced: batch upload of every record, then closed",
  parts: ["keypad", "lcd", "msr", "printer", "host"],
  async run(ctx) {
    await signIn(ctx);
    await sales(ctx, [1200, 3400, 560]);
    const batch = (await ctx.T("batch()"))[0].batch as number;
    // the totals disagree the honest way: a sale the host approved but the terminal never heard
    // about, whose reversal the host refused to the end (reversal-refused.ts): the host counts
    // it, the terminal cannot
    ctx.host.inject({ fault: "no-reply", match: { mti: "0200" } });
    ctx.host.inject({ fault: "reversal-not-acked", code: "96", times: 9 });
    const lost = await swipeSale(ctx, { card: "mag-debit", amount: 900 });
    await done(ctx);
    for (let i = 0; i < 5 && (await ctx.manualList()).length === 0; i++) {
      await swipeSale(ctx, { card: "mag-debit", amount: 100 });
      await done(ctx);
    }
    ctx.host.clearFaults();
    ctx.equal((await ctx.manualList()).map((m) => m.stan), [lost.stan], "the disputed sale is on the manual list");
    await ctx.printerIdle();
    await ctx.ledgerAgrees();
    const entries = ((await ctx.T("batch()")) as Array<{ status: string }>).filter((e) => e.status === "APPROVED").length;
    const mark = await ctx.printMark();
    const mmark = ctx.hostMark();
    const r = await settle(ctx);
    ctx.equal(r.outcome, OUT_SETTLED, "outcome");
    await ctx.expectScreen(new RegExp("SETTLED +" + String(batch).padStart(6, "0") + "\n[\\s\\S]*NOT BALANCED"));
    const sent = ctx.hostRequestsSince(mmark).map((e) => e.mti + (e.operation === "upload-close" ? " close" : ""));
    ctx.equal(sent, ["0500", "0320", "0320 close"], "settlement, batch upload, closing upload");
    const rec = ctx.host.ledger.snapshot().batches.find((b) => Number(b.batch) === batch)!;
    ctx.check(rec && rec.balanced === false && rec.state === "closed", "the host saw not balanced, then the closing upload: " + JSON.stringify(rec));
    ctx.equal(rec.uploaded.length, entries, "every approved record uploaded");
    const snap = ctx.host.ledger.snapshot();
    ctx.check(rec.uploaded.every((u) => uploadMatches(u, rec.batch, snap)), "every uploaded record is a host transaction (trace, amount, masked PAN): " + JSON.stringify(rec.uploaded));
    ctx.equal(rec.closingCount, entries, "count announced in the closing 0320");
    await ctx.expectPrinted(/SETTLEMENT REPORT/, { since: mark });
    ctx.equal(((await ctx.T("batch()")) as unknown[]).length, 0, "open-batch entries after settlement");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const SETTLEMENT_SCENARIOS: Scenario[] = [settleBalanced, settleNotBalanced];
