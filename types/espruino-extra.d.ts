// What the firmware uses of Espruino that @types/espruino lacks or types too loosely.
// Only firmware/main.ts and firmware/boards/ may touch these globals (ARCHITECTURE.md).

declare function require(module: "Storage"): {
  read(name: string, offset?: number, length?: number): string | undefined;
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  write(name: string, data: string | Uint8Array, offset?: number, size?: number): boolean;
  erase(name: string): void;
  list(pattern?: RegExp): string[];
  getFree(): number;
  compact(): void;
};
declare function require(module: string): any;

declare var process: { env: { BOARD: string; VERSION: string; [key: string]: any }; memory(gc?: boolean): { free: number; usage: number; total: number }; };
declare var global: any;
declare function print(...text: any[]): void;

declare namespace E {
  function CRC32(data: string | Uint8Array | ArrayBuffer): number;
  function getSizeOf(v: any, depth?: number): number;
  function kickWatchdog(): void;
  function enableWatchdog(timeout: number, isAuto?: boolean): void;
  function toString(...args: any[]): string;
  function on(event: string, cb: (...a: any[]) => void): void;
}

// Array/String methods Espruino has (verified, shared/ESPRUINO.md) that lib ES5 does not declare.
interface Array<T> {
  fill(value: T, start?: number, end?: number): this;
  find(predicate: (value: T, index: number, obj: T[]) => boolean): T | undefined;
  findIndex(predicate: (value: T, index: number, obj: T[]) => boolean): number;
  includes(searchElement: T, fromIndex?: number): boolean;
}
interface String {
  padStart(maxLength: number, fillString?: string): string;
  padEnd(maxLength: number, fillString?: string): string;
}

// Pin globals the board profiles name (a board has only some of them; profiles use their own).
declare var A0: Pin, A1: Pin, A2: Pin, A3: Pin, A4: Pin, A5: Pin, A6: Pin, A7: Pin, A8: Pin, A9: Pin, A10: Pin,
  A13: Pin, A14: Pin, A15: Pin, B0: Pin, B1: Pin, B2: Pin, B3: Pin, B4: Pin, B5: Pin, B6: Pin, B7: Pin, B8: Pin,
  B9: Pin, B10: Pin, B12: Pin, B13: Pin, B14: Pin, B15: Pin, C0: Pin, C1: Pin, C2: Pin, C3: Pin;
interface Pin {
  mode(mode: string): void;
}
declare var Serial: { new (): Serial };

// Timers: @types/espruino does not declare them and lib ES5 has none.
declare function setTimeout(fn: () => void, ms?: number): number;
declare function setInterval(fn: () => void, ms?: number): number;
declare function clearTimeout(id?: number): void;
declare function clearInterval(id?: number): void;
