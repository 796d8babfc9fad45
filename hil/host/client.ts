/**
 * A small "terminal" for driving the host simulator in tests, built only from the host's own
 * codec and crypto (never the firmware's). It signs in, verifies the key check values, builds
 * requests with PIN blocks and MACs, and reads replies over real loopback sockets.
 *
 *   const t = new TestTerminal({ port: host.port });
 *   await t.signIn("004");
 *   const r = await t.sale({ pan: "6222020000000007", amount: 1000, pin: "123456" });
 *   r.reply?.fields[39] === "00"
 */
import { Socket, connect } from "node:net";
import {
  CodecError,
  FrameReader,
  decodeBody,
  encodeBody,
  encodeBodyWithMac,
  frame,
  str,
  bin,
  type FieldValue,
  type IsoMessage,
} from "./codec";
import { ecbEncrypt, parseKeyHex, pinBlockFormat0, unionPayMac, unwrapWorkingKeys, type WorkingKeys } from "./crypto";
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID, DEFAULT_TEST_TMK } from "./terminals";

/** One TCP connection that hands out whole frames. */
export class Connection {
  private readonly reader = new FrameReader(65535);
  private readonly frames: Buffer[] = [];
  private waiter?: () => void;
  closed = false;
  error?: string;

  private constructor(private readonly sock: Socket) {
    sock.on("data", (chunk: Buffer) => {
      try {
        for (const b of this.reader.push(chunk)) this.frames.push(b);
      } catch (e) {
        this.error = (e as Error).message;
        sock.destroy();
      }
      this.wake();
    });
    sock.on("error", (e) => {
      this.error = (e as NodeJS.ErrnoException).code || e.message;
    });
    sock.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(port: number, host = "127.0.0.1"): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const sock = connect({ port: port, host: host });
      const fail = (e: Error) => reject(e);
      sock.once("error", fail);
      sock.once("connect", () => {
        sock.removeListener("error", fail);
        resolve(new Connection(sock));
      });
    });
  }

  send(data: Buffer): void {
    this.sock.write(data);
  }

  /** Next whole frame body, or "timeout" / "closed". */
  async next(timeoutMs: number): Promise<Buffer | "timeout" | "closed"> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.shift();
      if (f) return f;
      if (this.closed) return "closed";
      const left = deadline - Date.now();
      if (left <= 0) return "timeout";
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.waiter = undefined;
          resolve();
        }, left);
        this.waiter = () => {
          clearTimeout(t);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }

  /** Bytes received that do not form a whole frame (e.g. after a drop mid-reply). */
  get partialBytes(): number {
    return this.reader.pending;
  }

  close(): void {
    this.sock.destroy();
  }

  private wake(): void {
    if (this.waiter) this.waiter();
  }
}

export interface ClientOptions {
  port: number;
  host?: string;
  terminalId?: string;
  merchantId?: string;
  /** Hex, default DEFAULT_TEST_TMK. */
  tmk?: string;
  /** Keep one connection for every exchange (default: a new connection per exchange). */
  persistent?: boolean;
  /** How long to wait for a reply, ms (default 2000). */
  timeoutMs?: number;
  batch?: string;
  firstStan?: number;
}

export interface Exchange {
  request: IsoMessage;
  /** Decoded first reply, when one arrived and decoded. */
  reply?: IsoMessage;
  /** Raw bodies of every reply frame seen. */
  bodies: Buffer[];
  /** "timeout" / "closed" when no (whole) reply came; a CodecError message when undecodable. */
  error?: string;
  /** undefined when the reply had no field 64. */
  macOk?: boolean;
}

export interface CardInput {
  pan: string;
  expiry?: string;
  serviceCode?: string;
  /** Send track 2 (field 35) instead of field 2 + 14, built from pan/expiry/serviceCode... */
  swipe?: boolean;
  /** ...or exactly this track 2 (digits and '='), e.g. track2Of(card) from hil/models/test-cards. */
  track2?: string;
  pin?: string;
}

export class TestTerminal {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly tmk: Buffer;
  keys?: WorkingKeys;
  keyMode = "001";
  batch: string;
  stan: number;
  tpdu = Buffer.from([0x60, 0x00, 0x01, 0x00, 0x00]);
  header = Buffer.from([0x60, 0x31, 0x00, 0x31, 0x00, 0x00]);
  private conn?: Connection;

  constructor(private readonly options: ClientOptions) {
    this.terminalId = options.terminalId || DEFAULT_TERMINAL_ID;
    this.merchantId = options.merchantId || DEFAULT_MERCHANT_ID;
    this.tmk = parseKeyHex(options.tmk || DEFAULT_TEST_TMK);
    this.batch = options.batch || "000001";
    this.stan = options.firstStan || 1;
  }

  nextStan(): string {
    const s = String(this.stan).padStart(6, "0");
    this.stan = (this.stan % 999999) + 1;
    return s;
  }

