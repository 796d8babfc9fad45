/**
 * Bad input and declines: what the merchant sees must say what happened AND what to do, each
 * in its own words. Amounts refused at entry and an unreadable swipe never reach the host; a
 * decline moves no money, is journaled DECLINED with its code and leaves no reversal.
 */
import type { Scenario } from "./types";
import type { ScenarioContext } from "./context";
import { done, OUT_DECLINED, pinOf, signIn, swipeSale, swipeToPin } from "./flows";

/** Amount entry refuses `typed` with `notice`; the amount screen stays for a new amount. */
async function refusedAtEntry(ctx: ScenarioContext, typed: string, notice: RegExp): Promise<void> {
  await signIn(ctx);
  await ctx.swipe("mag-debit");
  await ctx.expectState("AMOUNT");
  await ctx.keys(typed + "\n");
  const screen = await ctx.expectScreen(notice);
  ctx.equal(await ctx.state(), "AMOUNT", "still entering the amount (what to do: enter another)");
  ctx.check(/SALE/.test(screen), "the amount screen stays up under the notice: " + screen);
  ctx.equal(ctx.hostRequests("0200").length, 0, "sale requests sent");
  // clear the refused amount, enter a good one: the same card goes on to the PIN
  await ctx.keys("\b".repeat(typed.length) + "100\n");
  await ctx.expectState("PIN");
  await ctx.keys(pinOf("mag-debit") + "\n");
  await ctx.expectScreen(/SALE +APPROVED\nAMOUNT +1\.00/, { timeoutMs: 30000 });
  await done(ctx);
  await ctx.ledgerAgrees();
}

export const zeroAmount: Scenario = {
  group: "invalid input",
  name: "zero amount refused at entry",
  parts: ["keypad", "lcd", "msr", "host"],
  run: (ctx) => refusedAtEntry(ctx, "0", /AMOUNT IS ZERO/),
};

export const overLimitAmount: Scenario = {
  group: "invalid input",
  name: "amount over the terminal's maximum refused at entry",
  parts: ["keypad", "lcd", "msr", "host"],
  // pos.cfg maxAmount defaults to 5,000,000 fen (50,000.00)
  run: (ctx) => refusedAtEntry(ctx, "5000001", /OVER MAX AMOUNT/),
};

interface Decline {
  code: string;
  card: string;
  amount: number;
  pin?: string;
  /** What happened, then what to do, as the LCD shows them. */
  screen: RegExp;
  what: string;
}

const DECLINES: Decline[] = [
  { code: "55", card: "mag-debit", amount: 1000, pin: "111111", screen: /SALE +55\nWRONG PIN\nRE-ENTER PIN/, what: "wrong PIN" },
  { code: "54", card: "mag-expired", amount: 1000, screen: /SALE +54\nCARD EXPIRED\nUSE OTHER CARD/, what: "expired card" },
  { code: "51", card: "low-balance", amount: 5000, screen: /SALE +51\nNOT ENOUGH FUNDS\nUSE OTHER CARD/, what: "insufficient funds" },
  { code: "62", card: "frozen", amount: 1000, screen: /SALE +62\nCARD RESTRICTED\nUSE OTHER CARD/, what: "frozen card" },
  { code: "21", card: "not-activated", amount: 1000, screen: /SALE +21\nCARD NOT ACTIVE\nUSE OTHER CARD/, what: "card not activated" },
  { code: "41", card: "lost", amount: 1000, screen: /SALE +41\nLOST CARD\nKEEP THE CARD/, what: "lost card" },
  { code: "61", card: "daily-limit", amount: 60000, screen: /SALE +61\nOVER LIMIT\nUSE OTHER CARD/, what: "exceeds the amount limit" },
];

function declineScenario(d: Decline): Scenario {
  return {
    group: "invalid input",
    name: `${d.what} (${d.code}) says so and what to do`,
    parts: ["keypad", "lcd", "msr", "host"],
    async run(ctx) {
      await signIn(ctx);
      const before = ctx.host.ledger.balanceOf(d.card);
      const r = await swipeSale(ctx, { card: d.card, amount: d.amount, pin: d.pin });
      await ctx.expectScreen(d.screen);
      ctx.equal(r.outcome, OUT_DECLINED, "outcome");
      ctx.equal(r.rc, d.code, "response code");
      ctx.equal(ctx.host.ledger.balanceOf(d.card), before, "no money moved");
      await ctx.expectJournal(r.stan, { type: "SALE", status: "DECLINED", rc: d.code, amount: d.amount });
      ctx.equal(await ctx.pendingReversal(), null, "a decline leaves no reversal");
      await done(ctx);
      await ctx.ledgerAgrees();
    },
  };
}

