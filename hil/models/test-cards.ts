/**
 * Named test cards shared by the reader models (msr-module.ts, chip-card.ts), the acquirer host
 * simulator and the scenarios. All PANs are made-up UnionPay-style (62xxxx) numbers with valid
 * Luhn check digits unless the card exists to fail Luhn; none is a real account.
 * Expiry is YYMM; `pin` is what the host simulator accepts for the card.
 * Chip cards carry their EMV data as the records a PBOC/UnionPay debit or credit application
 * would hold (tags as hex strings, values as hex strings); ChipCard turns them into TLV.
 * ES5-safe: plain objects and string helpers, built once at load.
 */

export interface ChipRecord {
  sfi: number;
  rec: number;
  /** [tag hex, value hex] in record order. */
  tags: string[][];
}

export interface ChipApp {
  aid: string;
  label: string;
  /** Application priority indicator (87), 1 = highest; 0 = none. */
  priority: number;
  /** PDOL (9F38) as a DOL in hex, or absent. */
  pdol?: string;
  /** AIP (82), hex. */
  aip: string;
  /** Answer GPO and GENERATE AC in format 1 (tag 80) instead of format 2 (tag 77). */
  format1?: boolean;
  records: ChipRecord[];
  /** Issuer application data (9F10) returned by GENERATE AC, hex. */
  iad: string;
}

export interface ChipSpec {
  /** Answer to reset, hex. */
  atr: string;
  apps: ChipApp[];
}

export interface TestCard {
  id: string;
  pan: string;
  /** Cardholder name as on track 1 ("SURNAME/GIVEN"). */
  name: string;
  /** YYMM. */
  expiry: string;
  serviceCode: string;
  pin: string;
  /** PAN sequence number (chip 5F34). */
  panSeq?: number;
  /** Discretionary data of track 1 / track 2. */
  disc1?: string;
  disc2?: string;
  /** Raw track 3 data (digits and '='), when the stripe has one. */
  track3?: string;
  /** Raw track 1 / track 2 data overriding what the fields above give (odd cards). */
  track1?: string;
  track2?: string;
  chip?: ChipSpec;
}

/** Track 1 data (no sentinels): B PAN ^ NAME ^ YYMM SVC discretionary. */
export function track1Of(c: TestCard): string {
  if (c.track1 !== undefined) return c.track1;
  return "B" + c.pan + "^" + c.name + "^" + c.expiry + c.serviceCode + (c.disc1 !== undefined ? c.disc1 : "000000000000");
}

/** Track 2 data (no sentinels): PAN = YYMM SVC discretionary. */
export function track2Of(c: TestCard): string {
  if (c.track2 !== undefined) return c.track2;
  return c.pan + "=" + c.expiry + c.serviceCode + (c.disc2 !== undefined ? c.disc2 : "00000000");
}

function hexAscii(s: string): string {
  let h = "";
  for (let i = 0; i < s.length; i++) {
    const x = s.charCodeAt(i).toString(16);
    h += x.length < 2 ? "0" + x : x;
  }
  return h.toUpperCase();
}

function fPad(s: string): string {
  return s.length % 2 ? s + "F" : s;
}

