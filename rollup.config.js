// Bundles the firmware into one plain ES5 script for Espruino (no import/export, built-in
// modules left as run-time require calls). Two outputs: minified (what is flashed) and a
// readable debug build. tools/build.ts runs this, then the ES5/runtime guard over both.
import typescript from "@rollup/plugin-typescript";
import terser from "@rollup/plugin-terser";
import { espruinoFixes } from "./hil/inside/espruino-fixes.js";
import { ES5_TERSER, firmwareTerser } from "./tools/bundle-options.js";

const ts = () => typescript({ tsconfig: "./tsconfig.json", noEmitOnError: true });

/** Terser options that keep the output ES5 and keep what Espruino needs (tools/bundle-options.js). */
const es5 = terser(ES5_TERSER);

export default [
  {
    input: "firmware/main.ts",
    plugins: [ts()],
    output: [
      { file: "dist/firmware.debug.js", format: "iife", strict: false, plugins: [espruinoFixes()] },
      // espruinoFixes after terser: Espruino does not hoist var/function declarations and cannot
      // parse a bare `return` that ends a function body (see hil/inside/espruino-fixes.js).
      // firmwareTerser also renames the properties tools/mangle-plan.ts proves private to the
      // firmware's classes (what was renamed: dist/firmware.mangle.json).
      { file: "dist/firmware.js", format: "iife", strict: false, plugins: [firmwareTerser({ report: "dist/firmware.mangle.json" }), espruinoFixes()] },
    ],
  },
  {
    // The device models for a HIL rig on Espruino for Linux (hil/inside/main.ts): they run inside
    // the interpreter beside the firmware and publish global.hilBuses / global.hil. Not flashed
    // to boards.
    input: "hil/inside/main.ts",
    plugins: [typescript({ tsconfig: "./hil/inside/tsconfig.json", noEmitOnError: true })],
    output: [{ file: "dist/models.js", format: "iife", strict: false, plugins: [es5, espruinoFixes()] }],
  },
];
