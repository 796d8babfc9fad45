/**
 * Model of an EMV (PBOC / UnionPay) contact chip card: answers to reset, and answers SELECT
 * (PPSE and AID), GET PROCESSING OPTIONS, READ RECORD, GENERATE AC and GET RESPONSE with
 * TLV structured like a real card's (FCI 6F/A5/BF0C, GPO 77 or 80, records 70, GEN AC 77 or
 * 80), from a TestCard's chip spec. Faults: a mute card (no ATR), T=0 behaviour (61xx / 6Cxx),
 * no PPSE, malformed TLV in one chosen response, a blocked application, a GPO refusal, an
 * offline decline (AAC). The application cryptogram is a made-up checksum, not a real MAC.
 * ES5-safe: arrays of numbers, no Map/Set.
 */
import type { TestCard, ChipApp } from "./test-cards";

export interface ChipCardOptions {
  /** The card gives no ATR. */
  mute?: boolean;
  /** Behave like a T=0 card: case-4 commands answer 61xx, a wrong Le answers 6Cxx. */
  t0?: boolean;
  /** No PPSE on the card (SELECT 2PAY.SYS.DDF01 answers 6A82). */
  noPpse?: boolean;
  /** One response carries malformed TLV. */
  badTlv?: "ppse" | "fci" | "gpo" | "record" | "genac";
  /** Every application is blocked (SELECT AID answers 6283). */
  blocked?: boolean;
  /** GET PROCESSING OPTIONS answers this status word (e.g. 0x6985). */
  gpoSw?: number;
  /** GENERATE AC answers an AAC (offline decline). */
  decline?: boolean;
}

export function hexBytes(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) out.push(parseInt(hex.substr(i, 2), 16));
  return out;
}

export function bytesHex(b: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16).toUpperCase();
  return s;
}

/** One BER-TLV: tag (hex) + length + value. */
export function tlv(tagHex: string, value: number[]): number[] {
  const out = hexBytes(tagHex);
  const n = value.length;
  if (n >= 0x100) out.push(0x82, n >> 8, n & 0xff);
  else if (n >= 0x80) out.push(0x81, n);
  else out.push(n);
  for (let i = 0; i < n; i++) out.push(value[i]);
  return out;
}

function cat(parts: number[][]): number[] {
  let out: number[] = [];
  for (let i = 0; i < parts.length; i++) out = out.concat(parts[i]);
  return out;
}

/** Sum of the lengths a DOL (hex) asks for. */
export function dolLength(dolHex: string): number {
  const d = hexBytes(dolHex);
  let i = 0;
  let total = 0;
  while (i < d.length) {
    if ((d[i] & 0x1f) === 0x1f) {
      i++;
      while (d[i] & 0x80) i++;
    }
    i++;
    total += d[i++];
  }
  return total;
}

const PPSE_HEX = "325041592E5359532E4444463031";
const SW_OK = [0x90, 0x00];

