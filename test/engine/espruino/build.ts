/** Node side: bundles test/engine/espruino/replay-entry.ts for the interpreter (see espruino.test.ts). */
import { rollup } from "rollup";
import typescript from "@rollup/plugin-typescript";
import terser from "@rollup/plugin-terser";

/**
 * Terser options of rollup.config.js (what is flashed). `hoist: true` adds hoist_vars /
 * hoist_funs: Espruino hoists neither `var` nor function declarations, and terser's default
 * output relies on both (a `var` kept in one branch only, a function used above its declaration).
 */
export function terserOptions(hoist: boolean) {
  return {
    ecma: 5 as const,
    compress: Object.assign({ passes: 2, unsafe_arrows: false, reduce_funcs: true }, hoist ? { hoist_vars: true, hoist_funs: true } : {}),
    mangle: { toplevel: true },
    format: { comments: false, ascii_only: true },
  };
}

/** Bundle the replay entry with the firmware's compiler settings, minified as flashed. */
export async function buildReplayBundle(input?: string, hoist?: boolean): Promise<string> {
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
    plugins: [terser(terserOptions(!!hoist))],
  });
  await b.close();
  return output[0].code;
}

