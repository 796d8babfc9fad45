/**
 * dst[at..] = src[from..to) by the interpreter's native typed-array set(), through a subarray
 * view of the range: one block for the length of the call, against ~30,000-40,000 instructions a
 * byte for a loop on Espruino (a 64-byte move: ~2 M). Overlapping ranges of one buffer are fine
 * (Espruino's set() and Node's copy as if through a temporary).
 *
 * Not marked hot: the view allocates, as crc32's does. Hot callers that use it say so in their
 * own comment (the record log's append); the codec's pack keeps its loop and allocates nothing.
 */
export function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, from: number, to: number): void {
  if (to > from) dst.set(src.subarray(from, to), at);
}
