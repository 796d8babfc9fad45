/**
 * Espruino's "iterable data" rules, used by Serial.write, I2C.writeTo, E.toString and
 * E.CRC32: a number is one byte, a string its char codes, arrays / typed arrays /
 * ArrayBuffers their elements, `{data, count}` repeats `data` `count` times, nested freely.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */

export function forEachByte(data: unknown, each: (b: number) => void): void {
  if (data === undefined || data === null) return;
  if (typeof data === "number" || typeof data === "boolean") {
    each(Number(data) & 255);
    return;
  }
  if (typeof data === "string") {
    for (let i = 0; i < data.length; i++) each(data.charCodeAt(i) & 255);
    return;
  }
  if (typeof data !== "object") return;
  const tag = Object.prototype.toString.call(data);
  if (tag === "[object ArrayBuffer]") {
    const u = new Uint8Array(data as ArrayBuffer);
    for (let i = 0; i < u.length; i++) each(u[i]);
    return;
  }
  if (tag === "[object DataView]") {
    const dv = data as DataView;
    const u = new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength);
    for (let i = 0; i < u.length; i++) each(u[i]);
    return;
  }
  const d = data as any;
  if (Array.isArray(d) || ArrayBuffer.isView(data)) {
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (typeof v === "number") each(v & 255);
      else forEachByte(v, each);
    }
    return;
  }
  if ("data" in d) {
    const count = d.count === undefined ? 1 : Number(d.count);
    for (let c = 0; c < count; c++) forEachByte(d.data, each);
  }
}

/** Data as a binary string (char codes 0..255). */
export function toBinaryString(data: unknown): string {
  if (typeof data === "string") {
    let ok = true;
    for (let i = 0; i < data.length && ok; i++) if (data.charCodeAt(i) > 255) ok = false;
    if (ok) return data;
  }
  const codes: number[] = [];
  forEachByte(data, function (b) {
    codes.push(b);
  });
  let s = "";
  for (let i = 0; i < codes.length; i += 4096) s += String.fromCharCode.apply(null, codes.slice(i, i + 4096));
  return s;
}

export function toBytes(data: unknown): Uint8Array {
  const codes: number[] = [];
  forEachByte(data, function (b) {
    codes.push(b);
  });
  return Uint8Array.from(codes);
}
