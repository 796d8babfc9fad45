import { strict as assert } from "node:assert";
import net from "node:net";
import { NetLink, LinkListener, toBinary } from "../../firmware/app/net-link";
import type { NetLike, SocketLike } from "../../firmware/hal/socket";

/** A socket whose events the test fires by hand. */
class FakeSocket implements SocketLike {
  written: string[] = [];
  ended = 0;
  handlers: Record<string, ((x?: any) => void)[]> = {};
  write(data: string): void {
    this.written.push(data);
  }
  end(): void {
    this.ended++;
  }
  on(event: string, handler: (x?: any) => void): void {
    (this.handlers[event] = this.handlers[event] || []).push(handler);
  }
  /** As Espruino and Node do: the socket is `this` in its handlers. */
  fire(event: string, arg?: any): void {
    for (const h of this.handlers[event] || []) h.call(this, arg);
  }
}

class FakeNet implements NetLike {
  sockets: FakeSocket[] = [];
  targets: { host: string; port: number }[] = [];
  connects: (() => void)[] = [];
  throwNext = false;
  connect(options: { host: string; port: number }, onConnect: () => void): SocketLike {
    if (this.throwNext) {
      this.throwNext = false;
      throw new Error("Not connected to the internet");
    }
    this.targets.push({ host: options.host, port: options.port });
    const s = new FakeSocket();
    this.connects.push(() => onConnect.call(s));
    this.sockets.push(s);
    return s;
  }
}

class Recorder implements LinkListener {
  log: string[] = [];
  onLinkUp(): void {
    this.log.push("up");
  }
  onLinkData(data: string): void {
    this.log.push("data:" + Buffer.from(data, "latin1").toString("hex"));
  }
  onLinkDown(): void {
    this.log.push("down");
  }
}

describe("NetLink: HostLink over NetLike", () => {
  it("connects to the configured host, reports up, passes data, sends bytes as a binary string", () => {
    const n = new FakeNet();
    const link = new NetLink({ host: "10.0.0.5", port: 5000, net: n, encode: toBinary });
    const rec = new Recorder();
    link.listener = rec;
    link.open();
    assert.deepEqual(n.targets, [{ host: "10.0.0.5", port: 5000 }]);
    assert.deepEqual(rec.log, []);
    n.connects[0]();
    assert.deepEqual(rec.log, ["up"]);
    link.send(new Uint8Array([0x00, 0x2e, 0x60, 0xff, 0x80, 9]), 4);
    assert.deepEqual(n.sockets[0].written, ["\x00\x2e\x60\xff"]);
    n.sockets[0].fire("data", "\x00\x02\xab\xcd");
    assert.deepEqual(rec.log, ["up", "data:0002abcd"]);
    n.sockets[0].fire("close");
    n.sockets[0].fire("error", { code: -9 });
    assert.deepEqual(rec.log, ["up", "data:0002abcd", "down"], "down once");
  });

  it("a connection the engine closed, or an older one, reports nothing", () => {
    const n = new FakeNet();
    const link = new NetLink({ host: "h", port: 1, net: n, encode: toBinary });
    const rec = new Recorder();
    link.listener = rec;
    link.open();
    n.connects[0]();
    link.close();
    assert.equal(n.sockets[0].ended, 1);
    n.sockets[0].fire("data", "x");
    n.sockets[0].fire("close");
    link.open();
    n.connects[0](); // a late connect of the first socket
    assert.deepEqual(rec.log, ["up"]);
    n.connects[1]();
    n.sockets[1].fire("end");
    assert.deepEqual(rec.log, ["up", "up", "down"]);
  });

  it("no network, connect throwing, or send without a connection: link down, delivered by poll()", () => {
    const link = new NetLink({ host: "h", port: 1, encode: toBinary });
    const rec = new Recorder();
    link.listener = rec;
    link.open();
    assert.deepEqual(rec.log, [], "not from inside the engine's own call");
    link.poll();
    assert.deepEqual(rec.log, ["down"]);
    link.poll();
    assert.deepEqual(rec.log, ["down"]);
    const n = new FakeNet();
    link.net = n;
    n.throwNext = true;
    link.open();
    link.poll();
    assert.deepEqual(rec.log, ["down", "down"]);
    assert.equal(link.lastError, "connect failed");
    link.open();
    link.send(new Uint8Array(4), 4);
    link.poll();
    assert.deepEqual(rec.log, ["down", "down", "down"]);
    assert.equal(n.sockets[0].written.length, 0);
  });

  it("binary strings keep every byte value", () => {
    const all = new Uint8Array(256);
    for (let i = 0; i < 256; i++) all[i] = i;
    const s = toBinary(all);
    assert.equal(s.length, 256);
    for (let i = 0; i < 256; i++) assert.equal(s.charCodeAt(i), i);
  });

  it("two links share the socket handlers but each hears only its own connection", () => {
    const n = new FakeNet();
    const a = new NetLink({ host: "a", port: 1, net: n, encode: toBinary });
    const b = new NetLink({ host: "b", port: 2, net: n, encode: toBinary });
    const ra = new Recorder();
    const rb = new Recorder();
    a.listener = ra;
    b.listener = rb;
    a.open();
    b.open();
    n.connects[1]();
    n.sockets[1].fire("data", "\x01");
    n.connects[0]();
    n.sockets[0].fire("end");
    assert.deepEqual(ra.log, ["up", "down"]);
    assert.deepEqual(rb.log, ["up", "data:01"]);
    b.send(new Uint8Array([7]), 1);
    assert.deepEqual(n.sockets[1].written, ["\x07"]);
    assert.deepEqual(n.sockets[0].written, []);
  });

  it("talks to a real TCP server through Node's net (as the virtual board's bridge does)", async () => {
    const got: Buffer[] = [];
    const server = net.createServer((sock) => {
      sock.on("data", (d) => {
        got.push(d);
        sock.end(Buffer.from([0x00, 0x01, 0x99]));
      });
    });
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
    const port = (server.address() as net.AddressInfo).port;
    const nodeNet: NetLike = {
      connect(o, cb) {
        const s = net.connect({ host: o.host, port: o.port });
        s.setEncoding("latin1");
        // the wrapper is the firmware's socket: its handlers get it as `this`, as the virtual
        // board's bridge and Espruino give them theirs
        const w: SocketLike = {
          write: (d: string) => void s.write(Buffer.from(d, "latin1")),
          end: () => void s.end(),
          on: (ev: string, h: any) => void s.on(ev, (x?: unknown) => h.call(w, x)),
        };
        s.once("connect", () => (cb as any).call(w));
        return w;
      },
    };
    const link = new NetLink({ host: "127.0.0.1", port, net: nodeNet, encode: toBinary });
    const rec = new Recorder();
    const done = new Promise<void>((res) => {
      link.listener = {
        onLinkUp: () => {
          rec.onLinkUp();
          link.send(new Uint8Array([0x00, 0x02, 0x01, 0xfe]), 4);
        },
        onLinkData: (d: string) => rec.onLinkData(d),
        onLinkDown: () => {
          rec.onLinkDown();
          res();
        },
      };
    });
    link.open();
    await done;
    server.close();
    assert.deepEqual(rec.log, ["up", "data:000199", "down"]);
    assert.equal(Buffer.concat(got).toString("hex"), "000201fe");
  });
});
