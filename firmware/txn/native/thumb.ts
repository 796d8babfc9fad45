/**
 * The machine code of thumb.c as one native function, for the boards whose CPU runs Thumb-2 code
 * from flash (Cortex-M3/M4: Espruino Pico, WiFi; their profiles call useThumb() at boot). DES
 * (crypto/des.ts) and unpack's field walk (iso8583/codec.ts) call `thumb` when it is set and
 * their buffers have flat addresses below 0x40000000; everywhere else, and for any buffer
 * without such an address, they run their TypeScript, the reference the code is tested against.
 */
import { THUMB_CODE, THUMB_ENTRY, THUMB_LENGTH } from "./thumb.gen";

/** Espruino's own: `nativeCall` is absent from builds that save flash (and from Node). */
declare const E: { nativeCall?(addr: number, sig: string): any; getAddressOf(v: any, flat: boolean): number } | undefined;

/**
 * thumb_call(a, b, c, d) of thumb.c once useThumb() succeeded, with the code's string as its
 * property `c` (kept referenced); null otherwise.
 */
export let thumb: any = null;

/**
 * Turns the machine code on; false, and everything stays interpreted, where the interpreter has
 * no E.nativeCall or the code's string no flat address below 0x40000000 (a string copied into
 * RAM in pieces). Costs ~3 blocks. Never call it on another CPU: the code would crash it.
 */
export function useThumb(): boolean {
  thumb = null;
  if (typeof E === "undefined" || !E || !E.nativeCall) return false;
  const code = THUMB_CODE;
  let at = E.getAddressOf(code, true);
  if (at === 0 || at >= 0x40000000) return false;
  // the copy on an even address (Thumb), then bit 0 set: a Thumb function
  if (at & 1) at += THUMB_LENGTH + 1;
  thumb = E.nativeCall(at + THUMB_ENTRY + 1, "int(int,int,int,int)");
  thumb.c = code;
  return true;
}
