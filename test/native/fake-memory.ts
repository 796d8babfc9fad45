/**
 * The part of Espruino's E the Node stand-ins share (test/crypto/des-thumb.test.ts,
 * test/iso8583/unpack-thumb.test.ts): flat addresses for typed arrays, one base per ArrayBuffer
 * (0x20000000 up, or 0x60000000 for a buffer put in `highAddress`, none for one in `noAddress`),
 * the code's string at `codeAt`, views of the memory behind an address, and E.toArrayBuffer as a
 * copy (flashBytes). Each stand-in adds its nativeCall.
 */
import { strict as assert } from "node:assert";
import { THUMB_CODE } from "../../firmware/txn/native/thumb.gen";

export class FakeMemory {
  buffers: { base: number; buf: ArrayBuffer }[] = [];
  noAddress = new Set<ArrayBuffer>();
  highAddress = new Set<ArrayBuffer>();
  codeAt = 0x08004000;
  private next = 0x20000000;

  toArrayBuffer(s: string): ArrayBuffer {
    return Uint8Array.from(Buffer.from(s, "latin1")).buffer;
  }

  getAddressOf(v: any, flat: boolean): number {
    assert.equal(flat, true);
    if (v === THUMB_CODE) return this.codeAt;
    if (!ArrayBuffer.isView(v)) return 0;
    const buf = v.buffer as ArrayBuffer;
    if (this.noAddress.has(buf)) return 0;
    let e = this.buffers.find((b) => b.buf === buf);
    if (!e) {
      e = { base: this.highAddress.has(buf) ? 0x60000000 : this.next, buf };
      this.next += 0x10000;
      this.buffers.push(e);
    }
    return e.base + v.byteOffset;
  }

  /** The buffer `addr` points into. */
  bufferAt(addr: number): { base: number; buf: ArrayBuffer } {
    const e = this.buffers.find((b) => addr >= b.base && addr < b.base + b.buf.byteLength);
    assert.ok(e, "address " + addr.toString(16) + " is no buffer's");
    return e!;
  }

  /** A view of `len` bytes at `addr`, inside one buffer. */
  at(addr: number, len: number): Uint8Array {
    const e = this.bufferAt(addr);
    assert.ok(addr + len <= e.base + e.buf.byteLength, "address " + addr.toString(16) + " + " + len + " runs past its buffer");
    return new Uint8Array(e.buf, addr - e.base, len);
  }
}
