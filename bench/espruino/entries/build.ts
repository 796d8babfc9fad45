/**
 * Bundles a bench entry (bench/espruino/entries/*-entry.ts) for the interpreter: the firmware's
 * compiler settings, class unwrapping, output format and terser options with its property plan
 * (tools/bundle-options.js, the entry added to the plan's program), then the Espruino fixes, so
 * the driver and core code runs there as it does in dist/firmware.js.
 */
import { rollup } from "rollup";
import typescript from "@rollup/plugin-typescript";
import { fixForEspruino } from "../../../hil/inside/espruino-fixes.js";
import { FIRMWARE_FORMAT, FIRMWARE_TRANSFORMERS, firmwareTerser } from "../../../tools/bundle-options.js";

export async function buildEntry(entry: string): Promise<string> {
  const b = await rollup({
    input: entry,
    plugins: [
      typescript({
        tsconfig: false,
        compilerOptions: { target: "ES5", module: "ESNext", moduleResolution: "bundler", lib: ["ES5"], types: ["espruino"], strict: true, isolatedModules: true, skipLibCheck: true, sourceMap: false },
        include: ["firmware/**/*.ts", "types/espruino-extra.d.ts", "test/engine/espruino/on-storage.ts", entry],
        exclude: ["firmware/main.ts", "firmware/boards/**"],
        noEmitOnError: true,
        transformers: FIRMWARE_TRANSFORMERS,
      }),
    ],
    onwarn: () => undefined,
  });
  const { output } = await b.generate({ format: FIRMWARE_FORMAT, strict: false, plugins: [firmwareTerser({ plan: { extraFiles: [entry] }, quiet: true })] });
  await b.close();
  const fixed = fixForEspruino(output[0].code);
  if (fixed.functionHazards > 0) throw new Error(`${entry}: ${fixed.functionHazards} function(s) used before their declaration runs (Espruino does not hoist): declare them first`);
  return fixed.code;
}
