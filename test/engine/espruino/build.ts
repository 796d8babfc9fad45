/** Node side: bundles test/engine/espruino/replay-entry.ts for the interpreter (see espruino.test.ts). */
import { rollup } from "rollup";
import typescript from "@rollup/plugin-typescript";
import { espruinoFixes } from "../../../hil/inside/espruino-fixes.js";
import { FIRMWARE_FORMAT, FIRMWARE_TRANSFORMERS, firmwareTerser } from "../../../tools/bundle-options.js";

/**
 * Bundle the replay entry with the firmware's compiler settings, class unwrapping, output format
 * and terser options with its property plan (tools/bundle-options.js, this entry added to the
 * plan's program): minified as flashed. `fixes`
 * (default true) applies hil/inside/espruino-fixes.js after terser: Espruino hoists neither `var`
 * nor function declarations, and terser's output relies on both (without it, a `var` terser kept
 * in one branch only lets Message.setDigits overwrite the module-level desBlock with a number).
 */
export async function buildReplayBundle(input?: string, fixes?: boolean): Promise<string> {
  const entry = input || "test/engine/espruino/replay-entry.ts";
  const b = await rollup({
    input: entry,
    plugins: [
      typescript({
        // the firmware's settings (tsconfig.json), with this entry added to what is compiled
        tsconfig: false,
        compilerOptions: { target: "ES5", module: "ESNext", moduleResolution: "bundler", lib: ["ES5"], types: [], strict: true, isolatedModules: true, skipLibCheck: true, sourceMap: false },
        include: ["firmware/txn/**/*.ts", "firmware/hal/**/*.ts", "firmware/lib/**/*.ts", "test/engine/espruino/on-storage.ts", entry],
        noEmitOnError: true,
        transformers: FIRMWARE_TRANSFORMERS,
      }),
    ],
    onwarn: () => undefined,
  });
  const minified = firmwareTerser({ plan: { extraFiles: [entry] }, quiet: true });
  const { output } = await b.generate({
    format: FIRMWARE_FORMAT,
    strict: false,
    plugins: fixes === false ? [minified] : [minified, espruinoFixes()],
  });
  await b.close();
  return output[0].code;
}

