/**
 * Flash storage as the core sees it: the subset of Espruino's `require("Storage")` it uses.
 *
 * Semantics the core relies on (and the virtual board enforces), see shared/ESPRUINO.md:
 * - `write(name, data, 0, size)` creates a file of `size` bytes, all 0xFF except `data`;
 *   later `write(name, data, offset)` fills erased space inside it. Flash bits only go 1 -> 0:
 *   Espruino refuses (throws "File already written with different data") a write over bytes
 *   that are not erased; raw flash would AND them. Either way: write only into erased space.
 * - `write` returns false or throws when there is no room; callers treat both as failure.
 * - `read` returns the file as a binary string (flash-backed on a board), or undefined.
 */
export interface StoreLike {
  read(name: string, offset?: number, length?: number): string | undefined;
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  write(name: string, data: string | Uint8Array, offset?: number, size?: number): boolean;
  erase(name: string): void;
  list(pattern?: RegExp): string[];
  getFree(): number;
  /** Rewrite files to reclaim erased ones' space. Not power-safe on Espruino: call only when idle. */
  compact?(): void;
}
