/**
 * Where the firmware goes on a board's flash, and the upload that puts it there.
 *
 * A board boots the bundle from flash so function bodies stay out of RAM (shared/ESPRUINO.md).
 * Two placements:
 * - `storage`: the Storage file fw.js and a `.bootcde` that evals `require("Storage").read("fw.js")`
 *   (boards whose Storage holds the bundle beside the transaction logs: ESP32, Linux);
 * - `image`: the bytes written raw into flash Espruino reports free (`require("Flash").getFree()`)
 *   and a `.bootcde` that checks their CRC-32 and evals `E.memoryArea(addr, length)`. On an
 *   Espruino Pico that is the 128 KB sector at 0x08060000, so its 48 KB of Storage stays free for
 *   the logs. On an STM32 `Storage.read` returns exactly such a memory-area string
 *   (src/jsflash.c jsvAddressToVar), and the parser keeps every function's code as a pointer
 *   into it (src/jsparse.c, "Native String ... load function code straight from flash"): the RAM
 *   cost is the same as booting from Storage.
 *
 * The image upload is a script the espruino CLI sends like any program (after its reset()):
 * it checks that the area is free flash on this board, erases its pages, writes the bytes in
 * base64 chunks, reads them back through the CRC-32, and only then installs `.bootcde`, drops
 * an old fw.js and boots (`load()`). It prints one `FWIMAGE OK ...` or `FWIMAGE FAIL ...` line; an upload cut short
 * leaves an image whose CRC does not match, which the boot code refuses with a message instead
 * of running it.
 *
 * The CRC is the firmware's own (firmware/lib/crc32.ts), the value E.CRC32 gives on the board.
 *
 * Usage:
 *   const plan = planFlash("pico", bytes);         // throws FlashPlanError when it cannot fit
 *   writeFileSync("dist/flash-image.js", imageWriterScript(bytes, plan.area!));
 */

import { crc32 } from "../firmware/lib/crc32";

/** Flash the firmware may use on a board. */
export interface BoardFlash {
  /** Storage (Espruino's saved_code area) in bytes: the logs live here. */
  storageBytes: number;
  /** Free flash outside Storage the image may take (as Flash.getFree() reports it), or null. */
  freeArea: { addr: number; bytes: number; pageBytes: number } | null;
}

/**
 * From Espruino's boards/*.py (saved_code) and targets/stm32/jshardware.c (jshFlashGetFree).
 * The WiFi's free area is the 3 x 16 KB after its bootloader.
 */
export const BOARD_FLASH: Readonly<Record<string, BoardFlash>> = {
  pico: { storageBytes: 48 * 1024, freeArea: { addr: 0x08060000, bytes: 128 * 1024, pageBytes: 128 * 1024 } },
  wifi: { storageBytes: 64 * 1024, freeArea: { addr: 0x08004000, bytes: 48 * 1024, pageBytes: 16 * 1024 } },
};

/**
 * Storage the transaction logs need: both files of every log at once, the worst moment of a
 * compaction (storesFootprint in firmware/txn/store/txn-stores.ts: 30,624 bytes with the
 * defaults main.ts uses). test/tools/flash-image.test.ts fails if the logs grow past it.
 */
export const LOG_STORAGE_BYTES = 32 * 1024;

export class FlashPlanError extends Error {}

export interface FlashPlan {
  layout: "storage" | "image";
  /** For `image`: where the bytes go. */
  area: { addr: number; bytes: number; pageBytes: number } | null;
  /** One line saying where the firmware goes and what is left. */
  note: string;
}

const KB = (n: number): string => `${Math.round(n / 1024)} KB`;

/**
 * Where `storedBytes` of firmware go on `board`. auto: Storage when it fits there beside the
 * logs, else the free flash; storage / image: that placement, or a FlashPlanError saying why not.
 */
