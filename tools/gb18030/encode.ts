/**
 * GB18030 encoding for the build (Node only, iconv-lite): the board never encodes text.
 * Only 1- and 2-byte sequences are accepted: the Chinese fonts of 58 mm printer modules are
 * GB2312/GBK, so a character needing a 4-byte GB18030 sequence would print as garbage.
 */
import iconv from "iconv-lite";

/** GB18030 bytes of `text`; throws with the offending character when it cannot be printed. */
export function encodeGb18030(text: string): Uint8Array {
  const bytes = new Uint8Array(iconv.encode(text, "gb18030"));
  let i = 0;
  let ch = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const cp = text.codePointAt(ch) as number;
    const shown = String.fromCodePoint(cp) + " (U+" + cp.toString(16).toUpperCase().padStart(4, "0") + ")";
    if (b < 0x80) {
      if (b < 0x20 || b === 0x7f) throw new Error("control character " + shown + " in printer text");
      i += 1;
    } else if (bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39) {
      throw new Error("character " + shown + " needs a 4-byte GB18030 sequence; printer fonts (GB2312/GBK) lack it");
    } else {
      i += 2;
    }
    ch += cp > 0xffff ? 2 : 1;
  }
  const back = iconv.decode(Buffer.from(bytes), "gb18030");
  if (back !== text) throw new Error("GB18030 round trip changed " + JSON.stringify(text) + " into " + JSON.stringify(back));
  return bytes;
}

/** Bytes as the body of a JS string literal: every byte \xNN, so the source stays ASCII. */
export function escapeBinary(bytes: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += "\\x" + bytes[i].toString(16).toUpperCase().padStart(2, "0");
  return s;
}
