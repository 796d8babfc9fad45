/** Node side: bundles test/engine/espruino/replay-entry.ts for the interpreter (see espruino.test.ts). */
import { rollup } from "rollup";
import typescript from "@rollup/plugin-typescript";
import terser from "@rollup/plugin-terser";
import { espruinoFixes } from "../../../hil/inside/espruino-fixes.js";

/** Terser options of rollup.config.js (what is flashed). */
const TERSER = {
  ecma: 5 as const,
  compress: { passes: 2, unsafe_arrows: false, reduce_funcs: true },
  mangle: { toplevel: true },
  format: { comments: false, ascii_only: true },
};

/**
 * Bundle the replay entry with the firmware's compiler settings, minified as flashed. `fixes`
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
        include: ["firmware/txn/**/*.ts", "firmware/hal/**/*.ts", "firmware/lib/**/*.ts", entry],
        noEmitOnError: true,
      }),
    ],
    onwarn: () => undefined,
  });
  const { output } = await b.generate({
    format: "iife",
    strict: false,
    plugins: fixes === false ? [terser(TERSER)] : [terser(TERSER), espruinoFixes()],
  });
  await b.close();
  return output[0].code;
}

