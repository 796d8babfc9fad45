/**
 * npx tsx bench/boot-memory.ts — the firmware's boot memory on the interpreter, quickly: blocks
 * after boot (fw.js in Storage beside stub buses) and where they go (module definitions and
 * main.ts's boot steps, largest first), without the rest of `npm run bench`. Needs a built
 * dist/firmware.js and ESPRUINO_BIN_LARGE (or ESPRUINO_BIN) pointing at Espruino for Linux with
 * enough blocks for the firmware to boot.
 */
import { measureBoot, measureModules } from "./espruino/boot";

async function main(): Promise<void> {
  const bin = process.env.ESPRUINO_BIN_LARGE || process.env.ESPRUINO_BIN;
  if (!bin) {
    console.log("skipped: set ESPRUINO_BIN_LARGE (or ESPRUINO_BIN) to an Espruino for Linux binary");
    return;
  }
  const boot = await measureBoot(bin);
  console.log(`interpreter: ${bin} (${boot.totalBlocks} blocks of ${boot.blockBytes} B)`);
  console.log(`firmware after boot, beside the models: ${boot.firmware === null ? "out of memory" : boot.firmware + " blocks"}`);
  console.log(`firmware after boot, stub buses:        ${boot.stubsAndFirmware === null || boot.stubs === null ? "out of memory" : boot.stubsAndFirmware - boot.stubs + " blocks"}`);
  const m = await measureModules(bin);
  console.log(`\nwhere they go (${m.reached}/${m.markers} markers reached${m.lastBeforeOom ? ", out of memory after " + m.lastBeforeOom : ""}):`);
  const rows = m.costs.slice().sort((a, b) => b.blocks - a.blocks);
  let sum = 0;
  for (const c of rows) sum += c.blocks;
  for (const c of rows) if (c.blocks) console.log(`  ${String(c.blocks).padStart(6)}  ${c.label}`);
  console.log(`  ${String(sum).padStart(6)}  total`);
  console.log("\nwhat main.ts's objects hold (blocks, largest properties):");
  for (const o of m.objects) console.log(`  ${String(o.blocks).padStart(6)}  ${o.name}: ${o.largest.map((p) => p[0] + " " + p[1]).join(", ")}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