function sw(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

/** Make a TLV's length byte claim more than there is (the second byte, short form). */
function breakLength(t: number[], extra: number): number[] {
  const out = t.slice(0);
  const lenPos = (out[0] & 0x1f) === 0x1f ? 2 : 1;
  out[lenPos] += extra;
  return out;
}

export class ChipCard {
  readonly card: TestCard;
  readonly opts: ChipCardOptions;
  /** Application transaction counter, advanced by each GENERATE AC. */
  atc = 0x0010;
  /** Every C-APDU received since power-on, hex (for assertions). */
  commands: string[] = [];
  private selected: ChipApp | null = null;
  private pending: number[] | null = null;

  constructor(card: TestCard, opts?: ChipCardOptions) {
    if (!card.chip) throw new Error("test card " + card.id + " has no chip");
    this.card = card;
    this.opts = opts || {};
  }

  /** Cold reset: the ATR, or null when the card is mute. */
  powerOn(): number[] | null {
    this.selected = null;
    this.pending = null;
    this.commands = [];
    if (this.opts.mute) return null;
    return hexBytes(this.card.chip!.atr);
  }

  /** One C-APDU in, R-APDU (data + SW1 SW2) out. */
  apdu(c: number[]): number[] {
    this.commands.push(bytesHex(c));
    if (c.length < 4) return sw(0x6700);
    const cla = c[0];
    const ins = c[1];
    let data: number[] = [];
    let le = -1;
    if (c.length === 5) le = c[4];
    else if (c.length > 5) {
      const lc = c[4];
      if (c.length !== 5 + lc && c.length !== 6 + lc) return sw(0x6700);
      data = c.slice(5, 5 + lc);
      if (c.length === 6 + lc) le = c[5 + lc];
    }
    if (ins === 0xc0 && cla === 0x00) return this.getResponse(le);
    this.pending = null;
    if (ins === 0xa4 && cla === 0x00 && c[2] === 0x04) return this.case4(this.select(data));
    if (ins === 0xa8 && cla === 0x80) return this.case4(this.gpo(data));
    if (ins === 0xae && cla === 0x80) return this.case4(this.generateAc(c[2], data));
    if (ins === 0xb2 && cla === 0x00) return this.readRecord(c[2], c[3], le);
    return sw(0x6d00);
  }

  /** T=0 cards hand case-4 answers out through GET RESPONSE. */
  private case4(r: number[]): number[] {
    if (!this.opts.t0 || r.length <= 2) return r;
    this.pending = r;
    return [0x61, r.length - 2];
  }

  private getResponse(le: number): number[] {
    const p = this.pending;
    if (!p) return sw(0x6985);
    const n = p.length - 2;
    if (le !== n) return [0x6c, n];
    this.pending = null;
    return p;
  }

  private select(name: number[]): number[] {
    const hex = bytesHex(name);
    if (hex === PPSE_HEX) {
      if (this.opts.noPpse) return sw(0x6a82);
      const entries: number[][] = [];
      const apps = this.card.chip!.apps;
      for (let i = 0; i < apps.length; i++) {
        const a = apps[i];
        entries.push(
          tlv("61", cat([tlv("4F", hexBytes(a.aid)), tlv("50", asciiBytes(a.label)), a.priority ? tlv("87", [a.priority]) : []])),
        );
      }
      let bf0c = tlv("BF0C", cat(entries));
      if (this.opts.badTlv === "ppse") bf0c = breakLength(bf0c, 9);
      return tlv("6F", cat([tlv("84", name), tlv("A5", bf0c)])).concat(SW_OK);
    }
    const apps = this.card.chip!.apps;
    for (let i = 0; i < apps.length; i++) {
      const a = apps[i];
      if (hex.length >= 10 && a.aid.indexOf(hex) === 0) {
        if (this.opts.blocked) return sw(0x6283);
        this.selected = a;
        let a5 = tlv(
          "A5",
          cat([
            tlv("50", asciiBytes(a.label)),
            a.priority ? tlv("87", [a.priority]) : [],
            a.pdol ? tlv("9F38", hexBytes(a.pdol)) : [],
            tlv("5F2D", asciiBytes("zhen")),
            tlv("9F11", [0x01]),
            tlv("9F12", asciiBytes(a.label)),
            tlv("BF0C", tlv("9F4D", [0x0b, 0x0a])),
          ]),
        );
        if (this.opts.badTlv === "fci") a5 = breakLength(a5, 40);
        return tlv("6F", cat([tlv("84", hexBytes(a.aid)), a5])).concat(SW_OK);
      }
    }
    return sw(0x6a82);
  }

  private afl(a: ChipApp): number[] {
    const out: number[] = [];
    for (let i = 0; i < a.records.length; i++) {
      const r = a.records[i];
      out.push(r.sfi << 3, r.rec, r.rec, r.sfi === 2 ? 1 : 0);
    }
    return out;
  }

  private gpo(data: number[]): number[] {
    const a = this.selected;
    if (!a) return sw(0x6985);
    const want = a.pdol ? dolLength(a.pdol) : 0;
    if (data.length < 2 || data[0] !== 0x83 || data[1] !== want || data.length !== 2 + want) return sw(0x6700);
    if (this.opts.gpoSw) return sw(this.opts.gpoSw);
    const aip = hexBytes(a.aip);
    const afl = this.afl(a);
    if (a.format1) return tlv("80", aip.concat(afl)).concat(SW_OK);
    let inner = cat([tlv("82", aip), tlv("94", afl)]);
    if (this.opts.badTlv === "gpo") inner = cat([tlv("82", aip), breakLength(tlv("94", afl), 30)]);
    return tlv("77", inner).concat(SW_OK);
  }

  private readRecord(rec: number, p2: number, le: number): number[] {
    const a = this.selected;
    if (!a) return sw(0x6985);
    if ((p2 & 0x07) !== 0x04) return sw(0x6a86);
    const sfi = p2 >> 3;
    for (let i = 0; i < a.records.length; i++) {
      const r = a.records[i];
      if (r.sfi !== sfi || r.rec !== rec) continue;
      const parts: number[][] = [];
      for (let k = 0; k < r.tags.length; k++) parts.push(tlv(r.tags[k][0], hexBytes(r.tags[k][1])));
      let body = tlv("70", cat(parts));
      if (this.opts.badTlv === "record" && i === 0) body = breakLength(body, 12);
      if (this.opts.t0 && le !== body.length) return [0x6c, body.length];
      return body.concat(SW_OK);
    }
    return sw(0x6a83);
  }

  private generateAc(p1: number, data: number[]): number[] {
    const a = this.selected;
    if (!a) return sw(0x6985);
    const cdol1 = this.findTag(a, "8C");
    if (!cdol1 || data.length !== dolLength(cdol1)) return sw(0x6700);
    this.atc++;
    const asked = p1 & 0xc0;
    // A card never returns more than asked: TC only when TC was asked for.
    const cid = this.opts.decline ? 0x00 : asked === 0x40 ? 0x40 : asked === 0x80 ? 0x80 : 0x00;
    const atc = [(this.atc >> 8) & 0xff, this.atc & 0xff];
    const ac = this.cryptogram(data, atc);
    const iad = hexBytes(a.iad);
    if (a.format1) return tlv("80", cat([[cid], atc, ac, iad])).concat(SW_OK);
    let body = tlv("77", cat([tlv("9F27", [cid]), tlv("9F36", atc), tlv("9F26", ac), tlv("9F10", iad)]));
    if (this.opts.badTlv === "genac") body = breakLength(body, 5);
    return body.concat(SW_OK);
  }

  /** A deterministic 8-byte checksum standing in for the ARQC (not a real MAC). */
  private cryptogram(data: number[], atc: number[]): number[] {
    const ac = [0x5a, 0xa5, 0x3c, 0xc3, 0x69, 0x96, 0x0f, 0xf0];
    const all = data.concat(atc);
    for (let i = 0; i < all.length; i++) {
      const k = i & 7;
      ac[k] = ((ac[k] * 31 + all[i] + i) & 0xff) ^ ac[(k + 3) & 7];
    }
    return ac;
  }

  private findTag(a: ChipApp, tag: string): string | undefined {
    for (let i = 0; i < a.records.length; i++) {
      const t = a.records[i].tags;
      for (let k = 0; k < t.length; k++) if (t[k][0] === tag) return t[k][1];
    }
    return undefined;
  }
}

function asciiBytes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0xff);
  return out;
}
