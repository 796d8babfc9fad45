/**
 * The accounts the host simulator opens by default: every usable card of the shared
 * hil/models/test-cards.ts (so what the reader models swipe or insert is known to the host),
 * plus host-only cards that exist to be declined (frozen, lost, limits...). The host-only cards
 * use the same TestCard shape, so a scenario can hand them to the MSR model and swipe them.
 * Test data only: made-up Luhn-valid 62xxxx PANs, no real account.
 */
import { CHIP_CREDIT, CHIP_DEBIT, MAG_DEBIT, MAG_DEBIT_TRACK3, MAG_EXPIRED, type TestCard } from "../models/test-cards";
import type { AccountInit, CardStatus, CardType } from "./ledger";

function magCard(id: string, pan: string, name: string): TestCard {
  return { id: id, pan: pan, name: name, expiry: "3012", serviceCode: "101", pin: "123456" };
}

/** Host-only cards, one per decline the ledger can give for a card. */
export const HOST_CARDS = {
  lowBalance: magCard("low-balance", "6222020000000023", "QIAN/YI"),
  frozen: magCard("frozen", "6222020000000031", "SUN/ER"),
  notActivated: magCard("not-activated", "6222020000000056", "LI/SAN"),
  lost: magCard("lost", "6222020000000064", "ZHOU/SI"),
  stolen: magCard("stolen", "6222020000000072", "WU/WU"),
  dailyLimit: magCard("daily-limit", "6222020000000080", "ZHENG/LIU"),
  frequency: magCard("frequency", "6222020000000106", "FENG/QI"),
  noPin: magCard("no-pin", "6222020000000114", "CHU/BA"),
};

/** A Luhn-valid PAN the host has no account for (-> 14). */
export const UNKNOWN_PAN = "6222020000000122";

interface AccountExtras {
  balance: number;
  status?: CardStatus;
  cardType?: CardType;
  dailyLimit?: number;
  dailyCount?: number;
  pinRequired?: boolean;
}

function account(card: TestCard, extras: AccountExtras): AccountInit {
  return Object.assign({ name: card.id, pan: card.pan, expiry: card.expiry, serviceCode: card.serviceCode, pin: card.pin }, extras);
}

/**
 * Default accounts, named by card id. Balances in fen. MAG_BAD_LUHN has no account: its PAN
 * fails Luhn, which the host answers 14 before any lookup.
 */
export function defaultAccounts(): AccountInit[] {
  return [
    account(MAG_DEBIT, { balance: 10000000 }),
    account(MAG_DEBIT_TRACK3, { balance: 10000000 }),
    account(MAG_EXPIRED, { balance: 500000, status: "expired" }),
    account(CHIP_DEBIT, { balance: 10000000 }),
    account(CHIP_CREDIT, { balance: 2000000, cardType: "credit" }),
    account(HOST_CARDS.lowBalance, { balance: 1000 }),
    account(HOST_CARDS.frozen, { balance: 500000, status: "frozen" }),
    account(HOST_CARDS.notActivated, { balance: 0, status: "not-activated" }),
    account(HOST_CARDS.lost, { balance: 500000, status: "lost" }),
    account(HOST_CARDS.stolen, { balance: 500000, status: "stolen" }),
    account(HOST_CARDS.dailyLimit, { balance: 10000000, dailyLimit: 50000 }),
    account(HOST_CARDS.frequency, { balance: 10000000, dailyCount: 2 }),
    account(HOST_CARDS.noPin, { balance: 10000000, pinRequired: false }),
  ];
}
