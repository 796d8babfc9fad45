// Types of tools/bundle-options.js (plain JS so rollup.config.js can import it).
import type { Plugin } from "rollup";
import type { CustomTransformerFactories } from "@rollup/plugin-typescript";
import type { TransformationContext, SourceFile, Transformer } from "typescript";
import type { ManglePlan, ManglePlanOptions } from "./mangle-plan";

/** Terser options that keep the output ES5 and keep what Espruino needs (no property renaming). */
export const ES5_TERSER: {
  ecma: 5;
  compress: { passes: number; unsafe_arrows: boolean; reduce_funcs: boolean };
  mangle: { toplevel: boolean };
  format: { comments: boolean; ascii_only: boolean };
};
/** The flashed bundle's rollup output format: the top level is the global scope ("cjs", no exports). */
export const FIRMWARE_FORMAT: "cjs";
/** Espruino's global names (jswrap_*.c of its source, every board), pins aside. */
export const ESPRUINO_GLOBALS: string[];
/** Every global name the bundle's own top-level names must avoid; the plan adds the rig's and the models'. */
export function forbiddenGlobals(plan: ManglePlan | null): Set<string>;
/** terser `mangle.nth_identifier` that never produces a name in `forbidden`. */
export function namesAvoiding(forbidden: Set<string>): { get(n: number): string };
/** ES5_TERSER plus `mangle.properties` from a plan; `nameCache` receives terser's renames. */
export function firmwareTerserOptions(plan: ManglePlan | null, nameCache?: object): Record<string, any>;
/** Second pass: rename a global-scope script's top-level names to ones no other global may take. */
export function renameTopLevel(code: string, forbidden: Set<string>, map?: object | null): Promise<{ code: string; map: object | null }>;
export interface FirmwareTerserOptions {
  /** Options for tools/mangle-plan.ts (extraFiles: an entry outside tsconfig.json's files); false: rename no properties. */
  plan?: ManglePlanOptions | false;
  /** Write { renamed, kept } there; true: beside the output file (dist/firmware.mangle.json). */
  report?: string | boolean;
  quiet?: boolean;
  /** Called with { source name: short name } after each chunk. */
  onRenames?: (renamed: Record<string, string>) => void;
}
/** Rollup output plugin: terser with the firmware's options and its property plan (global scope for FIRMWARE_FORMAT). */
export function firmwareTerser(options?: FirmwareTerserOptions): Plugin;
/** @rollup/plugin-terser with ES5_TERSER (the device models: no property renaming, an IIFE). */
export function es5Terser(): Plugin;
/** The typescript plugin's `transformers` for firmware code (class IIFEs unwrapped). */
export const FIRMWARE_TRANSFORMERS: CustomTransformerFactories;
/** TypeScript `after` transformer unwrapping top-level ES5 class IIFEs. */
export function unwrapClassIifes(context: TransformationContext): Transformer<SourceFile>;
