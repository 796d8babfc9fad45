/**
 * The acquirer host simulator: a TCP server (loopback by default) speaking the UnionPay
 * terminal profile, with a ledger and scriptable faults. Each connection may carry one request
 * or many (terminals commonly connect per transaction; both work). Requests on a connection
 * are answered in arrival order except that a 'late-reply' answer leaves when its delay ends.
 *
 *   const host = new HostSimulator({ port: 0 });
 *   await host.listen();                 // host.port is the ephemeral port
 *   host.inject({ match: { mti: "0200" }, fault: "no-reply" });
 *   ... terminal transacts ...
 *   host.ledger.snapshot();               // compare with the terminal journal
 *   await host.close();
 */
import { EventEmitter } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { CodecError, FrameReader, decodeBody, encodeBody, frame, withProcessingRequirement, type PartialMessage } from "./codec";
import { defaultAccounts } from "./cards";
import { FaultPlan, type FaultSpec } from "./faults";
import { RequestHandler, operationOf, type HandleOptions, type HandleResult } from "./handler";
import { Ledger, type AccountInit } from "./ledger";
import { summarize, type HostLogEntry } from "./log";
import { DEFAULT_MERCHANT_ID, DEFAULT_TERMINAL_ID, DEFAULT_TEST_TMK, TerminalRegistry, type TerminalConfig } from "./terminals";

export interface HostOptions {
  /** 0 (default) = ephemeral; read `port` after listen(). */
  port?: number;
  /** Address to bind, default 127.0.0.1. Anything else exposes a test host: only for a real rig. */
  listen?: string;
  /** Default: the project's provisioning default terminal (10000001, TMK DEFAULT_TEST_TMK). */
  terminals?: TerminalConfig[];
  /** When set, unknown terminal ids are registered on first contact with this TMK (else 97). */
  defaultTmk?: string;
  /** Default: hil/host/cards.ts defaultAccounts(). */
  accounts?: AccountInit[];
  now?: () => Date;
  utcOffsetMinutes?: number;
  rng?: (n: number) => Buffer;
  /** Close each connection after its reply (some hosts do). Default false. */
  closeAfterReply?: boolean;
  /** Largest accepted frame body, bytes. Default 4096. */
  maxFrame?: number;
  /** Entries kept in `log` (oldest dropped). Default 10000. */
  logLimit?: number;
}

export class HostSimulator extends EventEmitter {
  readonly ledger: Ledger;
  readonly terminals: TerminalRegistry;
  readonly log: HostLogEntry[] = [];
  private readonly faults = new FaultPlan();
  private readonly handler: RequestHandler;
  private readonly options: HostOptions;
  private readonly now: () => Date;
  private server?: Server;
  private boundPort = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private connectionSeq = 0;
  private logSeq = 0;

  constructor(options: HostOptions = {}) {
    super();
    this.options = options;
    this.now = options.now || (() => new Date());
    const terminals = options.terminals || [{ terminalId: DEFAULT_TERMINAL_ID, merchantId: DEFAULT_MERCHANT_ID, tmk: DEFAULT_TEST_TMK }];
    this.terminals = new TerminalRegistry(terminals, options.defaultTmk);
    this.ledger = new Ledger({ accounts: options.accounts || defaultAccounts(), now: this.now, utcOffsetMinutes: options.utcOffsetMinutes });
    for (const t of terminals) if (t.batch) this.ledger.setCurrentBatch(t.terminalId, t.batch);
    this.handler = new RequestHandler({
      ledger: this.ledger,
      terminals: this.terminals,
      now: this.now,
      utcOffsetMinutes: options.utcOffsetMinutes,
      rng: options.rng,
    });
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    return this.bind(this.options.port || 0);
  }

  get port(): number {
    return this.boundPort;
  }

  /**
   * false: stop accepting (new connections get ECONNREFUSED, "host down"; open connections
   * stay); true: listen again on the same port.
   */
  async setAccepting(on: boolean): Promise<void> {
    if (on && !this.server) await this.bind(this.boundPort);
    else if (!on && this.server) await this.unbind();
  }

