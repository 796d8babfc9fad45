/**
 * The cards `hil.swipe` / `hil.insert` know inside the interpreter: the same set, by the same
 * ids, as the Node-side virtual terminal (hil/terminal/cards.ts): the shared reader test cards
 * plus the host simulator's decline cards. Made-up test data, no real account.
 *
 * The host's decline cards are listed again here (HOST_DECLINE_CARDS) because hil/host/cards.ts
 * imports the ledger, which is Node-only code; test/inside/cards.test.ts fails when the two lists
 * drift apart.
 */
import { TEST_CARDS, type TestCard } from "../models/test-cards";

/** hil/host/cards.ts HOST_CARDS: [id, pan, name]; all mag stripe, expiry 3012, service 101, PIN 123456. */
export const HOST_DECLINE_CARDS = [
  ["low-balance", "6222020000000023", "QIAN/YI"],
  ["frozen", "6222020000000031", "SUN/ER"],
  ["not-activated", "6222020000000056", "LI/SAN"],
  ["lost", "6222020000000064", "ZHOU/SI"],
  ["stolen", "6222020000000072", "WU/WU"],
  ["daily-limit", "6222020000000080", "ZHENG/LIU"],
  ["frequency", "6222020000000106", "FENG/QI"],
  ["no-pin", "6222020000000114", "CHU/BA"],
];

let all: TestCard[] | null = null;

/** Every card, built on first use. */
export function insideCards(): TestCard[] {
  if (all) return all;
  const list = TEST_CARDS.slice();
  for (let i = 0; i < HOST_DECLINE_CARDS.length; i++) {
    const c = HOST_DECLINE_CARDS[i];
    list.push({ id: c[0], pan: c[1], name: c[2], expiry: "3012", serviceCode: "101", pin: "123456" });
  }
  all = list;
  return list;
}

/** First 6 and last 4 digits, the rest as '*' (as hil/terminal/cards.ts maskedPan). */
export function maskPan(pan: string): string {
  let out = "";
  for (let i = 0; i < pan.length; i++) {
    const keep = pan.length >= 11 && (i < 6 || i >= pan.length - 4);
    out += keep ? pan.charAt(i) : "*";
  }
  return out;
}
