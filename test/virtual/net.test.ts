import { strict as assert } from "node:assert";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { boardWith, uncaught } from "./helpers";

/** A loopback echo server that records what it got and whether the peer closed. */
async function echoServer(): Promise<{ port: number; got: Buffer[]; ended: Promise<void>; close: () => void }> {
  const got: Buffer[] = [];
  let endedResolve!: () => void;
  const ended = new Promise<void>((r) => (endedResolve = r));
  const srv = net.createServer((s) => {
    s.on("data", (d) => {
      got.push(d);
      s.write(d);
    });
    s.on("end", () => endedResolve());
    s.on("error", () => endedResolve());
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { port: (srv.address() as AddressInfo).port, got, ended, close: () => srv.close() };
}

describe("virtual board: net bridged to loopback", () => {
  it("connects, sends and receives binary strings, and sees the close", async () => {
    const srv = await echoServer();
    try {
      let all = "";
      for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
      const code =
        "var net = require('net'); var rx = '', events = [];" +
        "var s = net.connect({ host: '127.0.0.1', port: " + srv.port + " }, function (sock) { events.push('connect:' + (sock === s)); s.write(" + JSON.stringify(all) + "); });" +
        "s.on('data', function (d) { rx += d; if (rx.length === 256) s.end(); });" +
        "s.on('end', function () { events.push('end'); }); s.on('close', function (err) { events.push('close:' + err); });";
      const b = boardWith(code);
      for (let i = 0; i < 20 && b.eval("rx.length") !== 256; i++) await b.settle();
      assert.equal(Buffer.concat(srv.got).toString("latin1"), all);
      assert.equal(b.eval("rx"), all);
      await srv.ended;
      for (let i = 0; i < 20 && (b.eval("events.length") as number) < 3; i++) await b.settle();
      assert.equal(b.eval("events.join()"), "connect:true,end,close:false");
      assert.equal(uncaught(b).length, 0);
    } finally {
      srv.close();
    }
  });

  it("refuses any host that is not loopback, at once", () => {
    const b = boardWith("var net = require('net');");
    for (const host of ["10.0.0.1", "example.com", "192.168.1.10", "0.0.0.0"]) {
      assert.throws(
        () => b.eval("net.connect({ host: '" + host + "', port: 80 })"),
        new RegExp("net.connect to '" + host.replace(/\./g, "\\.") + "' refused: only loopback"),
      );
    }
    assert.throws(() => b.eval("net.connect('tcp://8.8.8.8:53')"), /refused: only loopback/);
  });

  it("a refused connection gives Espruino's error object, then close", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const b = boardWith("var log = []; var s = require('net').connect({ host: 'localhost', port: " + port + " }, function () { log.push('connected'); });" +
      "s.on('error', function (e) { log.push(e.code + ' ' + e.message); }); s.on('close', function (had) { log.push('close ' + had); });");
    for (let i = 0; i < 20 && (b.eval("log.length") as number) < 2; i++) await b.settle();
    assert.equal(b.eval("log.join()"), "-9 connection reset,close true");
  });

  it("a reset closes the board's sockets", async () => {
    const srv = await echoServer();
    try {
      const b = boardWith("var s = require('net').connect({ host: '127.0.0.1', port: " + srv.port + " }, function () { s.write('hi'); });");
      for (let i = 0; i < 20 && srv.got.length === 0; i++) await b.settle();
      b.reset();
      await srv.ended; // the server saw the connection end
      b.powerOff(); // the new boot connected again: drop that one
    } finally {
      srv.close();
    }
  });

  it("net.createServer listens on loopback for the firmware", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const b = boardWith("var got = ''; require('net').createServer(function (c) {" +
      " c.on('data', function (d) { got += d; c.write('ack:' + d); }); }).listen(" + port + ");");
    try {
      await b.settle();
      const reply = await new Promise<string>((resolve, reject) => {
        const c = net.connect({ host: "127.0.0.1", port: port }, () => c.write("ping"));
        c.on("data", (d) => {
          resolve(d.toString("latin1"));
          c.end();
        });
        c.on("error", reject);
      });
      assert.equal(reply, "ack:ping");
      assert.equal(b.eval("got"), "ping");
    } finally {
      b.powerOff();
    }
  });
});
