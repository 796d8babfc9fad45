/**
 * A string constant's bytes as a Uint8Array, for the natively copied paths (the printer's text()
 * with bytes, typed-array set()). On Espruino a view of the string itself (E.toArrayBuffer keeps
 * a reference, never a copy: a literal that stays in flash with the code stays there); in Node,
 * which has no E, a copy. The string must be binary (char codes 0-255).
 */
declare const E: { toArrayBuffer(s: string): ArrayBuffer } | undefined;

export function flashBytes(s: string): Uint8Array {
  if (typeof E !== "undefined" && E) return new Uint8Array(E.toArrayBuffer(s));
  const u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}