function twoDigits(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

// PBOC 3.0 style data objects lists and action codes.
const CDOL1 = "9F02069F03069F1A0295055F2A029A039C019F37049F21039F4E14";
const CDOL2 = "8A029F02069F03069F1A0295055F2A029A039C019F37049F21039F4E14";

interface AppParams {
  aid: string;
  label: string;
  priority: number;
  pdol?: string;
  format1?: boolean;
}

/** The records a UnionPay debit/credit application holds for card `c`. */
function unionPayApp(c: TestCard, p: AppParams): ChipApp {
  const t2eq = fPad(c.pan + "D" + c.expiry + c.serviceCode + (c.disc2 !== undefined ? c.disc2 : "00000000"));
  const seq = c.panSeq !== undefined ? c.panSeq : 0;
  return {
    aid: p.aid,
    label: p.label,
    priority: p.priority,
    pdol: p.pdol,
    aip: "7C00",
    format1: p.format1,
    records: [
      {
        sfi: 1,
        rec: 1,
        tags: [
          ["57", t2eq],
          ["5F20", hexAscii(c.name)],
          ["9F1F", hexAscii("000000000000")],
        ],
      },
      {
        sfi: 2,
        rec: 1,
        tags: [
          ["5A", fPad(c.pan)],
          ["5F24", c.expiry + "31"],
          ["5F25", "200101"],
          ["5F28", "0156"],
          ["5F34", twoDigits(seq)],
          ["9F07", "FF00"],
          ["8E", "000000000000000042031E031F00"],
          ["9F0D", "D86004A800"],
          ["9F0E", "0010980000"],
          ["9F0F", "D86804F800"],
          ["8C", CDOL1],
          ["8D", CDOL2],
        ],
      },
      {
        sfi: 3,
        rec: 1,
        tags: [
          ["9F08", "0030"],
          ["5F30", "0" + c.serviceCode],
          ["9F42", "0156"],
          ["9F44", "02"],
          ["9F4A", "82"],
        ],
      },
    ],
    iad: "07010103A0A000010A010000000000" + "5A1B6C3E",
  };
}

const PBOC_ATR = "3B6800000073C84013009000";
const UP_DEBIT = "A000000333010101";
const UP_CREDIT = "A000000333010102";

/** Magnetic-stripe-only UnionPay debit card, 16-digit PAN, tracks 1 and 2. */
export const MAG_DEBIT: TestCard = {
  id: "mag-debit",
  pan: "6222021000009873",
  name: "ZHANG/SAN",
  expiry: "3012",
  serviceCode: "101",
  pin: "123456",
  disc2: "12345678",
};

/** Magnetic-stripe debit card, 19-digit PAN, with a track 3 (ISO 4909 style). */
export const MAG_DEBIT_TRACK3: TestCard = {
  id: "mag-debit-track3",
  pan: "6228480000000000018",
  name: "LI/SI",
  expiry: "2908",
  serviceCode: "120",
  pin: "888888",
  disc2: "0000000",
  track3: "996228480000000000018=1561560000000000000003000000114000029080=000000000000=000000000000=00000000",
};

/** Expired magnetic-stripe card (the reader accepts it; the engine or host refuses it). */
export const MAG_EXPIRED: TestCard = {
  id: "mag-expired",
  pan: "6222021000001235",
  name: "WANG/WU",
  expiry: "2001",
  serviceCode: "101",
  pin: "123456",
};

/** A stripe whose PAN fails the Luhn check (last digit off by one). */
export const MAG_BAD_LUHN: TestCard = {
  id: "mag-bad-luhn",
  pan: "6222021000009874",
  name: "ZHAO/LIU",
  expiry: "3012",
  serviceCode: "101",
  pin: "123456",
};

const CHIP_DEBIT_BASE: TestCard = {
  id: "chip-debit",
  pan: "6214830000000012341",
  name: "CHEN/QI",
  expiry: "3106",
  serviceCode: "201",
  pin: "147258",
  panSeq: 1,
  disc2: "00000000",
};

/** UnionPay chip debit card (service code 201: swipe must say "use chip"), PDOL present. */
export const CHIP_DEBIT: TestCard = {
  id: CHIP_DEBIT_BASE.id,
  pan: CHIP_DEBIT_BASE.pan,
  name: CHIP_DEBIT_BASE.name,
  expiry: CHIP_DEBIT_BASE.expiry,
  serviceCode: CHIP_DEBIT_BASE.serviceCode,
  pin: CHIP_DEBIT_BASE.pin,
  panSeq: CHIP_DEBIT_BASE.panSeq,
  disc2: CHIP_DEBIT_BASE.disc2,
  chip: {
    atr: PBOC_ATR,
    apps: [unionPayApp(CHIP_DEBIT_BASE, { aid: UP_DEBIT, label: "UnionPay Debit", priority: 1, pdol: "9F7A019F02065F2A02" })],
  },
};

const CHIP_CREDIT_BASE: TestCard = {
  id: "chip-credit",
  pan: "6225880000001116",
  name: "SUN/BA",
  expiry: "2811",
  serviceCode: "220",
  pin: "000000",
  panSeq: 0,
  disc2: "0000000",
};

/**
 * UnionPay chip card with two applications: credit (priority 1) and debit (priority 2); no
 * PDOL; answers in format 1 (tag 80).
 */
export const CHIP_CREDIT: TestCard = {
  id: CHIP_CREDIT_BASE.id,
  pan: CHIP_CREDIT_BASE.pan,
  name: CHIP_CREDIT_BASE.name,
  expiry: CHIP_CREDIT_BASE.expiry,
  serviceCode: CHIP_CREDIT_BASE.serviceCode,
  pin: CHIP_CREDIT_BASE.pin,
  panSeq: CHIP_CREDIT_BASE.panSeq,
  disc2: CHIP_CREDIT_BASE.disc2,
  chip: {
    atr: "3B6D000080318065B08901020E83009000",
    apps: [
      unionPayApp(CHIP_CREDIT_BASE, { aid: UP_DEBIT, label: "UnionPay Debit", priority: 2, format1: true }),
      unionPayApp(CHIP_CREDIT_BASE, { aid: UP_CREDIT, label: "UnionPay Credit", priority: 1, format1: true }),
    ],
  },
};

export const TEST_CARDS: TestCard[] = [MAG_DEBIT, MAG_DEBIT_TRACK3, MAG_EXPIRED, MAG_BAD_LUHN, CHIP_DEBIT, CHIP_CREDIT];

/** A test card by id, or undefined. */
export function testCard(id: string): TestCard | undefined {
  for (let i = 0; i < TEST_CARDS.length; i++) if (TEST_CARDS[i].id === id) return TEST_CARDS[i];
  return undefined;
}
