// Bundles the firmware into one plain ES5 script for Espruino (no import/export, built-in
// modules left as run-time require calls). Two outputs: minified (what is flashed) and a
// readable debug build. tools/build.ts runs this, then the ES5/runtime guard over both.
// How firmware code is compiled and minified lives in tools/bundle-options.js, shared with the
// bench's and the tests' builds of it.
import typescript from "@rollup/plugin-typescript";
import { espruinoFixes } from "./hil/inside/espruino-fixes.js";
import { FIRMWARE_FORMAT, FIRMWARE_TRANSFORMERS, es5Terser, firmwareTerser } from "./tools/bundle-options.js";

export default [
  {
    input: "firmware/main.ts",
    // TypeScript's ES5 class IIFEs unwrapped (FIRMWARE_TRANSFORMERS): no scope per class
    plugins: [typescript({ tsconfig: "./tsconfig.json", noEmitOnError: true, transformers: FIRMWARE_TRANSFORMERS })],
    output: [
      { file: "dist/firmware.debug.js", format: "iife", strict: false, plugins: [espruinoFixes()] },
      // What is flashed: its top level is the global scope (FIRMWARE_FORMAT), its names avoid every
      // other global, and the properties tools/mangle-plan.ts proves private to the firmware's
      // classes are renamed (what was: dist/firmware.mangle.json). espruinoFixes after terser:
      // Espruino does not hoist var/function declarations and cannot parse a bare `return` that
      // ends a function body (see hil/inside/espruino-fixes.js).
      { file: "dist/firmware.js", format: FIRMWARE_FORMAT, strict: false, plugins: [firmwareTerser({ report: true }), espruinoFixes()] },
    ],
  },
  {
    // The device models for a HIL rig on Espruino for Linux (hil/inside/main.ts): they run inside
    // the interpreter beside the firmware and publish global.hilBuses / global.hil. Not flashed
    // to boards.
    input: "hil/inside/main.ts",
    plugins: [typescript({ tsconfig: "./hil/inside/tsconfig.json", noEmitOnError: true })],
    output: [{ file: "dist/models.js", format: "iife", strict: false, plugins: [es5Terser(), espruinoFixes()] }],
  },
];
