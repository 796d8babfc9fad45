/**
 * One request body in, one reply out: decode, check the terminal and its MAC, run the ledger,
 * build and MAC the reply. No sockets here (hil/host/server.ts), no faults beyond the two
 * hooks the server passes in (forced code, reply mutation).
 *
 * Checks, in order: decodable (else 30) -> field 41 present (30) -> known terminal (97) ->
 * merchant matches (03) -> MAC (A0; also A0 with "sign in again" in the header when the host
 * holds no working keys for the terminal) -> per message: required fields (30), batch in 60.2
 * is the host's open batch (77), STAN not used before in this batch (94), then the ledger.
 *
 * MAC: required on 0100/0200/0220/0400, verified whenever field 64 is present. A reply carries
 * field 64 when the request did and the host holds a MAC key for the terminal.
 */
import {
  CodecError,
  decodeBody,
  encodeBody,
  encodeBodyWithMac,
  replyMti,
  str,
  bin,
  swapTpdu,
  withProcessingRequirement,
  type FieldValue,
  type IsoMessage,
  type PartialMessage,
} from "./codec";
import { randomBytes } from "node:crypto";
import { ecbDecrypt, parsePinBlockFormat0, unionPayMac, withOddParity, wrapWorkingKeys } from "./crypto";
import { Ledger, type PinInput, type Totals, type TxnKind, type TxnRequest, type TxnResult, type UploadItem } from "./ledger";
import { TerminalRegistry, type TerminalSession } from "./terminals";
import { localTime } from "./time";

export interface HandlerOptions {
  ledger: Ledger;
  terminals: TerminalRegistry;
  now?: () => Date;
  utcOffsetMinutes?: number;
  /** Random bytes for working keys (tests may make them deterministic). */
  rng?: (n: number) => Buffer;
  /** Field 32, acquiring institution id (n..11). */
  acquirerId?: string;
}

export interface HandleOptions {
  /** Answer with this code without touching the ledger (faults 'code', 'reversal-not-acked'). */
  forceCode?: string;
  /** Change the reply before it is encoded and MACed (faults 'wrong-stan', 'sign-in-again'). */
  mutateReply?: (reply: IsoMessage) => void;
}

/** What kind of request a message is, from MTI, processing code and 60.1 / 60.3. */
export type Operation =
  | "sign-in"
  | "sign-off"
  | "echo"
  | "sale"
  | "void"
  | "refund"
  | "balance"
  | "preauth"
  | "preauth-complete"
  | "preauth-void"
  | "reversal"
  | "settle"
  | "upload"
  | "upload-close"
  | "unsupported";

export interface HandleResult {
  /** Undefined when the body could not be decoded. */
  request?: IsoMessage;
  operation: Operation;
  reply: IsoMessage;
  replyBody: Buffer;
  /** Why the host answered as it did, when it is not plain ledger logic (for the log). */
  note?: string;
}

const MAC_REQUIRED = ["0100", "0200", "0220", "0400"];
const FINANCIAL: Operation[] = ["sale", "void", "refund", "balance", "preauth", "preauth-complete", "preauth-void"];

export function operationOf(msg: IsoMessage): Operation {
  const proc = str(msg, 3) || "";
  const f60 = str(msg, 60) || "";
  const type = f60.slice(0, 2);
  const netCode = f60.slice(8, 11);
  switch (msg.mti) {
    case "0800":
      if (netCode === "001" || netCode === "003" || netCode === "004") return "sign-in";
      if (netCode === "301") return "echo";
      return "unsupported";
    case "0820":
      return "sign-off";
    case "0200":
      if (proc === "000000" && type === "22") return "sale";
      if (proc === "000000" && type === "20") return "preauth-complete";
      if (proc === "200000" && type === "23") return "void";
      if (proc === "310000") return "balance";
      return "unsupported";
    case "0100":
      if (proc === "030000" && type === "10") return "preauth";
      if (proc === "200000" && type === "11") return "preauth-void";
      return "unsupported";
    case "0220":
      if (proc === "200000" && type === "25") return "refund";
      return "unsupported";
    case "0400":
      return "reversal";
    case "0500":
      return "settle";
    case "0320":
      if (netCode === "201") return "upload";
      if (netCode === "202" || netCode === "207") return "upload-close";
      return "unsupported";
    default:
      return "unsupported";
  }
}

