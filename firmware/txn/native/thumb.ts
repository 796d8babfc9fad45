/**
 * The machine code of thumb.c as one native function, for the boards whose CPU runs Thumb-2 code
 * from flash (Cortex-M3/M4: Espruino Pico, WiFi; their profiles call useThumb() at boot). DES
 * (crypto/des.ts) and unpack's field walk (iso8583/codec.ts) call `thumb` when it is set and
 * their buffers have flat addresses below 0x40000000; everywhere else, and for any buffer
 * without such an address, they run their TypeScript, the reference the code is tested against.
 */
import { THUMB_CODE, THUMB_ENTRY, THUMB_LENGTH } from "./thumb.gen";
import { flashBytes } from "../../lib/flash-bytes";

/**
 * useThumb()'s known answer: at 0 a 35-byte UnionPay frame (length 33, an 11-byte head of zeros,
 * MTI 0210, bitmap: fields 2 and 3; field 2 LL BCD "16" then 8 bytes; field 3 three BCD bytes),
 * at 36 a spec for fields 0-3 (2: n LL max 19, 3: n fixed 6).
 */
const SELF_TEST =
  "\x00\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x10\x60\x00\x00\x00\x00\x00\x00\x00" +
  "\x16\x62\x22\x02\x00\x00\x00\x98\x73\x00\x00\x00\x00" +
  "\x00\x00\x00\x00\x00\x00\x09\x00\x13\x01\x00\x06";

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
  const fn = E.nativeCall(at + THUMB_ENTRY + 1, "int(int,int,int,int)");
  // a known answer before any use: one walk over a two-field frame (SELF_TEST), so a CPU or an
  // Espruino build that runs the code otherwise stays interpreted. Frame, spec and offsets
  // (4 + 4 halfwords) are views of one flat 64-byte buffer, gone after boot.
  const w = new Uint8Array(64);
  w.set(flashBytes(SELF_TEST));
  const wa = E.getAddressOf(w, true);
  const r = wa === 0 || wa >= 0x40000000 ? -1 : fn(wa, (wa + 36) | 0x80000000, wa + 48, 35 | (15 << 16) | (4 << 24));
  const offs = new Uint16Array(w.buffer, 48, 8);
  if (r !== ((65 << 8) | (35 << 16)) || offs[2] !== 24 || offs[6] !== 16 || offs[3] !== 32 || offs[7] !== 6) return false;
  thumb = fn;
  thumb.c = code;
  return true;
}