  /** Queues a fault (see hil/host/faults.ts). */
  inject(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  get pendingFaults(): Array<FaultSpec & { left: number }> {
    return this.faults.list();
  }

  /** Stops listening, drops every connection and pending late reply. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await this.unbind();
  }

  // ---- sockets ----

  private bind(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((sock) => this.onConnection(sock));
      server.once("error", reject);
      server.listen(port, this.options.listen || "127.0.0.1", () => {
        server.removeListener("error", reject);
        server.on("error", (e) => this.event(0, "server error: " + (e as Error).message));
        this.server = server;
        const addr = server.address();
        this.boundPort = typeof addr === "object" && addr ? addr.port : port;
        resolve(this.boundPort);
      });
    });
  }

  private unbind(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private onConnection(sock: Socket): void {
    const id = ++this.connectionSeq;
    const refuse = this.faults.forConnection();
    if (refuse) {
      this.event(id, "connection reset at once", "refuse-connection");
      sock.on("error", () => undefined);
      sock.resetAndDestroy();
      return;
    }
    this.sockets.add(sock);
    const reader = new FrameReader(this.options.maxFrame || 4096);
    sock.on("data", (chunk: Buffer) => {
      let bodies: Buffer[];
      try {
        bodies = reader.push(chunk);
      } catch (e) {
        // A bad length prefix: the stream cannot be resynchronised. Answer 30, then close.
        this.event(id, (e as Error).message);
        const r = this.handler.handle(Buffer.alloc(0));
        this.logMessage(id, "out", r.reply.mti, r.reply.fields, { operation: r.operation, note: r.note });
        this.send(sock, frame(r.replyBody), () => sock.end());
        return;
      }
      for (const body of bodies) this.onRequest(sock, id, body);
    });
    sock.on("error", () => undefined);
    sock.on("close", () => this.sockets.delete(sock));
  }

  private onRequest(sock: Socket, conn: number, body: Buffer): void {
    const peek: PartialMessage = { fields: {} };
    try {
      decodeBody(body, peek);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
    }
    const proc = typeof peek.fields[3] === "string" ? (peek.fields[3] as string) : undefined;
    const fault = this.faults.forRequest(peek.mti, proc);
    const faultName = fault ? fault.fault : undefined;
    const op = peek.mti ? operationOf({ tpdu: Buffer.alloc(5), header: Buffer.alloc(6), mti: peek.mti, fields: peek.fields }) : undefined;
    this.logMessage(conn, "in", peek.mti, peek.fields, { operation: op, fault: faultName });
    if (fault && fault.fault === "no-reply" && fault.process === false) return;

    const opts: HandleOptions = {};
    if (fault && fault.fault === "code") opts.forceCode = fault.code;
    if (fault && fault.fault === "reversal-not-acked") opts.forceCode = fault.code || "96";
    if (fault && fault.fault === "wrong-stan") {
      opts.mutateReply = (r) => {
        const stan = typeof r.fields[11] === "string" ? Number(r.fields[11]) : 0;
        r.fields[11] = String((stan + 1) % 1000000).padStart(6, "0");
      };
    }
    if (fault && fault.fault === "wrong-tid") opts.mutateReply = (r) => (r.fields[41] = "99999999");
    if (fault && fault.fault === "sign-in-again") opts.mutateReply = (r) => (r.header = withProcessingRequirement(r.header, 3));

    let result: HandleResult;
    try {
      result = this.handler.handle(body, opts);
    } catch (e) {
      // A host bug must not take the simulator down: answer 96 and say why in the log.
      this.event(conn, "handler error: " + (e as Error).message);
      result = this.handler.handle(body, Object.assign({}, opts, { forceCode: "96" }));
    }
    this.logMessage(conn, "out", result.reply.mti, result.reply.fields, { operation: result.operation, note: result.note, fault: faultName });

    let replyBody = result.replyBody;
    if (faultName === "wrong-mac") replyBody = corruptMac(result);
    if (faultName === "malformed") replyBody = replyBody.subarray(0, Math.max(1, replyBody.length - 9));
    const out = frame(replyBody);
    const after = () => {
      if (this.options.closeAfterReply) sock.end();
    };
    switch (faultName) {
      case "no-reply":
        return;
      case "late-reply": {
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.send(sock, out, after);
        }, fault!.delayMs === undefined ? 1000 : fault!.delayMs);
        this.timers.add(t);
        return;
      }
      case "drop-mid-reply":
        this.send(sock, out.subarray(0, Math.max(1, out.length >> 1)), () => sock.destroy());
        return;
      case "duplicate-reply":
        this.send(sock, out);
        this.send(sock, out, after);
        return;
      default:
        this.send(sock, out, after);
    }
  }

  private send(sock: Socket, data: Buffer, done?: () => void): void {
    if (sock.destroyed || !sock.writable) return;
    sock.write(data, () => {
      if (done) done();
    });
  }

  // ---- log ----

  private push(entry: HostLogEntry): void {
    this.log.push(entry);
    const limit = this.options.logLimit || 10000;
    if (this.log.length > limit) this.log.splice(0, this.log.length - limit);
    this.emit("message", entry);
  }

  private logMessage(
    conn: number,
    direction: "in" | "out",
    mti: string | undefined,
    fields: PartialMessage["fields"],
    extra: { operation?: string; note?: string; fault?: string },
  ): void {
    const entry: HostLogEntry = Object.assign(
      { seq: ++this.logSeq, at: this.now().toISOString(), connection: conn, direction: direction },
      summarize(mti, fields),
    );
    if (extra.operation) entry.operation = extra.operation;
    if (extra.note) entry.note = extra.note;
    if (extra.fault) entry.fault = extra.fault;
    this.push(entry);
  }

  private event(conn: number, note: string, fault?: string): void {
    const entry: HostLogEntry = { seq: ++this.logSeq, at: this.now().toISOString(), connection: conn, direction: "event", note: note };
    if (fault) entry.fault = fault;
    this.push(entry);
  }
}

/** The reply body with a MAC that cannot verify (one hex digit changed, or a bogus field 64). */
function corruptMac(result: HandleResult): Buffer {
  if (Buffer.isBuffer(result.reply.fields[64])) {
    const body = Buffer.from(result.replyBody);
    const i = body.length - 1;
    body[i] = body[i] === 0x30 ? 0x31 : 0x30;
    return body;
  }
  const fields = Object.assign({}, result.reply.fields, { 64: Buffer.from("FFFFFFFF", "ascii") });
  return encodeBody(Object.assign({}, result.reply, { fields: fields }));
}
