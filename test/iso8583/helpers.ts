// Test helpers for the ISO 8583 codec: build/read messages from plain strings, the message
// catalogue of PROTOCOL.md, and a reference UnionPay decoder written independently of the
// firmware codec (hex-string slicing, its own field list) for cross-checks.
import {
  FMT_AN,
  FMT_ANS,
  FMT_B,
  FMT_N,
  FMT_Z,
  fieldFormat,
  ISO_OK,
  isoErrorName,
  Message,
  pack,
  type FieldTable,
} from "../../firmware/txn/iso8583/index";
import type { Mac } from "../../firmware/txn/crypto/mac";

export const TPDU_HEADER = Buffer.from("6000030000" + "603100310000", "hex");
export const TERMINAL_ID = "12345678";
export const MERCHANT_ID = "898440358120001";

/** Field values as text: digits for n/z ('=' separator), characters for an/ans, hex for b. */
export type Fields = Record<number, string>;

export interface Sample {
  name: string;
  mti: number;
  fields: Fields;
  /** Packed with a MAC in field 64. */
  mac: boolean;
}

/** Set every field of `fields` on `msg` (cleared first); throws on a refused value (test bug). */
export function fill(msg: Message, mti: number, fields: Fields): Message {
  msg.clear();
  msg.head.set(TPDU_HEADER.subarray(0, msg.head.length));
  msg.mti = mti;
  for (const key of Object.keys(fields)) {
    const f = Number(key);
    const v = fields[f];
    const fmt = fieldFormat(msg.table, f);
    let e: number;
    if (fmt === FMT_N || fmt === FMT_Z) e = msg.setDigits(f, Buffer.from(v, "latin1"), 0, v.length);
    else if (fmt === FMT_B) {
      const b = Buffer.from(v, "hex");
      e = msg.setBytes(f, b, 0, b.length);
    } else e = msg.setText(f, v);
    if (e !== ISO_OK) throw new Error(`field ${f} = ${v}: ${isoErrorName(e)}`);
  }
  return msg;
}

/** A field's value as text, in the same convention as `Fields`. */
export function read(msg: Message, f: number): string | undefined {
  if (!msg.has(f)) return undefined;
  const fmt = fieldFormat(msg.table, f);
  const out = new Uint8Array(1024);
  if (fmt === FMT_N || fmt === FMT_Z) return Buffer.from(out.subarray(0, msg.getDigits(f, out, 0))).toString("latin1");
  const n = msg.getBytes(f, out, 0);
  const b = Buffer.from(out.subarray(0, n));
  return fmt === FMT_B ? b.toString("hex").toUpperCase() : b.toString("latin1");
}

/** All present fields of a message as text. */
export function readAll(msg: Message): Fields {
  const r: Fields = {};
  for (let f = 2; f <= 128; f++) {
    const v = read(msg, f);
    if (v !== undefined) r[f] = v;
  }
  return r;
}

export function isText(fmt: number): boolean {
  return fmt === FMT_AN || fmt === FMT_ANS;
}

const PAN = "6222021234567890123";
const TRACK2 = "6222021234567890123=25122011234567890";
const TRACK3 = "996222021234567890123=1561560000000000000003000000214000025120=000000000000=000000000000=000000000";
const ICC = "9F2608A1B2C3D4E5F607189F2701809F101307010103A0A000010A010000000000ABCDEF129F37045A3B2C1D";

