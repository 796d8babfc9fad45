/**
 * A HIL scenario: a named story told to the terminal through the rig console, the same on the
 * virtual board, Espruino for Linux and a real board.
 *
 *   export const saleBySwipe: Scenario = {
 *     group: "approved", name: "sale by mag stripe", parts: ["keypad", "msr", "lcd", "printer"],
 *     async run(ctx) { await signIn(ctx); ...; await ctx.ledgerAgrees(); },
 *   };
 *
 * `parts` names the devices the scenario acts on or reads through `hil` (the README's wiring
 * table comes from it): on a real rig each must be either modelled (the device models uploaded
 * beside the firmware) or real with an actuator that answers the same `hil` call.
 */
import type { ScenarioContext } from "./context";

export type Part = "keypad" | "lcd" | "msr" | "icc" | "printer" | "power" | "host";

export interface Scenario {
  group: string;
  name: string;
  parts: Part[];
  /**
   * A firmware bug this scenario is known to expose (file and what happens), until fixed. The
   * runner still runs it and counts a failure as a failure; the mocha suite marks it pending
   * with this text, and fails once it passes so the note gets removed.
   */
  knownBug?: string;
  run(ctx: ScenarioContext): Promise<void>;
}

/** "group: name", what the runner prints and --grep matches. */
export function scenarioTitle(s: Scenario): string {
  return s.group + ": " + s.name;
}
