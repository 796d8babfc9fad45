/**
 * Every card the virtual terminal can swipe or insert, by id: the shared reader test cards
 * (hil/models/test-cards.ts) and the host simulator's decline cards (hil/host/cards.ts), so each
 * host answer can be reached from the keyboard. Made-up test data, no real account.
 */
import { TEST_CARDS, type TestCard } from "../models/test-cards";
import { HOST_CARDS } from "../host/cards";

export const TERMINAL_CARDS: TestCard[] = TEST_CARDS.concat(Object.keys(HOST_CARDS).map((k) => (HOST_CARDS as Record<string, TestCard>)[k]));

export function findCard(id: string): TestCard {
  for (const c of TERMINAL_CARDS) if (c.id === id) return c;
  throw new Error("no test card '" + id + "' (known: " + TERMINAL_CARDS.map((c) => c.id).join(", ") + ")");
}

/** First 6 and last 4 digits, the rest as '*' (what receipts and the host log show). */
export function maskedPan(pan: string): string {
  if (pan.length < 11) return pan.replace(/./g, "*");
  return pan.slice(0, 6) + "*".repeat(pan.length - 10) + pan.slice(-4);
}

/** One line describing a card for the terminal view (masked PAN; the test PIN the host expects). */
export function describeCard(c: TestCard): string {
  return c.id + " " + maskedPan(c.pan) + " exp " + c.expiry + (c.chip ? " chip" : " mag") + " PIN " + c.pin;
}