function kindOf(op: Operation): TxnKind {
  return op as TxnKind;
}

/** Field 48 of 0500: debit n12 + count n3 + credit n12 + count n3 [+ flag n1] (domestic, then foreign). */
function parseTotals(s: string, at: number): Totals {
  return {
    debitAmount: Number(s.slice(at, at + 12)),
    debitCount: Number(s.slice(at + 12, at + 15)),
    creditAmount: Number(s.slice(at + 15, at + 27)),
    creditCount: Number(s.slice(at + 27, at + 30)),
  };
}

export class RequestHandler {
  private readonly ledger: Ledger;
  private readonly terminals: TerminalRegistry;
  private readonly now: () => Date;
  private readonly utcOffset: number;
  private readonly rng: (n: number) => Buffer;
  private readonly acquirerId: string;

  constructor(options: HandlerOptions) {
    this.ledger = options.ledger;
    this.terminals = options.terminals;
    this.now = options.now || (() => new Date());
    this.utcOffset = options.utcOffsetMinutes === undefined ? 480 : options.utcOffsetMinutes;
    this.rng = options.rng || defaultRng;
    this.acquirerId = options.acquirerId || "01020000";
  }

  handle(body: Buffer, options: HandleOptions = {}): HandleResult {
    const partial: PartialMessage = { fields: {} };
    let req: IsoMessage;
    let macInput: Buffer | null;
    try {
      const d = decodeBody(body, partial);
      req = d.message;
      macInput = d.macInput;
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      return this.formatError(partial, e.message, options);
    }
    const op = operationOf(req);
    const terminalId = str(req, 41);
    if (terminalId === undefined) return this.finish(req, op, this.replyTo(req, "30"), undefined, false, options, "field 41 missing");
    const session = this.terminals.lookup(terminalId, str(req, 42));
    const wantsMac = req.fields[64] !== undefined;

    if (options.forceCode) return this.forced(req, op, session, wantsMac, options);
    if (!session) return this.finish(req, op, this.replyTo(req, "97"), undefined, false, options, "unknown terminal");
    if (str(req, 42) !== session.merchantId) return this.finish(req, op, this.replyTo(req, "03"), session, wantsMac, options, "merchant id mismatch");

    if (wantsMac || MAC_REQUIRED.indexOf(req.mti) >= 0) {
      if (!session.keys) {
        const reply = this.replyTo(req, "A0");
        reply.header = withProcessingRequirement(reply.header, 3);
        return this.finish(req, op, reply, session, false, options, "no working keys: sign in");
      }
      const expected = macInput ? unionPayMac(session.keys.macKey, macInput) : undefined;
      const got = bin(req, 64);
      if (!expected || !got || !expected.equals(got)) {
        return this.finish(req, op, this.replyTo(req, "A0"), session, wantsMac, options, got ? "MAC mismatch" : "MAC missing");
      }
    }

    switch (op) {
      case "sign-in":
        return this.signIn(req, session, options);
      case "sign-off":
        session.keys = undefined;
        return this.finish(req, op, this.replyTo(req, "00"), session, false, options);
      case "echo":
        return this.finish(req, op, this.replyTo(req, "00"), session, wantsMac, options);
      case "reversal":
        return this.reversal(req, session, wantsMac, options);
      case "settle":
        return this.settle(req, session, wantsMac, options);
      case "upload":
      case "upload-close":
        return this.upload(req, op, session, wantsMac, options);
      case "unsupported":
        return this.finish(req, op, this.replyTo(req, "12"), session, wantsMac, options, "unsupported MTI/processing code");
      default:
        return this.financial(req, op, session, wantsMac, options);
    }
  }

  // ---- message kinds ----

  private signIn(req: IsoMessage, session: TerminalSession, options: HandleOptions): HandleResult {
    const netCode = (str(req, 60) || "").slice(8, 11);
    const pinKey = withOddParity(this.rng(netCode === "001" ? 8 : 16));
    const macKey = withOddParity(this.rng(8));
    session.keys = { pinKey: pinKey, macKey: macKey };
    session.keyMode = netCode;
    session.signIns++;
    const reply = this.replyTo(req, "00");
    reply.fields[60] = "00" + this.ledger.currentBatch(session.terminalId) + netCode;
    reply.fields[62] = wrapWorkingKeys(session.tmk, session.keys);
    return this.finish(req, "sign-in", reply, session, false, options);
  }