  message(mti: string, fields: { [n: number]: FieldValue }): IsoMessage {
    const all: { [n: number]: FieldValue } = Object.assign({ 41: this.terminalId, 42: this.merchantId }, fields);
    return { tpdu: this.tpdu, header: this.header, mti: mti, fields: all };
  }

  /** Encodes (MACing when `mac` and keys are present) and frames a request. */
  encode(msg: IsoMessage, mac: boolean): Buffer {
    const keys = this.keys;
    if (mac && keys) return frame(encodeBodyWithMac(msg, (input) => unionPayMac(keys.macKey, input)));
    return frame(encodeBody(msg));
  }

  /** Sends one request and waits for its reply (collects extra frames for `settleMs`). */
  async exchange(msg: IsoMessage, opts: { mac?: boolean; timeoutMs?: number; extraMs?: number } = {}): Promise<Exchange> {
    return this.exchangeRaw(this.encode(msg, opts.mac !== false), msg, opts);
  }

  async exchangeRaw(bytes: Buffer, request: IsoMessage, opts: { timeoutMs?: number; extraMs?: number } = {}): Promise<Exchange> {
    const conn = await this.connection();
    conn.send(bytes);
    const ex: Exchange = { request: request, bodies: [] };
    const first = await conn.next(opts.timeoutMs || this.options.timeoutMs || 2000);
    if (typeof first === "string") ex.error = first;
    else {
      ex.bodies.push(first);
      if (opts.extraMs) {
        for (;;) {
          const more = await conn.next(opts.extraMs);
          if (typeof more === "string") break;
          ex.bodies.push(more);
        }
      }
      try {
        const d = decodeBody(first);
        ex.reply = d.message;
        const mac = bin(d.message, 64);
        if (mac && this.keys && d.macInput) ex.macOk = unionPayMac(this.keys.macKey, d.macInput).equals(mac);
        else if (mac) ex.macOk = false;
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        ex.error = e.message;
      }
    }
    if (!this.options.persistent || conn.closed) this.drop();
    return ex;
  }

  /** The live connection (persistent mode) or a fresh one. */
  async connection(): Promise<Connection> {
    if (this.conn && !this.conn.closed) return this.conn;
    this.conn = await Connection.open(this.options.port, this.options.host);
    return this.conn;
  }

  close(): void {
    this.drop();
  }

  private drop(): void {
    if (this.conn) this.conn.close();
    this.conn = undefined;
  }

  // ---- transactions ----

  /** Sign-in: 60.3 "001" single DES or "003"/"004" 3DES. Adopts keys (after the KCV check) and batch. */
  async signIn(mode: "001" | "003" | "004" = "004"): Promise<Exchange & { keyError?: string }> {
    const ex: Exchange & { keyError?: string } = await this.exchange(
      this.message("0800", { 11: this.nextStan(), 60: "00" + this.batch + mode, 63: "01 " }),
      { mac: false },
    );
    if (ex.reply && str(ex.reply, 39) === "00") {
      const f62 = bin(ex.reply, 62);
      const r = f62 ? unwrapWorkingKeys(this.tmk, f62) : { ok: false as const, reason: "no field 62" };
      if (r.ok) {
        this.keys = r.keys;
        this.keyMode = mode;
        const f60 = str(ex.reply, 60) || "";
        if (f60.length >= 8) this.batch = f60.slice(2, 8);
      } else ex.keyError = r.reason;
    }
    return ex;
  }

  /** Card fields (2/14 or 35), entry mode, PIN block and security control for a request. */
  cardFields(card: CardInput): { [n: number]: FieldValue } {
    const f: { [n: number]: FieldValue } = {};
    const swiped = card.swipe || card.track2 !== undefined;
    if (swiped) {
      f[35] = card.track2 !== undefined ? card.track2 : card.pan + "=" + (card.expiry || "3012") + (card.serviceCode || "101") + "0000000";
    } else {
      f[2] = card.pan;
      if (card.expiry) f[14] = card.expiry;
    }
    f[22] = (swiped ? "02" : "01") + (card.pin !== undefined ? "1" : "2");
    if (card.pin !== undefined && this.keys) {
      f[52] = ecbEncrypt(this.keys.pinKey, pinBlockFormat0(card.pin, card.pan));
      f[26] = "12";
      f[53] = "2" + (this.keyMode === "001" ? "0" : "6") + "00000000000000";
    }
    return f;
  }

  private f60(type: string): string {
    return type + this.batch + "000" + "5" + "0";
  }

  sale(card: CardInput & { amount: number; stan?: string }) {
    return this.exchange(this.saleMessage(card));
  }

  saleMessage(card: CardInput & { amount: number; stan?: string }): IsoMessage {
    return this.message(
      "0200",
      Object.assign(this.cardFields(card), {
        3: "000000",
        4: String(card.amount).padStart(12, "0"),
        11: card.stan || this.nextStan(),
        25: "00",
        49: "156",
        60: this.f60("22"),
      }),
    );
  }

