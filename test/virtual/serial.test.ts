import { strict as assert } from "node:assert";
import { VirtualBoard } from "../../hil/virtual/board";
import { RecordingUart, boardWith, uncaught } from "./helpers";

function withDevice(code: string): { b: VirtualBoard; dev: RecordingUart } {
  const b = new VirtualBoard();
  const dev = new RecordingUart(() => b.sched.now());
  b.attachUart("Serial1", dev);
  b.load(code);
  return { b, dev };
}

describe("virtual board: serial ports with baud timing", () => {
  it("firmware bytes reach the device after 10 bits per byte at the set baud", () => {
    const { b, dev } = withDevice("Serial1.setup(9600); Serial1.write('0123456789');");
    // 10 bytes * 10 bits / 9600 baud = 10.42 ms
    b.sched.advance(10.4);
    assert.equal(dev.text(), "");
    b.sched.advance(0.1);
    assert.equal(dev.text(), "0123456789");
    assert.ok(Math.abs(dev.received[0].at - 100000 / 9600) < 1e-9);
  });

  it("back-to-back writes queue on the wire; parity and stop bits lengthen a byte", () => {
    const { b, dev } = withDevice("Serial1.setup(1000, { parity: 'e', stopbits: 2 }); Serial1.write([65, 66]); Serial1.print('C');");
    // 12 bits per byte at 1000 baud = 12 ms per byte
    b.sched.advance(100);
    assert.deepEqual(dev.received.map((r) => [r.at, r.data]), [[24, "AB"], [36, "C"]]);
  });

  it("device bytes reach on('data') as they arrive at the firmware's baud", () => {
    const { b, dev } = withDevice("var got = []; Serial1.setup(115200); Serial1.on('data', function (d) { got.push(Math.round(getTime() * 1e4) + ':' + d.length); });");
    b.sched.advance(1);
    dev.send("x".repeat(20)); // two pieces: 16 bytes then 4
    b.sched.advance(10);
    // 16 bytes * 10 / 115200 s = 1.389 ms after t = 1 ms; then 4 more bytes = 0.347 ms
    assert.equal(b.eval("got.join()"), "24:16,27:4");
  });

  it("without a data listener bytes wait for read(); a port that is not set up loses them", () => {
    const { b, dev } = withDevice("");
    dev.send("lost");
    b.sched.advance(10);
    assert.equal(b.lostUartBytes("Serial1"), 4);
    b.eval("Serial1.setup(9600)");
    dev.send("\x00\xffok");
    b.sched.advance(10);
    assert.equal(b.eval("Serial1.available()"), 4);
    assert.equal(b.eval("Serial1.read(2)"), "\x00\xff");
    assert.equal(b.eval("Serial1.read()"), "ok");
  });

  it("writing to a port that was never set up fails loudly", () => {
    const b = boardWith("");
    assert.throws(() => b.eval("Serial2.write('x')"), /Serial2.write before Serial2.setup\(\)/);
  });

  it("LoopbackA and LoopbackB are connected to each other", () => {
    const b = boardWith("var a = '', bb = ''; LoopbackA.on('data', function (d) { a += d; }); LoopbackB.on('data', function (d) { bb += d; });" +
      "LoopbackA.write('to B'); LoopbackB.write([1, 2, 3]);");
    assert.equal(b.eval("bb"), "", "delivered by the event loop, not inside write");
    b.sched.advance(1);
    assert.equal(b.eval("bb"), "to B");
    assert.equal(b.eval("a"), "\x01\x02\x03");
  });

  it("a device on a loopback port takes that end of the pair", () => {
    const b = new VirtualBoard();
    const dev = new RecordingUart(() => b.sched.now());
    b.attachUart("LoopbackB", dev);
    b.load("var got = ''; LoopbackB.on('data', function (d) { got += d; }); LoopbackB.write('hi device');");
    dev.send("hi firmware");
    b.sched.advance(1);
    assert.equal(dev.text(), "hi device");
    assert.equal(b.eval("got"), "hi firmware");
  });

  it("USB is the console: writes appear in the console output", () => {
    const b = boardWith("USB.write('raw\\n'); USB.println('line');");
    assert.equal(b.console.output, "raw\nline\r\n");
    assert.equal(uncaught(b).length, 0);
  });

  it("a reset drops bytes still on the wire", () => {
    const { b, dev } = withDevice("Serial1.setup(9600); Serial1.write('before reset');");
    b.reset();
    b.sched.advance(100);
    assert.equal(dev.received.length, 1, "only the new boot's write arrives");
    assert.equal(dev.text(), "before reset");
  });
});
