export interface EspruinoHazard {
  at: number;
  name: string;
  kind: "var" | "function";
}
/** Names used in a function before an unconditional declaration of them (Espruino does not hoist). */
export function hoistingHazards(code: string): EspruinoHazard[];
/** Offsets just after each bare `return` that ends a function body (Espruino 2v29 throws there). */
export function trailingBareReturns(code: string): number[];
/** The bundle with both fixed; counts of what was changed. */
export function fixForEspruino(code: string): { code: string; hoisted: number; trailingReturns: number; functionHazards: number };
/** Rollup output plugin applying fixForEspruino after minification. */
export function espruinoFixes(): { name: string; renderChunk(code: string, chunk: { fileName: string }): { code: string; map: null } | null };
