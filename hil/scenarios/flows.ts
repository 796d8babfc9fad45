/**
 * What a cashier does, as key and card sequences on the terminal's menu (firmware/app/terminal.ts):
 * F1 opens the menu; 1 sale, 2 void, 3 refund, 4 balance, 5 settlement, 6 reprint last,
 * 7 reprint by trace, 8 query by trace, 9 sign in. A card swiped or inserted at idle starts a
 * sale. Amounts are typed in fen (the entry places the decimal point). Each flow ends at the
 * result screen and returns T.last(); `done()` takes the terminal back to idle.
 */
import type { ScenarioContext } from "./context";
import { findCard } from "../terminal/cards";

/** The PIN the host expects for a test card (hil/models/test-cards.ts, hil/host/cards.ts). */
export function pinOf(card: string): string {
  return findCard(card).pin;
}

/** The card's full PAN (Node side only: to check it is never printed or shown). */
export function panOf(card: string): string {
  return findCard(card).pan;
}

/** T.last() (firmware/app/rig-api.ts). */
export interface LastResult {
  type: number;
  outcome: number;
  rc: string;
  cls: number;
  msg: string;
  stan: number;
  batch: number;
  amount: number;
  balance: number;
  authCode: string;
  rrn: string;
  pan: string;
  reversalPending: boolean;
}

// engine-api.ts outcomes, as T.last().outcome reports them
export const OUT_APPROVED = 1;
export const OUT_DECLINED = 2;
export const OUT_NO_RESPONSE = 3;
export const OUT_MAC_FAILED = 4;
export const OUT_CARD_REMOVED = 5;
export const OUT_REVERSED = 7;
export const OUT_REVERSAL_FAILED = 8;
export const OUT_REVERSAL_PENDING = 9;
export const OUT_SETTLED = 14;
export const OUT_SIGNED_IN = 16;

/** Longest a command may take: sign-in + reversal + request, each up to the reply timeout. */
export const RESULT_TIMEOUT_MS = 60000;

/**
 * Wait for the idle screen after boot (or a power cut). On the real interpreter the first ticks
 * after boot are long (the first LCD paint goes through the models): a key tapped then is missed,
 * so real targets give it a second more.
 */
export async function booted(ctx: ScenarioContext): Promise<void> {
  await ctx.until("the terminal to boot to its idle screen", async () => {
    try {
      return (await ctx.state()) === "IDLE" ? true : undefined;
    } catch (e) {
      return undefined; // T not there yet
    }
  }, { timeoutMs: 15000 });
  if (ctx.target.name !== "virtual") await ctx.wait(1500);
}

/** The command finished: the result screen is up (or the paper prompt over it). */
export async function result(ctx: ScenarioContext): Promise<LastResult> {
  await ctx.expectState(["RESULT", "PAPER"], { timeoutMs: RESULT_TIMEOUT_MS });
  return (await ctx.T("last()")) as LastResult;
}

/** Leave the result screen (ENTER) for idle. */
export async function done(ctx: ScenarioContext): Promise<void> {
  if ((await ctx.state()) === "RESULT") await ctx.key("ENTER");
  await ctx.expectState("IDLE");
}

/** Menu 9: sign in; leaves the terminal at idle. */
export async function signIn(ctx: ScenarioContext): Promise<LastResult> {
  await ctx.keys("{F1}9");
  const r = await result(ctx);
  await ctx.expectScreen(/SIGNED IN/);
  await done(ctx);
  return r;
}

export interface SaleInput {
  card: string;
  /** fen */
  amount: number;
  pin?: string;
}

/** Swipe at idle, then the amount (fen): the PIN prompt is up, nothing typed into it. */
export async function swipeToPin(ctx: ScenarioContext, card: string, amount: number): Promise<void> {
  await ctx.swipe(card);
  await ctx.expectState("AMOUNT");
  await ctx.keys(amount + "\n");
  await ctx.expectState("PIN");
}