/** Every request/reply pair of PROTOCOL.md's message table, with the fields a real one carries. */
export function samples(): Sample[] {
  const common = { 41: TERMINAL_ID, 42: MERCHANT_ID };
  return [
    { name: "sign-in 0800", mti: 800, mac: false, fields: { 11: "000001", ...common, 60: "00000001004", 63: "001" } },
    {
      name: "sign-in reply 0810",
      mti: 810,
      mac: false,
      fields: {
        11: "000001",
        12: "093015",
        13: "0612",
        32: "00010344",
        37: "093015123456",
        39: "00",
        ...common,
        60: "00000002004",
        62: "0123456789ABCDEFFEDCBA98765432100A0B0C0D1122334455667788000000000000000099AABBCC",
      },
    },
    {
      name: "sale 0200 (swipe + PIN)",
      mti: 200,
      mac: true,
      fields: {
        2: PAN,
        3: "000000",
        4: "000000012345",
        11: "000042",
        14: "2512",
        22: "021",
        25: "00",
        26: "12",
        35: TRACK2,
        36: TRACK3,
        ...common,
        49: "156",
        52: "0412AC89ABCDEF67",
        53: "2600000000000000",
        60: "22000002000",
      },
    },
    {
      name: "sale 0200 (chip)",
      mti: 200,
      mac: true,
      fields: {
        2: PAN,
        3: "000000",
        4: "000000000100",
        11: "000043",
        14: "2512",
        22: "051",
        23: "001",
        25: "00",
        35: TRACK2,
        ...common,
        49: "156",
        55: ICC,
        60: "22000002000501",
      },
    },
    {
      name: "sale reply 0210",
      mti: 210,
      mac: true,
      fields: {
        2: PAN,
        3: "000000",
        4: "000000012345",
        11: "000042",
        12: "101112",
        13: "0612",
        14: "2512",
        15: "0613",
        25: "00",
        32: "00010344",
        37: "101112654321",
        38: "A1B2C3",
        39: "00",
        ...common,
        44: "03080000   03010000   ",
        49: "156",
        53: "2600000000000000",
        60: "22000002000",
        63: "CUP\xd6\xd0\xb9\xfa\xd2\xf8\xd0\xd0",
      },
    },
    {
      name: "void 0200",
      mti: 200,
      mac: true,
      fields: {
        2: PAN,
        3: "200000",
        4: "000000012345",
        11: "000044",
        14: "2512",
        22: "021",
        25: "00",
        35: TRACK2,
        37: "101112654321",
        38: "A1B2C3",
        ...common,
        49: "156",
        60: "23000002000",
        61: "000002000042",
      },
    },
    {
      name: "void reply 0210",
      mti: 210,
      mac: true,
      fields: { 2: PAN, 3: "200000", 4: "000000012345", 11: "000044", 37: "101112654322", 39: "00", ...common, 60: "23000002" },
    },
    {
      name: "refund 0220",
      mti: 220,
      mac: true,
      fields: {
        2: PAN,
        3: "200000",
        4: "000000005000",
        11: "000045",
        22: "021",
        25: "00",
        37: "101112654321",
        ...common,
        49: "156",
        60: "25000002000",
        61: "0000020000420612",
        63: "000",
      },
    },
    {
      name: "refund reply 0230",
      mti: 230,
      mac: true,
      fields: { 3: "200000", 4: "000000005000", 11: "000045", 37: "101112654323", 39: "00", ...common, 60: "25000002" },
    },
    {
      name: "balance inquiry 0200",
      mti: 200,
      mac: true,
      fields: { 2: PAN, 3: "310000", 11: "000046", 22: "021", 25: "00", 35: TRACK2, ...common, 49: "156", 52: "1122334455667788", 60: "01000002000" },
    },
    {
      name: "balance reply 0210",
      mti: 210,
      mac: true,
      fields: { 2: PAN, 3: "310000", 11: "000046", 37: "101112654324", 39: "00", ...common, 54: "1002156C000000123456", 60: "01000002" },
    },
    {
      name: "pre-authorisation 0100",
      mti: 100,
      mac: true,
      fields: { 2: PAN, 3: "030000", 4: "000000100000", 11: "000047", 22: "021", 25: "06", 35: TRACK2, ...common, 49: "156", 60: "10000002000" },
    },
    {
      name: "pre-auth reply 0110",
      mti: 110,
      mac: true,
      fields: { 2: PAN, 3: "030000", 4: "000000100000", 11: "000047", 37: "101112654325", 38: "654321", 39: "00", ...common, 60: "10000002" },
    },
    {
      name: "reversal 0400",
      mti: 400,
      mac: true,
      fields: { 2: PAN, 3: "000000", 4: "000000012345", 11: "000042", 14: "2512", 22: "021", 25: "00", 38: "A1B2C3", 39: "98", ...common, 49: "156", 60: "22000002000" },
    },
    {
      name: "reversal reply 0410",
      mti: 410,
      mac: true,
      fields: { 2: PAN, 3: "000000", 4: "000000012345", 11: "000042", 37: "101112654326", 39: "25", ...common, 60: "22000002" },
    },
    {
      name: "settlement 0500",
      mti: 500,
      mac: false,
      fields: {
        11: "000048",
        ...common,
        48: "000000112345003000000005000001" + "0" + "000000000000000000000000000000" + "0",
        49: "156",
        60: "00000002201",
        63: "001",
      },
    },
    {
      name: "settlement reply 0510",
      mti: 510,
      mac: false,
      fields: {
        11: "000048",
        12: "235959",
        13: "0612",
        15: "0613",
        37: "235959000001",
        39: "00",
        ...common,
        48: "000000112345003000000005000001" + "2" + "000000000000000000000000000000" + "1",
        49: "156",
        60: "00000002201",
      },
    },
    {
      name: "batch upload 0320",
      mti: 320,
      mac: false,
      fields: { 2: PAN, 3: "000000", 4: "000000012345", 11: "000049", 22: "021", 37: "101112654321", 38: "A1B2C3", ...common, 49: "156", 60: "00000002201", 63: "001" },
    },
    {
      name: "batch upload reply 0330",
      mti: 330,
      mac: false,
      fields: { 11: "000049", 39: "00", ...common, 60: "00000002201" },
    },
    { name: "sign-off 0820", mti: 820, mac: false, fields: { 11: "000050", ...common, 60: "00000002002" } },
  ];
}

/**
 * Reference decoder for the UnionPay profile, independent of the firmware codec: its own field
 * list (from PROTOCOL.md) and hex-string slicing. Returns the fields as text (Fields convention).
 */