export function planFlash(board: string, storedBytes: number, layout: "auto" | "storage" | "image" = "auto"): FlashPlan {
  const f = BOARD_FLASH[board];
  if (!f) throw new FlashPlanError(`no flash layout known for board ${JSON.stringify(board)}`);
  const a = f.freeArea;
  const inStorage = storedBytes + LOG_STORAGE_BYTES + 1024 <= f.storageBytes; // 1 KB: pos.cfg, .bootcde, file headers
  const inImage = !!a && storedBytes <= a.bytes;
  if (layout !== "image" && inStorage) {
    return { layout: "storage", area: null, note: `Storage fw.js (${KB(storedBytes)} of ${KB(f.storageBytes)}, ${KB(LOG_STORAGE_BYTES)} kept for the logs)` };
  }
  if (layout !== "storage" && inImage) {
    return { layout: "image", area: a, note: `image at 0x${a!.addr.toString(16)} (${KB(storedBytes)} of the ${KB(a!.bytes)} free flash; Storage's ${KB(f.storageBytes)} left to the logs)` };
  }
  const storage = `its Storage is ${KB(f.storageBytes)}, ${KB(LOG_STORAGE_BYTES)} of it for the transaction logs`;
  const free = a ? `its free flash outside Storage is ${KB(a.bytes)}` : "it has no free flash outside Storage";
  const why = layout === "storage" ? storage : layout === "image" ? free : `${storage}, and ${free}`;
  throw new FlashPlanError(`the firmware (${storedBytes} bytes stored) does not fit ${layout === "auto" ? "this board" : "the " + layout + " layout"}: ${why}; see README Budgets for the boards it fits`);
}

const hex = (n: number): string => "0x" + n.toString(16);

/** The message a board prints at power-on when its image is missing or damaged. */
export const IMAGE_DAMAGED = "FIRMWARE IMAGE MISSING OR DAMAGED (CRC): run npm run flash";

/** `.bootcde` for an image: no globals of its own; evals the image only when its CRC matches. */
export function imageBootCode(area: { addr: number }, bytes: Uint8Array): string {
  const at = `E.memoryArea(${hex(area.addr)},${bytes.length})`;
  return `if(E.CRC32(${at})==${crc32(bytes, 0, bytes.length)})eval(${at});else print(${JSON.stringify(IMAGE_DAMAGED)});`;
}

/** Bytes per Flash.write line: 684 base64 characters, ~100 blocks of RAM while a line runs. */
export const CHUNK_BYTES = 512;

/** The upload script for an image (see the file comment). */
export function imageWriterScript(bytes: Uint8Array, area: { addr: number; bytes: number; pageBytes: number }): string {
  if (bytes.length === 0) throw new FlashPlanError("empty firmware image");
  if (bytes.length > area.bytes) throw new FlashPlanError(`the image (${bytes.length} bytes) is larger than the free flash at ${hex(area.addr)} (${area.bytes} bytes)`);
  // pad to whole words with 0xFF (programming 0xFF leaves erased flash as it is)
  const padded = new Uint8Array((bytes.length + 3) & ~3).fill(0xff);
  padded.set(bytes);
  const crc = crc32(bytes, 0, bytes.length);
  const lines: string[] = [];
  lines.push(`// npm run flash: firmware image, ${bytes.length} bytes, CRC-32 ${hex(crc)}, into free flash at ${hex(area.addr)}`);
  lines.push(
    `var F=require("Flash"),A=${hex(area.addr)},L=${bytes.length},G=F.getFree().some(function(a){return a.addr<=A&&A+L<=a.addr+a.length;});`,
  );
  lines.push(`if(!G)print("FWIMAGE FAIL: no free flash for "+L+" bytes at ${hex(area.addr)} on this board ("+JSON.stringify(F.getFree())+")");`);
  // the old boot file goes first: an upload cut short must not leave it pointing at half an image
  lines.push(`if(G)require("Storage").erase(".bootcde");`);
  for (let p = area.addr; p < area.addr + padded.length; p += area.pageBytes) lines.push(`if(G)F.erasePage(${hex(p)});`);
  for (let o = 0; o < padded.length; o += CHUNK_BYTES) {
    const chunk = Buffer.from(padded.subarray(o, Math.min(padded.length, o + CHUNK_BYTES))).toString("base64");
    lines.push(`if(G)F.write(atob("${chunk}"),A+${o});`);
  }
  lines.push(`if(G&&E.CRC32(E.memoryArea(A,L))!=${crc}){G=0;print("FWIMAGE FAIL: the flash at ${hex(area.addr)} does not read back what was written");}`);
  lines.push(`if(G){require("Storage").erase("fw.js");require("Storage").write(".bootcde",${JSON.stringify(imageBootCode(area, bytes))});print("FWIMAGE OK "+L+" bytes at ${hex(area.addr)}, CRC ${hex(crc)}");setTimeout(load,500);}`);
  return lines.join("\n") + "\n";
}
