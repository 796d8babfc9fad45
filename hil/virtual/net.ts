/**
 * `require("net")` bridged to real Node sockets, on loopback only: a host that is not
 * 127.0.0.1 / localhost / ::1 is refused with an error at once, so a test can never reach
 * out. The firmware sees Espruino's socket API: `connect({host, port}, cb)` returns a socket
 * with write/end and 'connect', 'data' (binary strings), 'end', 'close' (had_error),
 * 'error' ({code, message} with Espruino's negative codes) and 'drain' events. Events
 * arrive when Node delivers them (each one a firmware task); `board.settle()` waits for them.
 */
import net from "node:net";
import type { Realm } from "./realm";
import { strict } from "./loud";
import { addEvents, emit, hasListeners } from "./events";
import { toBinaryString } from "./bytes";

/* eslint-disable @typescript-eslint/no-explicit-any */

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

/** Espruino's socket error codes (libs/network/socketerrors.c). */
const ERRORS: Record<string, [number, string]> = {
  ETIMEDOUT: [-3, "timeout"],
  EHOSTUNREACH: [-4, "no route"],
  ENETUNREACH: [-4, "no route"],
  ENOTFOUND: [-6, "not found"],
  ECONNREFUSED: [-9, "connection reset"],
  ECONNRESET: [-9, "connection reset"],
  EPIPE: [-9, "connection reset"],
};

export interface NetHost {
  realm: Realm;
  call(fn: (...a: any[]) => any, self: unknown, args: unknown[]): void;
  isOn(): boolean;
  /** Count of socket events seen, so `settle()` knows when things went quiet. */
  activity(): void;
}

/** The sockets and servers of one boot, closed when it ends. */
export class NetBridge {
  private sockets = new Set<net.Socket>();
  private servers = new Set<net.Server>();
  private connecting = 0;

  constructor(private host: NetHost) {}

  /** The module object `require("net")` returns. */
  module(): any {
    const self = this;
    const { realm } = this.host;
    const m = realm.object();
    m.connect = function (options: unknown, cb?: unknown) {
      return self.connect(options, cb);
    };
    m.createServer = function (cb: unknown) {
      return self.createServer(cb);
    };
    return strict(realm, "net", m);
  }

  /** Sockets still connecting (settle waits for them). */
  busy(): boolean {
    return this.connecting > 0;
  }

  /** Reset: close gracefully. Power loss: drop the connections abruptly (RST). */
  closeAll(graceful: boolean): void {
    for (const s of this.sockets) {
      s.removeAllListeners();
      s.on("error", function () {});
      if (graceful) {
        s.end();
        setTimeout(function () {
          s.destroy();
        }, 1000).unref();
      } else if (typeof (s as any).resetAndDestroy === "function" && !s.connecting) (s as any).resetAndDestroy();
      else s.destroy();
    }
    for (const srv of this.servers) srv.close();
    this.sockets.clear();
    this.servers.clear();
    this.connecting = 0;
  }

  private errorObject(err: NodeJS.ErrnoException): any {
    const e = ERRORS[err.code || ""] || [-10, "unknown error"];
    return this.host.realm.object({ code: e[0], message: e[1] });
  }

  /** Wrap a Node socket as an Espruino socket object; events go to the firmware. */
  private wrap(sock: net.Socket): any {
    const { realm } = this.host;
    const host = this.host;
    const self = this;
    const o = realm.object();
    let buffer = "";
    let hadError = false;
    o.write = function (data: unknown) {
      if (!host.isOn() || sock.destroyed) return false;
      const s = typeof data === "string" ? data : toBinaryString(String(data));
      sock.write(Buffer.from(s, "latin1"));
      return false;
    };
    o.end = function (data?: unknown) {
      if (!host.isOn()) return;
      if (data !== undefined) o.write(data);
      sock.end();
    };
    o.available = function () {
      return buffer.length;
    };
    o.read = function (n?: number) {
      const k = n === undefined || n <= 0 ? buffer.length : Math.min(n, buffer.length);
      const out = buffer.slice(0, k);
      buffer = buffer.slice(k);
      return out;
    };
    addEvents(o);
    const proxy = strict(realm, "Socket", o);
    sock.on("data", function (chunk: Buffer) {
      host.activity();
      const s = chunk.toString("latin1");
      if (hasListeners(o, "data")) emit(host, o, "data", [s]);
      else buffer += s;
    });
    sock.on("drain", function () {
      host.activity();
      emit(host, o, "drain", []);
    });
    sock.on("end", function () {
      host.activity();
      emit(host, o, "end", []);
    });
    sock.on("error", function (err: NodeJS.ErrnoException) {
      host.activity();
      hadError = true;
      emit(host, o, "error", [self.errorObject(err)]);
    });
    sock.on("close", function () {
      host.activity();
      self.sockets.delete(sock);
      emit(host, o, "close", [hadError]);
    });
    this.sockets.add(sock);
    return proxy;
  }

  private connect(options: unknown, cb: unknown): any {
    const { realm } = this.host;
    let host: string;
    let port: number;
    if (typeof options === "string") {
      const u = new URL(options.indexOf("://") >= 0 ? options : "tcp://" + options);
      host = u.hostname.replace(/^\[|\]$/g, "");
      port = Number(u.port);
    } else if (options && typeof options === "object") {
      host = String((options as any).host === undefined ? "localhost" : (options as any).host);
      port = Number((options as any).port);
    } else throw realm.error("Expecting Options to be an Object");
    if (LOOPBACK.indexOf(host) < 0) {
      throw realm.error(
        "virtual board: net.connect to '" + host + "' refused: only loopback (127.0.0.1, localhost, ::1) is bridged",
      );
    }
    if (!(port > 0 && port < 65536)) throw realm.error("virtual board: net.connect needs a port, got " + String(port));
    if (cb !== undefined && typeof cb !== "function") throw realm.error("Expecting Callback Function");
    const sock = net.connect({ host: host, port: port });
    sock.setNoDelay(true);
    const obj = this.wrap(sock);
    this.connecting++;
    const self = this;
    const settled = function () {
      if (self.connecting > 0) self.connecting--;
    };
    sock.once("connect", function () {
      settled();
      self.host.activity();
      if (typeof cb === "function") self.host.call(cb as (...a: any[]) => any, obj, [obj]);
      emit(self.host, obj, "connect", [obj]);
    });
    sock.once("error", settled);
    return obj;
  }

  private createServer(cb: unknown): any {
    const { realm } = this.host;
    if (typeof cb !== "function") throw realm.error("Expecting Callback Function");
    const self = this;
    const srv = net.createServer(function (sock) {
      self.host.activity();
      sock.setNoDelay(true);
      const obj = self.wrap(sock);
      self.host.call(cb as (...a: any[]) => any, undefined, [obj]);
    });
    this.servers.add(srv);
    const o = realm.object();
    o.listen = function (port: number) {
      self.connecting++;
      srv.listen(Number(port), "127.0.0.1", function () {
        if (self.connecting > 0) self.connecting--;
      });
      srv.once("error", function () {
        if (self.connecting > 0) self.connecting--;
      });
      return proxy;
    };
    o.close = function () {
      srv.close();
      self.servers.delete(srv);
    };
    const proxy = strict(realm, "Server", o);
    return proxy;
  }
}
