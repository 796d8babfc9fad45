import type { ManglePlan, ManglePlanOptions } from "./mangle-plan";

/** Terser options that keep the output ES5 and keep what Espruino needs (no property renaming). */
export const ES5_TERSER: {
  ecma: 5;
  compress: { passes: number; unsafe_arrows: boolean; reduce_funcs: boolean };
  mangle: { toplevel: boolean };
  format: { comments: boolean; ascii_only: boolean };
};
/** ES5_TERSER plus `mangle.properties` from a plan; `nameCache` receives terser's renames. */
export function firmwareTerserOptions(plan: ManglePlan | null, nameCache?: object): Record<string, unknown>;
export interface FirmwareTerserOptions {
  /** Options for tools/mangle-plan.ts (extraFiles: an entry outside tsconfig.json's files); false: rename no properties. */
  plan?: ManglePlanOptions | false;
  /** Write { renamed, kept } there. */
  report?: string;
  quiet?: boolean;
  /** Called with { name: short } after each chunk. */
  onRenames?: (renamed: Record<string, string>) => void;
}
/** Rollup output plugin: terser with the firmware's options and its property-renaming plan. */
export function firmwareTerser(options?: FirmwareTerserOptions): { name: string; renderChunk(this: unknown, code: string, chunk: unknown, outputOptions: unknown): Promise<unknown> };