  private financial(req: IsoMessage, op: Operation, session: TerminalSession, mac: boolean, options: HandleOptions): HandleResult {
    const parsed = this.txnRequest(req, session, op);
    if (typeof parsed === "string") return this.finish(req, op, this.replyTo(req, "30"), session, mac, options, parsed);
    const t = parsed;
    if (t.batch !== this.ledger.currentBatch(session.terminalId)) {
      const txn = this.ledger.recordDeclined(kindOf(op), t, "77");
      return this.finish(req, op, this.replyTo(req, "77", txn.rrn), session, mac, options, "batch " + t.batch + " is not the open batch");
    }
    if (this.ledger.stanUsed(session.terminalId, t.batch, t.stan)) {
      return this.finish(req, op, this.replyTo(req, "94"), session, mac, options, "duplicate STAN");
    }
    const f61 = str(req, 61) || "";
    const authCode = (str(req, 38) || "").trim();
    let result: TxnResult;
    switch (op) {
      case "sale":
        result = this.ledger.sale(t);
        break;
      case "preauth":
        result = this.ledger.preAuth(t);
        break;
      case "balance":
        result = this.ledger.balanceInquiry(t);
        break;
      case "void":
        result = this.ledger.voidSale(t, { batch: f61.slice(0, 6), stan: f61.slice(6, 12), rrn: str(req, 37) });
        break;
      case "refund":
        result = this.ledger.refund(t, { batch: f61.slice(0, 6), stan: f61.slice(6, 12), rrn: str(req, 37) });
        break;
      case "preauth-complete":
        result = this.ledger.preAuthComplete(t, authCode);
        break;
      default:
        result = this.ledger.preAuthVoid(t, authCode);
        break;
    }
    const reply = this.replyTo(req, result.code, result.txn ? result.txn.rrn : undefined);
    if (result.txn && result.code === "00" && result.txn.authCode) reply.fields[38] = result.txn.authCode;
    if (result.balance) {
      const acctType = result.balance.cardType === "credit" ? "30" : "10";
      const b = result.balance.available;
      reply.fields[54] = acctType + "02" + "156" + (b < 0 ? "D" : "C") + String(Math.abs(b)).padStart(12, "0");
    }
    if (result.code === "00") reply.fields[63] = "CUP";
    return this.finish(req, op, reply, session, mac, options);
  }

  private reversal(req: IsoMessage, session: TerminalSession, mac: boolean, options: HandleOptions): HandleResult {
    const stan = str(req, 11);
    if (!stan) return this.finish(req, "reversal", this.replyTo(req, "30"), session, mac, options, "field 11 missing");
    const amount = str(req, 4);
    const batch = (str(req, 60) || "").slice(2, 8);
    const r = this.ledger.reverse({
      terminalId: session.terminalId,
      stan: stan,
      amount: amount === undefined ? undefined : Number(amount),
      reason: str(req, 39) || "",
      batch: batch.length === 6 ? batch : undefined,
    });
    return this.finish(req, "reversal", this.replyTo(req, r.code, r.original ? r.original.rrn : undefined), session, mac, options);
  }

