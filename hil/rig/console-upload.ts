/**
 * Upload a bundle over the console protocol itself, as the espruino CLI does: clear RAM with
 * `reset()`, write `fw.js` into Storage in 1 KiB chunks (each answered before the next is sent,
 * so nothing overruns the interpreter's input buffer), write the `.bootcde` that evals it from
 * flash, check the CRC32 of what landed, then `load()` to boot it. Used by the espruino-linux
 * target (its stdin console has no flow control for a whole file at once; shared/ESPRUINO.md).
 */
import { crc32 } from "node:zlib";
import { TargetTimeoutError, type ConsoleSession } from "./console-protocol";
import { BOOT_CODE, BOOT_FILE, FIRMWARE_FILE } from "./target";

export const UPLOAD_CHUNK = 1024;

/** A JS string literal of a byte string (chars 0..255), ASCII-only so any console carries it. */
export function jsByteString(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c > 255) throw new Error("jsByteString: not a byte string (char " + c + " at " + i + ")");
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c < 0x20 || c > 0x7e) out += "\\x" + (c < 16 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

/** The bundle as the bytes that go to flash (UTF-8, one char per byte). */
export function bundleBytes(bundle: string): string {
  return Buffer.from(bundle, "utf8").toString("latin1");
}

/** Resolves once the console answers `1` (retrying while the target boots); rejects after `totalMs`. */
export async function waitReady(session: ConsoleSession, totalMs: number, probeMs = 1000): Promise<void> {
  const deadline = Date.now() + totalMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await session.eval("1", Math.max(50, Math.min(probeMs, deadline - Date.now())));
      if (v === 1) return;
    } catch (e) {
      if (!(e instanceof TargetTimeoutError)) throw e;
      last = e;
    }
  }
  throw new Error(`target did not answer on its console within ${totalMs} ms` + (last ? ": " + (last as Error).message : ""));
}

export interface ConsoleUploadOptions {
  /** Time allowed for each step and for the boot to answer; default 10000 ms. */
  timeoutMs?: number;
  /**
   * Compact Storage after erasing the old bundle: an upload that died half-way had already
   * reserved the bundle's whole size, and its trash beside a new copy leaves no room for the
   * transaction logs (the firmware then stops at STORAGE ERROR / NO SPACE). Not power-safe on a
   * board (Storage.compact moves files through RAM): for the Linux interpreter's retry.
   */
  compact?: boolean;
}

/**
 * Write the bundle to Storage as fw.js + .bootcde and boot it; see the file comment. A string is
 * stored as UTF-8 text; a Buffer as those bytes (a pretokenised bundle, tools/pretokenise.ts).
 */
export async function uploadOverConsole(session: ConsoleSession, bundle: string | Buffer, opts: ConsoleUploadOptions = {}): Promise<void> {
  const t = opts.timeoutMs || 10000;
  const bytes = typeof bundle === "string" ? bundleBytes(bundle) : bundle.toString("latin1");
  await session.reboot("reset()");
  await waitReady(session, t);
  const S = 'require("Storage")';
  await session.eval(`${S}.erase(${jsByteString(FIRMWARE_FILE)})`, t);
  if (opts.compact) await session.eval(`${S}.compact()`, t);
  for (let off = 0; off < bytes.length || off === 0; off += UPLOAD_CHUNK) {
    const chunk = bytes.slice(off, off + UPLOAD_CHUNK);
    const args = off === 0 ? `0,${bytes.length}` : `${off}`;
    const ok = await session.eval(`${S}.write(${jsByteString(FIRMWARE_FILE)},${jsByteString(chunk)},${args})`, t);
    if (ok !== true) throw new Error(`upload: Storage.write of ${FIRMWARE_FILE} at ${off} returned ${JSON.stringify(ok)} (flash full?)`);
    if (bytes.length === 0) break;
  }
  const okBoot = await session.eval(`${S}.write(${jsByteString(BOOT_FILE)},${jsByteString(BOOT_CODE)})`, t);
  if (okBoot !== true) throw new Error(`upload: Storage.write of ${BOOT_FILE} returned ${JSON.stringify(okBoot)}`);
  const want = crc32(Buffer.from(bytes, "latin1")) | 0;
  const got = await session.eval(`E.CRC32(${S}.read(${jsByteString(FIRMWARE_FILE)}))|0`, t);
  if (got !== want) throw new Error(`upload: ${FIRMWARE_FILE} on the target has CRC32 ${got}, expected ${want}`);
  await session.reboot("load()");
  await waitReady(session, t);
}
