import { strict as assert } from "node:assert";
import { VirtualBoard } from "../../hil/virtual/board";
import { RegisterDevice, boardWith } from "./helpers";

describe("virtual board: I2C", () => {
  function withDevice(): { b: VirtualBoard; dev: RegisterDevice } {
    const b = new VirtualBoard();
    const dev = new RegisterDevice(0x27);
    b.attachI2C("I2C1", dev);
    b.load("I2C1.setup({ scl: B6, sda: B7, bitrate: 100000 });");
    return { b, dev };
  }

  it("writes reach the device and reads come back as the firmware's Uint8Array", () => {
    const { b, dev } = withDevice();
    b.eval("I2C1.writeTo(0x27, [2, 0xAA, 0x55])");
    b.eval("I2C1.writeTo({ address: 0x27 }, 2, 'B')");
    assert.deepEqual(dev.writes, [[2, 0xaa, 0x55], [2, 66]]);
    assert.equal(b.eval("I2C1.writeTo(0x27, 2); var r = I2C1.readFrom(0x27, 2); r instanceof Uint8Array"), true);
    assert.equal(b.eval("r[0] + ',' + r[1]"), "66,85");
  });

  it("a device that does not ACK, or no device, throws like Espruino", () => {
    const { b, dev } = withDevice();
    assert.throws(() => b.eval("I2C1.writeTo(0x3f, 0)"), /I2C Error: No ACK from 0x3f/);
    dev.ack = false;
    assert.equal(b.eval("try { I2C1.readFrom(0x27, 1); 'read' } catch (e) { (e instanceof Error) + ': ' + e.message }"), "true: I2C Error: No ACK from 0x27");
    assert.throws(() => b.eval("I2C2.setup({}); I2C2.writeTo(0x27, 0)"), /No ACK from 0x27/, "the device is on I2C1 only");
  });

  it("a bus must be set up before use", () => {
    const b = boardWith("");
    assert.throws(() => b.eval("I2C1.writeTo(0x27, 0)"), /I2C1.setup\(\) was not called/);
  });

  it("SPI1 is minimal: nothing on the bus, MISO reads 0xFF", () => {
    const b = boardWith("SPI1.setup({ baud: 1000000 });");
    assert.equal(b.eval("SPI1.send(0x12)"), 0xff);
    assert.equal(b.eval("SPI1.send([1, 2]).join()"), "255,255");
    assert.throws(() => b.eval("SPI1.send4bit([1])"), /virtual board does not provide SPI1.send4bit/);
  });
});