  private settle(req: IsoMessage, session: TerminalSession, mac: boolean, options: HandleOptions): HandleResult {
    const f60 = str(req, 60) || "";
    const f48 = str(req, 48);
    const batch = f60.slice(2, 8);
    if (!str(req, 11) || batch.length !== 6 || f48 === undefined || [30, 31, 61, 62].indexOf(f48.length) < 0) {
      return this.finish(req, "settle", this.replyTo(req, "30"), session, mac, options, "settlement needs 11, 60.2 and a 30/31/61/62-digit field 48");
    }
    const rec = this.ledger.batchRecord(session.terminalId, batch);
    const resettle = !!rec && rec.state !== "open";
    if (batch !== this.ledger.currentBatch(session.terminalId) && !resettle) {
      return this.finish(req, "settle", this.replyTo(req, "77"), session, mac, options, "batch " + batch + " is not the open batch");
    }
    const domestic = parseTotals(f48, 0);
    const foreign = f48.length >= 61 ? parseTotals(f48, 31) : { debitAmount: 0, debitCount: 0, creditAmount: 0, creditCount: 0 };
    const s = this.ledger.settle(session.terminalId, batch, domestic);
    const foreignOk = foreign.debitAmount === 0 && foreign.debitCount === 0 && foreign.creditAmount === 0 && foreign.creditCount === 0;
    const reply = this.replyTo(req, "00");
    reply.fields[48] = f48.slice(0, 30) + (s.balanced ? "1" : "2") + (f48.length >= 61 ? f48.slice(31, 61) : "0".repeat(30)) + (foreignOk ? "1" : "2");
    return this.finish(req, "settle", reply, session, mac, options, s.balanced ? "balanced" : "not balanced");
  }

  private upload(req: IsoMessage, op: Operation, session: TerminalSession, mac: boolean, options: HandleOptions): HandleResult {
    const batch = (str(req, 60) || "").slice(2, 8);
    const f48 = str(req, 48) || "";
    if (!str(req, 11) || batch.length !== 6) return this.finish(req, op, this.replyTo(req, "30"), session, mac, options, "batch upload needs 11 and 60.2");
    if (!this.ledger.canUpload(session.terminalId, batch)) {
      return this.finish(req, op, this.replyTo(req, "12"), session, mac, options, "batch " + batch + " is not awaiting upload");
    }
    if (op === "upload-close") {
      if (!/^[0-9]{1,4}$/.test(f48)) return this.finish(req, op, this.replyTo(req, "30"), session, mac, options, "closing 0320 needs a count in field 48");
      this.ledger.closeBatch(session.terminalId, batch, Number(f48));
      return this.finish(req, op, this.replyTo(req, "00"), session, mac, options, "batch closed");
    }
    const count = Number(f48.slice(0, 2));
    if (!/^[0-9]+$/.test(f48) || f48.length !== 2 + count * 40 || count < 1 || count > 8) {
      return this.finish(req, op, this.replyTo(req, "30"), session, mac, options, "field 48 must be NN + NN x 40 digits (NN 1..8)");
    }
    const items: UploadItem[] = [];
    for (let i = 0; i < count; i++) {
      const it = f48.slice(2 + i * 40, 2 + (i + 1) * 40);
      items.push({ org: it.slice(0, 2), stan: it.slice(2, 8), pan: it.slice(8, 28).replace(/^0+/, ""), amount: Number(it.slice(28, 40)) });
    }
    const checks = this.ledger.upload(session.terminalId, batch, items);
    const bad = checks.filter((c) => c.result !== "matched").length;
    return this.finish(req, op, this.replyTo(req, "00"), session, mac, options, count + " items, " + bad + " not matching the host");
  }

  private forced(req: IsoMessage, op: Operation, session: TerminalSession | undefined, wantsMac: boolean, options: HandleOptions): HandleResult {
    const code = options.forceCode as string;
    let rrn: string | undefined;
    if (session && FINANCIAL.indexOf(op) >= 0) {
      const parsed = this.txnRequest(req, session, op);
      if (typeof parsed !== "string") rrn = this.ledger.recordForced(kindOf(op), parsed, code).rrn;
    } else if (session && op === "reversal") {
      this.ledger.recordForcedReversal({ terminalId: session.terminalId, stan: str(req, 11) || "", reason: str(req, 39) || "" }, code);
    }
    return this.finish(req, op, this.replyTo(req, code, rrn), session, wantsMac, options, "forced code " + code);
  }

  private formatError(partial: PartialMessage, why: string, options: HandleOptions): HandleResult {
    const mti = partial.mti && /^[0-9]{2}[02468][0-9]$/.test(partial.mti) ? partial.mti : "0800";
    const req: IsoMessage = {
      tpdu: partial.tpdu || Buffer.from([0x60, 0, 0, 0, 0]),
      header: partial.header || Buffer.from([0x60, 0x31, 0x00, 0x31, 0x00, 0x00]),
      mti: mti,
      fields: partial.fields,
    };
    const reply = this.replyTo(req, "30");
    return this.finish(undefined, "unsupported", reply, undefined, false, options, "format error: " + why);
  }

