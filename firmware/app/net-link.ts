/**
 * HostLink over a NetLike (Espruino's `require("net")`, or the virtual board's bridge): the
 * transport the transaction engine drives. One TCP connection per exchange, as UnionPay
 * terminals do: `open()` connects to the configured host/port, the engine then `send()`s its
 * framed request and `close()`s when it has its answer.
 *
 * Events back to the listener (the engine): connected -> onLinkUp(); each chunk received ->
 * onLinkData(chunk) (binary string, the engine reassembles by the 2-byte length prefix); close,
 * end or error -> onLinkDown(), once per connection. A connection the engine closed itself, or
 * an older one, reports nothing. Events that would re-enter the engine from inside its own call
 * (no network yet, `connect` throwing) are deferred to `poll()`, which the terminal loop calls
 * every tick.
 *
 * Allocation, at this I/O boundary only: `send` turns the request bytes into one binary string
 * per message (sockets take strings); `open` makes the socket (the net module's own object),
 * marked with its link and generation so that an event of an old socket can be told from the
 * current one; the handlers are shared plain functions (they get the socket as `this`, as
 * Espruino and Node call them). Received chunks are the strings the socket hands over, passed
 * on as they are.
 *
 * Usage (firmware/main.ts):
 *   const link = new NetLink({ host: cfg.hostIp, port: cfg.hostPort, encode: E.toString });
 *   const engine = new TxnEngine({ ..., link: link });
 *   link.listener = engine;
 *   board.net(cfg, function (net) { link.net = net; });   // when the network is up
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
  /** Bytes -> binary string: E.toString on Espruino, toBinary elsewhere. */
  encode: (bytes: Uint8Array) => string;
}

export class NetLink implements HostLink {
  /** Why the last connection went down ("" none), for diagnostics. */
  lastError = "";
  /** The network, null until it is up (or when it went away). */
  net: NetLike | null;
  /** Who gets the link events (the engine), set once. */
  listener: LinkListener | null = null;
  /** @internal the current connection (socket events check they are from it) */
  sock: SocketLike | null = null;
  /** @internal bumped by open() and close() and a connection's end: events of an older one are dropped. */
  gen = 0;
  /** @internal */
  up = false;
  private downPending = false;
  private readonly host: string;
  private readonly port: number;
  private readonly encode: (bytes: Uint8Array) => string;

  constructor(o: NetLinkOptions) {
    this.net = o.net || null;
    this.host = o.host;
    this.port = o.port;
    this.encode = o.encode;
  }

  open(): void {
    const gen = ++this.gen; // first: closing the old socket below must not report
    const old = this.sock;
    this.sock = null;
    this.up = false;
    if (old !== null) {
      try {
        old.end();
      } catch (e) {
        // already closed
      }
    }
    if (this.net === null) {
      this.lastError = "no network";
      this.downPending = true;
      return;
    }
    let sock: LinkSocket;
    try {
      sock = this.net.connect({ host: this.host, port: this.port }, linkUp) as LinkSocket;
    } catch (e) {
      this.lastError = "connect failed";
      this.downPending = true;
      return;
    }
    sock.lk = this;
    sock.gn = gen;
    this.sock = sock;
    sock.on("data", linkData);
    sock.on("close", linkClosed);
    sock.on("end", linkEnded);
    sock.on("error", linkFailed);
  }

  send(buf: Uint8Array, len: number): void {
    if (this.sock === null || !this.up) {
      this.lastError = "send without a connection";
      this.downPending = true;
      return;
    }
    this.sock.write(this.encode(buf.subarray(0, len)));
  }

  /** Drop the connection silently (nothing reported for it). */
  close(): void {
    this.gen++;
    this.downPending = false;
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

  /** Deliver a deferred link-down (called from the terminal loop). @hot */
  poll(): void {
    if (!this.downPending) return;
    this.downPending = false;
    if (this.listener) this.listener.onLinkDown();
  }
}

/**
 * The socket as the link marks it: its link and the generation it was opened in. Socket events
 * come with `this` = the socket (Espruino's net, and Node's), so the handlers below are plain
 * functions that find their link there: no closures per connection (six of them, with the
 * scope they share, cost ~56 blocks on Espruino for as long as the connection lives).
 */
interface LinkSocket extends SocketLike {
  lk: NetLink;
  gn: number;
}

/** `this` socket's link, if the socket is still its current connection. */
function currentLink(s: LinkSocket): NetLink | null {
  const l = s.lk;
  return l && l.gen === s.gn ? l : null;
}

function linkUp(this: LinkSocket): void {
  const l = currentLink(this);
  if (l === null) return;
  l.up = true;
  if (l.listener) l.listener.onLinkUp();
}

function linkData(this: LinkSocket, data: string): void {
  const l = currentLink(this);
  if (l !== null && l.listener) l.listener.onLinkData(data);
}

/** The connection closed or failed: report it once. */
function linkDown(s: LinkSocket, why: string): void {
  const l = currentLink(s);
  if (l === null) return;
  l.gen++;
  l.sock = null;
  l.up = false;
  l.lastError = why;
  if (l.listener) l.listener.onLinkDown();
}

function linkClosed(this: LinkSocket): void {
  linkDown(this, "closed");
}

function linkEnded(this: LinkSocket): void {
  linkDown(this, "ended");
}

function linkFailed(this: LinkSocket): void {
  linkDown(this, "socket error");
}

/** Bytes as a binary string, for Node (Espruino has E.toString). */
export function toBinary(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}