const REF: Record<number, [string, string, number]> = {
  2: ["n", "LL", 19], 3: ["n", "", 6], 4: ["n", "", 12], 11: ["n", "", 6], 12: ["n", "", 6],
  13: ["n", "", 4], 14: ["n", "", 4], 15: ["n", "", 4], 22: ["nL", "", 3], 23: ["n", "", 3],
  25: ["n", "", 2], 26: ["n", "", 2], 32: ["n", "LL", 11], 35: ["z", "LL", 37], 36: ["z", "LLL", 104],
  37: ["a", "", 12], 38: ["a", "", 6], 39: ["a", "", 2], 41: ["a", "", 8], 42: ["a", "", 15],
  44: ["a", "LL", 25], 48: ["n", "LLL", 322], 49: ["a", "", 3], 52: ["b", "", 8], 53: ["n", "", 16],
  54: ["a", "LLL", 20], 55: ["b", "LLL", 255], 58: ["b", "LLL", 100], 60: ["n", "LLL", 17],
  61: ["n", "LLL", 29], 62: ["b", "LLL", 512], 63: ["a", "LLL", 163], 64: ["b", "", 8],
};

export function referenceDecode(wire: Buffer): { mti: string; head: string; fields: Fields } {
  const hex = wire.toString("hex").toUpperCase();
  let p = 4; // hex chars; skip the length
  const head = hex.slice(p, p + 22);
  p += 22;
  const mti = hex.slice(p, p + 4);
  p += 4;
  let bits = "";
  const mapHex = hex.slice(p, p + 16);
  for (const ch of mapHex) bits += parseInt(ch, 16).toString(2).padStart(4, "0");
  p += 16;
  if (bits[0] === "1") {
    for (const ch of hex.slice(p, p + 16)) bits += parseInt(ch, 16).toString(2).padStart(4, "0");
    p += 16;
  }
  const fields: Fields = {};
  for (let i = 1; i < bits.length; i++) {
    if (bits[i] !== "1") continue;
    const f = i + 1;
    const [type, var_, max] = REF[f];
    let n = max;
    if (var_ === "LL") {
      n = Number(hex.slice(p, p + 2));
      p += 2;
    } else if (var_ === "LLL") {
      n = Number(hex.slice(p, p + 4));
      p += 4;
    }
    if (type === "n" || type === "nL" || type === "z") {
      const chars = n % 2 ? n + 1 : n;
      let s = hex.slice(p, p + chars);
      p += chars;
      const left = type !== "n" || var_ !== "";
      if (n % 2) s = left ? s.slice(0, n) : s.slice(1);
      fields[f] = type === "z" ? s.replace(/D/g, "=") : s;
    } else if (type === "b") {
      fields[f] = hex.slice(p, p + 2 * n);
      p += 2 * n;
    } else {
      fields[f] = Buffer.from(hex.slice(p, p + 2 * n), "hex").toString("latin1");
      p += 2 * n;
    }
  }
  if (p !== hex.length) throw new Error("reference decoder: trailing data");
  return { mti, head, fields };
}

/** Reference encoder (the inverse of referenceDecode) for building wire replies by hand. */
export function referenceEncode(mti: string, fields: Fields, head = TPDU_HEADER.toString("hex")): Buffer {
  const present = Object.keys(fields).map(Number).sort((a, b) => a - b);
  const secondary = present.some((f) => f > 64);
  const bits = new Array(secondary ? 128 : 64).fill("0");
  if (secondary) bits[0] = "1";
  for (const f of present) bits[f - 1] = "1";
  let map = "";
  for (let i = 0; i < bits.length; i += 4) map += parseInt(bits.slice(i, i + 4).join(""), 2).toString(16);
  let body = mti + map;
  for (const f of present) {
    const [type, var_] = REF[f];
    const v = fields[f];
    let data: string;
    let n: number;
    if (type === "n" || type === "nL" || type === "z") {
      const digits = type === "z" ? v.replace(/=/g, "D") : v;
      n = digits.length;
      const left = type !== "n" || var_ !== "";
      data = n % 2 ? (left ? digits + "0" : "0" + digits) : digits;
    } else if (type === "b") {
      data = v;
      n = v.length / 2;
    } else {
      data = Buffer.from(v, "latin1").toString("hex");
      n = v.length;
    }
    if (var_ === "LL") body += String(n).padStart(2, "0");
    if (var_ === "LLL") body += String(n).padStart(4, "0");
    body += data;
  }
  const payload = Buffer.from(head + body, "hex");
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length);
  return Buffer.concat([len, payload]);
}

/** Every sample packed, with and without MAC (`mac`), with the STAN and terminal id of the request. */
export function packedSamples(table: FieldTable, mac: Mac): Buffer[] {
  const out: Buffer[] = [];
  const m = new Message(table, 1024);
  for (const s of samples()) {
    for (const withMac of [true, false]) {
      fill(m, s.mti, { ...s.fields, 11: "000042", 41: TERMINAL_ID });
      const buf = new Uint8Array(2048);
      const e = pack(m, buf, withMac ? mac : null);
      if (e !== ISO_OK) throw new Error(`${s.name}: pack failed ${isoErrorName(e)}`);
      out.push(Buffer.from(buf.subarray(0, m.packedLength)));
    }
  }
  return out;
}