  // ---- helpers ----

  /** Extracts what the ledger needs; returns a reason string for a format error. */
  private txnRequest(req: IsoMessage, session: TerminalSession, op: Operation): TxnRequest | string {
    const stan = str(req, 11);
    const f60 = str(req, 60) || "";
    if (!stan) return "field 11 missing";
    if (f60.length < 8) return "field 60 must carry 60.1 and 60.2";
    const needsAmount = op !== "balance" && op !== "preauth-void";
    const amount = str(req, 4);
    if (needsAmount && amount === undefined) return "field 4 missing";
    if ((op === "void" || op === "refund") && (str(req, 61) || "").length < 12) return "field 61 must carry original batch and STAN";
    if ((op === "preauth-complete" || op === "preauth-void") && !str(req, 38)) return "field 38 (original auth code) missing";
    const entry = str(req, 22);
    if (entry !== undefined && !/^(01|02|05|07|80|90|91|95|96|98)[012]$/.test(entry)) return "field 22 '" + entry + "' is not a POS entry mode";
    const track2 = str(req, 35);
    let pan = str(req, 2);
    let expiry = str(req, 14);
    if (track2 !== undefined) {
      const sep = track2.indexOf("=");
      if (sep < 13 || sep > 19) return "track 2 has no separator after a 13..19 digit PAN";
      const trackPan = track2.slice(0, sep);
      if (pan !== undefined && pan !== trackPan) return "field 2 differs from the track 2 PAN";
      pan = trackPan;
      if (expiry === undefined && track2.length >= sep + 5) expiry = track2.slice(sep + 1, sep + 5);
    }
    if (pan === undefined && op !== "preauth-void" && op !== "preauth-complete") return "no PAN (field 2 or 35)";
    let pin: PinInput = { kind: "none" };
    const block = bin(req, 52);
    if (block) {
      if (!session.keys || !pan) pin = { kind: "bad-block" };
      else {
        const p = parsePinBlockFormat0(ecbDecrypt(session.keys.pinKey, block), pan);
        pin = p.ok ? { kind: "clear", pin: p.pin } : { kind: "bad-block" };
      }
    }
    return {
      terminalId: session.terminalId,
      merchantId: session.merchantId,
      batch: f60.slice(2, 8),
      stan: stan,
      pan: pan,
      expiry: expiry,
      amount: amount === undefined ? undefined : Number(amount),
      pin: pin,
    };
  }

  /** A reply skeleton: swapped TPDU, request header with no processing requirement, echoes. */
  private replyTo(req: IsoMessage, code: string, rrn?: string): IsoMessage {
    const lt = localTime(this.now(), this.utcOffset);
    const fields: { [n: number]: FieldValue } = {};
    const echo = [2, 3, 4, 11, 25, 41, 42, 49, 60];
    for (const n of echo) if (req.fields[n] !== undefined) fields[n] = req.fields[n];
    fields[12] = lt.hhmmss;
    fields[13] = lt.mmdd;
    if (req.mti !== "0800" && req.mti !== "0820") fields[15] = lt.mmdd;
    fields[32] = this.acquirerId;
    if (rrn) fields[37] = rrn;
    fields[39] = code;
    return { tpdu: swapTpdu(req.tpdu), header: withProcessingRequirement(req.header, 0), mti: replyMti(req.mti), fields: fields };
  }

  private finish(
    req: IsoMessage | undefined,
    op: Operation,
    reply: IsoMessage,
    session: TerminalSession | undefined,
    mac: boolean,
    options: HandleOptions,
    note?: string,
  ): HandleResult {
    if (options.mutateReply) options.mutateReply(reply);
    const keys = session && session.keys;
    let replyBody: Buffer;
    if (mac && keys) {
      replyBody = encodeBodyWithMac(reply, (input) => unionPayMac(keys.macKey, input));
      reply.fields[64] = Buffer.from(replyBody.subarray(replyBody.length - 8));
    } else {
      delete reply.fields[64];
      replyBody = encodeBody(reply);
    }
    return { request: req, operation: op, reply: reply, replyBody: replyBody, note: note };
  }
}

function defaultRng(n: number): Buffer {
  return randomBytes(n);
}
