/**
 * The microcontroller's own flash outside Storage, as `require("Flash")` and `E.memoryArea` see
 * it on a board: only the pages Espruino reports free (`require("Flash").getFree()`). On an
 * Espruino Pico that is the 128 KB sector at 0x08060000, which its STM32F401 has although the
 * part is sold as 384 KB (Espruino's targets/stm32/jshardware.c, jshFlashGetFree: "The Pico chips
 * aren't meant to have this, but they do"). `npm run flash` keeps the firmware image there
 * (tools/flash-image.ts) so the Pico's 48 KB Storage is left to the transaction logs.
 *
 * Behaves like STM32F4 flash: erase is per sector and sets every byte to 0xFF; programming ANDs
 * (bits only go 1 -> 0, so a second write over written bytes corrupts silently, as on the part);
 * E.memoryArea reads it in place. Faults:
 * - anything outside the free pages throws (on a board it would erase Espruino or its
 *   bootloader: a real write there bricks the board until it is re-flashed over DFU);
 * - `cutAfterBytes(n)`: power is lost after n more programmed bytes; the write in progress
 *   throws PowerCut (flash-storage.ts) with exactly those bytes programmed, and so does every
 *   erase/write until `powerOn()`. An erase is atomic.
 *
 * Usage:
 *   const f = new McuFlash(PICO_FREE_FLASH);
 *   f.erasePage(0x08060000); f.write(bytes, 0x08060000); f.string(0x08060000, bytes.length);
 */
import { PowerCut } from "./flash-storage";

export interface McuFlashPage {
  addr: number;
  bytes: number;
}

/** The Espruino Pico's free sector (the only page its getFree() reports besides none). */
export const PICO_FREE_FLASH: McuFlashPage[] = [{ addr: 0x08060000, bytes: 128 * 1024 }];

export class McuFlash {
  private readonly pages: { addr: number; data: Uint8Array }[];
  private cutIn = -1;
  /** True after a cut until powerOn(). */
  poweredOff = false;

  constructor(pages: McuFlashPage[]) {
    // a chip fresh from the factory: erased
    this.pages = pages.map((p) => ({ addr: p.addr, data: new Uint8Array(p.bytes).fill(0xff) }));
  }

  /** Contiguous free areas, as Flash.getFree() returns them. */
  getFree(): { addr: number; length: number }[] {
    const out: { addr: number; length: number }[] = [];
    for (const p of this.pages) {
      const last = out[out.length - 1];
      if (last && last.addr + last.length === p.addr) last.length += p.data.length;
      else out.push({ addr: p.addr, length: p.data.length });
    }
    return out;
  }

  /** The page holding addr, as Flash.getPage() returns it; undefined outside the free pages. */
  getPage(addr: number): { addr: number; length: number } | undefined {
    const p = this.pageAt(addr);
    return p ? { addr: p.addr, length: p.data.length } : undefined;
  }

  erasePage(addr: number): void {
    const p = this.pageAt(addr);
    if (!p) throw new Error(`Flash.erasePage(0x${hex(addr)}): not a free page; on a board this erases Espruino or its bootloader`);
    if (this.poweredOff) throw new PowerCut();
    p.data.fill(0xff);
  }

  /** Programs bytes at addr (ANDed into what is there). */
  write(bytes: Uint8Array, addr: number): void {
    if (this.poweredOff) throw new PowerCut();
    for (let i = 0; i < bytes.length; i++) {
      const a = addr + i;
      const p = this.pageAt(a);
      if (!p) throw new Error(`Flash.write at 0x${hex(a)}: outside the free flash; on a board this overwrites Espruino or its bootloader`);
      if (this.cutIn === 0) {
        this.poweredOff = true;
        this.cutIn = -1;
        throw new PowerCut();
      }
      if (this.cutIn > 0) this.cutIn--;
      p.data[a - p.addr] &= bytes[i];
    }
  }

  read(length: number, addr: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, length));
    for (let i = 0; i < out.length; i++) {
      const p = this.pageAt(addr + i);
      if (!p) throw new Error(`Flash.read at 0x${hex(addr + i)}: outside the free flash this model holds`);
      out[i] = p.data[addr + i - p.addr];
    }
    return out;
  }

  /** The bytes at addr as a binary string: what E.memoryArea(addr, length) evaluates from. */
  string(addr: number, length: number): string {
    return Buffer.from(this.read(length, addr)).toString("latin1");
  }

  /** Whether [addr, addr+length) lies in the free pages. */
  holds(addr: number, length: number): boolean {
    return length > 0 && !!this.pageAt(addr) && !!this.pageAt(addr + length - 1);
  }

  /** Lose power after n more programmed bytes. */
  cutAfterBytes(n: number): void {
    this.cutIn = n;
  }

  powerOn(): void {
    this.poweredOff = false;
  }

  private pageAt(addr: number): { addr: number; data: Uint8Array } | undefined {
    for (const p of this.pages) if (addr >= p.addr && addr < p.addr + p.data.length) return p;
    return undefined;
  }
}

function hex(n: number): string {
  return (n >>> 0).toString(16);
}