  balance(card: CardInput) {
    return this.exchange(this.message("0200", Object.assign(this.cardFields(card), { 3: "310000", 11: this.nextStan(), 25: "00", 49: "156", 60: this.f60("01") })));
  }

  voidSale(card: CardInput & { amount: number; origStan: string; origBatch?: string; rrn?: string; authCode?: string }) {
    const f: { [n: number]: FieldValue } = Object.assign(this.cardFields(card), {
      3: "200000",
      4: String(card.amount).padStart(12, "0"),
      11: this.nextStan(),
      25: "00",
      49: "156",
      60: this.f60("23"),
      61: (card.origBatch || this.batch) + card.origStan,
    });
    if (card.rrn) f[37] = card.rrn;
    if (card.authCode) f[38] = card.authCode;
    return this.exchange(this.message("0200", f));
  }

  refund(card: CardInput & { amount: number; origStan: string; origBatch?: string; origDate?: string; rrn?: string }) {
    const f: { [n: number]: FieldValue } = Object.assign(this.cardFields(card), {
      3: "200000",
      4: String(card.amount).padStart(12, "0"),
      11: this.nextStan(),
      25: "00",
      49: "156",
      60: this.f60("25"),
      61: (card.origBatch || this.batch) + card.origStan + (card.origDate || "0000"),
    });
    if (card.rrn) f[37] = card.rrn;
    return this.exchange(this.message("0220", f));
  }

  preAuth(card: CardInput & { amount: number }) {
    return this.exchange(
      this.message("0100", Object.assign(this.cardFields(card), { 3: "030000", 4: String(card.amount).padStart(12, "0"), 11: this.nextStan(), 25: "06", 49: "156", 60: this.f60("10") })),
    );
  }

  preAuthComplete(card: CardInput & { amount: number; authCode: string; origStan?: string }) {
    return this.exchange(
      this.message(
        "0200",
        Object.assign(this.cardFields(card), {
          3: "000000",
          4: String(card.amount).padStart(12, "0"),
          11: this.nextStan(),
          25: "06",
          38: card.authCode,
          49: "156",
          60: this.f60("20"),
          61: "000000" + (card.origStan || "000000") + "0000",
        }),
      ),
    );
  }

  preAuthVoid(card: CardInput & { amount: number; authCode: string }) {
    return this.exchange(
      this.message(
        "0100",
        Object.assign(this.cardFields(card), { 3: "200000", 4: String(card.amount).padStart(12, "0"), 11: this.nextStan(), 25: "06", 38: card.authCode, 49: "156", 60: this.f60("11") }),
      ),
    );
  }

  /** Reversal of `original` (same STAN), without 26/35/36/52/53, reason in field 39. */
  reversalMessage(original: IsoMessage, reason: string): IsoMessage {
    const f: { [n: number]: FieldValue } = {};
    for (const k of Object.keys(original.fields).map(Number)) {
      if ([26, 35, 36, 52, 53, 64].indexOf(k) >= 0) continue;
      f[k] = original.fields[k];
    }
    const track = str(original, 35);
    if (track && f[2] === undefined) f[2] = track.slice(0, track.indexOf("="));
    f[39] = reason;
    return { tpdu: original.tpdu, header: original.header, mti: "0400", fields: f };
  }

  reversal(original: IsoMessage, reason = "98") {
    return this.exchange(this.reversalMessage(original, reason));
  }

  settleMessage(t: { debitAmount: number; debitCount: number; creditAmount: number; creditCount: number }): IsoMessage {
    const d = (n: number, w: number) => String(n).padStart(w, "0");
    const f48 = d(t.debitAmount, 12) + d(t.debitCount, 3) + d(t.creditAmount, 12) + d(t.creditCount, 3) + "0" + "0".repeat(30) + "0";
    return this.message("0500", { 11: this.nextStan(), 48: f48, 49: "156", 60: "00" + this.batch + "201", 63: "01 " });
  }

  settle(t: { debitAmount: number; debitCount: number; creditAmount: number; creditCount: number }) {
    return this.exchange(this.settleMessage(t), { mac: false });
  }

  /** 0320 with up to 8 magnetic-stripe records: org 00 + STAN + PAN (20, zero-filled) + amount. */
  batchUpload(items: Array<{ stan: string; pan: string; amount: number }>, batch = this.batch) {
    const f48 = String(items.length).padStart(2, "0") + items.map((i) => "00" + i.stan + i.pan.padStart(20, "0") + String(i.amount).padStart(12, "0")).join("");
    return this.exchange(this.message("0320", { 11: this.nextStan(), 48: f48, 60: "00" + batch + "201" }), { mac: false });
  }

  batchClose(count: number, batch = this.batch) {
    return this.exchange(this.message("0320", { 11: this.nextStan(), 48: String(count).padStart(4, "0"), 60: "00" + batch + "202" }), { mac: false });
  }
}