export const garbledSwipe: Scenario = {
  group: "invalid input",
  name: "garbled swipe: READ ERROR, SWIPE AGAIN, nothing sent",
  parts: ["keypad", "lcd", "msr", "host"],
  async run(ctx) {
    await signIn(ctx);
    const mark = ctx.hostMark();
    await ctx.swipe("mag-debit", { cutAfter: 12 });
    await ctx.expectScreen(/READ ERROR\nSWIPE AGAIN/);
    ctx.equal(await ctx.state(), "IDLE", "no sale started");
    await ctx.swipe("mag-debit", { noise: { seed: 7, flips: 3 } });
    await ctx.expectScreen(/READ ERROR\nSWIPE AGAIN/);
    ctx.equal(await ctx.state(), "IDLE", "no sale started by a noisy swipe");
    ctx.equal(ctx.hostRequestsSince(mark).length, 0, "requests sent after the bad swipes");
    // the card swiped properly works
    await ctx.wait(2500);
    const r = await swipeSale(ctx, { card: "mag-debit", amount: 200 });
    ctx.equal(r.rc, "00", "the good swipe's sale");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const pinEntryCancelled: Scenario = {
  group: "invalid input",
  name: "PIN entry cancelled: CANCELLED, the 0400 stored at the prompt cleared, nothing sent",
  parts: ["keypad", "lcd", "msr", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    const mark = ctx.hostMark();
    await swipeToPin(ctx, "mag-debit", 1200);
    const stored = await ctx.pendingReversal();
    ctx.check(stored !== null && stored.amount === 1200, "the 0400 is on flash while the PIN is typed: " + JSON.stringify(stored));
    await ctx.keys(pinOf("mag-debit").slice(0, 3));
    await ctx.key("CANCEL");
    await ctx.expectScreen(/CANCELLED/);
    ctx.equal(await ctx.state(), "IDLE", "back at idle");
    ctx.equal(await ctx.pendingReversal(), null, "the request never left: its 0400 is gone");
    ctx.equal(ctx.hostRequestsSince(mark).length, 0, "requests sent");
    ctx.equal(await ctx.journal(stored ? stored.stan : -1), null, "nothing journaled");
    // the next sale goes alone: nothing to reverse first
    await ctx.wait(2500);
    const r = await swipeSale(ctx, { card: "mag-debit", amount: 300 });
    ctx.equal(r.rc, "00", "the next sale");
    ctx.equal(
      ctx.hostRequestsSince(mark).map((e) => e.mti),
      ["0200"],
      "only the next sale's request",
    );
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 300, "only the next sale debited");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const pinCorrected: Scenario = {
  group: "invalid input",
  name: "PIN mistyped, cleared and typed again: the PIN block made at the sixth digit is replaced, the sale approved",
  parts: ["keypad", "lcd", "msr", "host"],
  async run(ctx) {
    await signIn(ctx);
    const before = ctx.host.ledger.balanceOf("mag-debit");
    const mark = ctx.hostMark();
    await swipeToPin(ctx, "mag-debit", 800);
    const right = pinOf("mag-debit");
    const wrong = right === "111111" ? "222222" : "111111";
    // six digits: the terminal makes their PIN block before ENTER; CLEAR, then the right six
    await ctx.keys(wrong);
    await ctx.wait(1500);
    await ctx.keys("\b" + right + "\n");
    await ctx.expectScreen(/SALE +APPROVED\nAMOUNT +8\.00/, { timeoutMs: 30000 });
    const sent = ctx.hostRequestsSince(mark).map((e) => e.mti);
    ctx.equal(sent, ["0200"], "one request, answered 00: the host saw the right PIN (a wrong one earns 55) and a good MAC");
    ctx.equal(ctx.host.ledger.balanceOf("mag-debit"), before - 800, "debited once");
    await done(ctx);
    await ctx.ledgerAgrees();
  },
};

export const INVALID_INPUT_SCENARIOS: Scenario[] = [zeroAmount, overLimitAmount].concat(DECLINES.map(declineScenario), [garbledSwipe, pinEntryCancelled, pinCorrected]);
