/**
 * HostLink over a NetLike (Espruino's `require("net")`, or the virtual board's bridge): the
 * transport the transaction engine drives. One TCP connection per exchange, as UnionPay
 * terminals do: `open()` connects to the configured host/port, the engine then `send()`s its
 * framed request and `close()`s when it has its answer.
 *
 * Events back to the engine: connected -> onLinkUp(); each chunk received -> onLinkData(chunk)
 * (binary string, the engine reassembles by the 2-byte length prefix); close, end or error ->
 * onLinkDown(), once per connection. A connection the engine closed itself, or an older one,
 * reports nothing. Events that would re-enter the engine from inside its own call (no network
 * yet, `connect` throwing) are deferred to `poll()`, which the terminal loop calls every tick.
 *
 * Allocation, at this I/O boundary only: `send` turns the request bytes into one binary string
 * per message (sockets take strings); `open` makes the socket (the net module's own object) and
 * four small handler closures per connection, so an event of an old socket can be told from
 * the current one. Received chunks are the strings the socket hands over, passed on as they are.
 *
 * Usage (firmware/main.ts):
 *   const link = new NetLink({ host: cfg.hostIp, port: cfg.hostPort });
 *   const engine = new TxnEngine({ ..., link: link });
 *   link.attach(engine);
 *   board.net(cfg, function (net) { link.setNet(net); });
 */
import type { NetLike, SocketLike } from "../hal/socket";
import type { HostLink } from "../txn/engine-api";

/** What the link reports to (TxnEngineApi has these). */
export interface LinkListener {
  onLinkUp(): void;
  onLinkData(data: string): void;
  onLinkDown(): void;
}

export interface NetLinkOptions {
  host: string;
  port: number;
  net?: NetLike | null;
  /** Bytes -> binary string (default: a char-code loop; main.ts may pass E.toString). */
  encode?: (buf: Uint8Array, len: number) => string;
}

export class NetLink implements HostLink {
  /** Connections opened, messages sent, link-down reports (diagnostics). */
  opens = 0;
  sends = 0;
  downs = 0;
  /** Why the last connection went down ("" none), for the rig. */
  lastError = "";
  private net: NetLike | null;
  private listener: LinkListener | null = null;
  private sock: SocketLike | null = null;
  /** Bumped by open() and close(): events of an older connection are dropped. */
  private gen = 0;
  private up = false;
  private downPending = false;
  private readonly target: { host: string; port: number };
  private readonly encode: (buf: Uint8Array, len: number) => string;

  constructor(o: NetLinkOptions) {
    this.net = o.net || null;
    this.target = { host: o.host, port: o.port };
    this.encode = o.encode || toBinary;
  }

  /** The engine (or any listener) that gets the link events. */
  attach(listener: LinkListener): void {
    this.listener = listener;
  }

  /** The network came up (or went away: null). */
  setNet(net: NetLike | null): void {
    this.net = net;
  }

  hasNet(): boolean {
    return this.net !== null;
  }

  isOpen(): boolean {
    return this.sock !== null;
  }

  open(): void {
    const gen = ++this.gen; // first: closing the old socket below must not report
    this.dropSocket();
    this.opens++;
    this.up = false;
    if (this.net === null) {
      this.lastError = "no network";
      this.downPending = true;
      return;
    }
    const self = this;
    let sock: SocketLike;
    try {
      sock = this.net.connect(this.target, function () {
        if (gen !== self.gen) return;
        self.up = true;
        if (self.listener) self.listener.onLinkUp();
      });
    } catch (e) {
      this.lastError = "connect failed";
      this.downPending = true;
      return;
    }
    this.sock = sock;
    sock.on("data", function (data: string) {
      if (gen === self.gen && self.listener) self.listener.onLinkData(data);
    });
    sock.on("close", function () {
      self.ended(gen, "closed");
    });
    sock.on("end", function () {
      self.ended(gen, "ended");
    });
    sock.on("error", function () {
      self.ended(gen, "socket error");
    });
  }

  send(buf: Uint8Array, len: number): void {
    if (this.sock === null || !this.up) {
      this.lastError = "send without a connection";
      this.downPending = true;
      return;
    }
    this.sends++;
    this.sock.write(this.encode(buf, len));
  }

  close(): void {
    this.gen++;
    this.downPending = false;
    this.dropSocket();
  }

  /** Deliver a deferred link-down (called from the terminal loop). @hot */
  poll(): void {
    if (!this.downPending) return;
    this.downPending = false;
    this.downs++;
    if (this.listener) this.listener.onLinkDown();
  }

  /** The current connection closed or failed: report it once. */
  private ended(gen: number, why: string): void {
    if (gen !== this.gen) return;
    this.gen++;
    this.sock = null;
    this.up = false;
    this.lastError = why;
    this.downs++;
    if (this.listener) this.listener.onLinkDown();
  }

  private dropSocket(): void {
    const s = this.sock;
    this.sock = null;
    this.up = false;
    if (s === null) return;
    try {
      s.end();
    } catch (e) {
      // already closed
    }
  }
}

/** Bytes as a binary string (one string per message: the I/O boundary's one allocation). */
export function toBinary(buf: Uint8Array, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(buf[i]);
  return s;
}
