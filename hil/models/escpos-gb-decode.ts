/**
 * GB18030 bytes -> text for the printer model, in Node only (iconv-lite). Kept apart so the
 * model itself stays ES5-safe and can run inside Espruino, where it falls back to hex.
 * Pass it as `decodeGb` to EscPosPrinterModel.
 */
import iconv from "iconv-lite";

/** `bytes` is a binary string (char codes 0..255) holding one or more GB18030 characters. */
export function decodeGb18030(bytes: string): string {
  return iconv.decode(Buffer.from(bytes, "latin1"), "gb18030");
}