/** Swipe at idle, amount, PIN: the result (not acknowledged). */
export async function swipeSale(ctx: ScenarioContext, s: SaleInput): Promise<LastResult> {
  await swipeToPin(ctx, s.card, s.amount);
  await ctx.keys((s.pin || pinOf(s.card)) + "\n");
  return result(ctx);
}

/** Menu 1: amount first, then the card. */
export async function menuSale(ctx: ScenarioContext, s: SaleInput): Promise<LastResult> {
  await ctx.keys("{F1}1");
  await ctx.expectState("AMOUNT");
  await ctx.keys(s.amount + "\n");
  await ctx.expectState("CARD");
  await ctx.swipe(s.card);
  await ctx.expectState("PIN");
  await ctx.keys((s.pin || pinOf(s.card)) + "\n");
  return result(ctx);
}

/** Insert at idle, amount, chip read, PIN: the result with the card still in. */
export async function chipSale(ctx: ScenarioContext, s: SaleInput): Promise<LastResult> {
  await ctx.insert(s.card);
  await ctx.expectState("AMOUNT");
  await ctx.keys(s.amount + "\n");
  await ctx.expectState("PIN", { timeoutMs: 15000 });
  await ctx.keys((s.pin || pinOf(s.card)) + "\n");
  return result(ctx);
}

/** Menu 2: void the sale with this trace, presenting the card again. */
export async function voidSale(ctx: ScenarioContext, trace: number, card: string): Promise<LastResult> {
  await ctx.keys("{F1}2");
  await ctx.expectState("TRACE");
  await ctx.keys(trace + "\n");
  await ctx.expectState("CONFIRM");
  await ctx.key("ENTER");
  await ctx.expectState("CARD");
  await ctx.swipe(card);
  return result(ctx);
}

export interface RefundInput {
  card: string;
  amount: number;
  /** The original sale's reference number (12 digits) and date (MMDD). */
  rrn: string;
  mmdd: string;
}

/** Menu 3: refund against an original's RRN and date. */
export async function refund(ctx: ScenarioContext, r: RefundInput): Promise<LastResult> {
  await ctx.keys("{F1}3");
  await ctx.expectState("AMOUNT");
  await ctx.keys(r.amount + "\n");
  await ctx.expectState("RRN");
  await ctx.keys(r.rrn + "\n");
  await ctx.expectState("DATE");
  await ctx.keys(r.mmdd + "\n");
  await ctx.expectState("CARD");
  await ctx.swipe(r.card);
  return result(ctx);
}

/** Menu 4: balance inquiry. */
export async function balance(ctx: ScenarioContext, card: string, pin?: string): Promise<LastResult> {
  await ctx.keys("{F1}4");
  await ctx.expectState("CARD");
  await ctx.swipe(card);
  await ctx.expectState("PIN");
  await ctx.keys((pin || pinOf(card)) + "\n");
  return result(ctx);
}

/** Menu 5: settlement. */
export async function settle(ctx: ScenarioContext): Promise<LastResult> {
  await ctx.keys("{F1}5");
  return result(ctx);
}

/** Menu 8: look a transaction up by trace; leaves the query screen up. */
export async function query(ctx: ScenarioContext, trace: number): Promise<string> {
  await ctx.keys("{F1}8");
  await ctx.expectState("TRACE");
  await ctx.keys(trace + "\n");
  await ctx.expectState("QUERY");
  return ctx.expectScreen(new RegExp(String(trace).padStart(6, "0")));
}

/** Menu 7: reprint by trace. */
export async function reprintTrace(ctx: ScenarioContext, trace: number): Promise<void> {
  await ctx.keys("{F1}7");
  await ctx.expectState("TRACE");
  await ctx.keys(trace + "\n");
}

/** The host ledger's MMDD of a transaction (its local date YYYYMMDD). */
export function mmddOf(date: string): string {
  return date.slice(4, 8);
}
