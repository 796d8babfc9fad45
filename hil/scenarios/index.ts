/**
 * Every HIL scenario, in the order the runner runs them (hil/run.ts, test/hil/scenarios.test.ts).
 * One file per group; README.md lists what each needs on a real rig.
 */
import type { Scenario } from "./types";
import { APPROVED_SCENARIOS } from "./approved";
import { INVALID_INPUT_SCENARIOS } from "./invalid-input";
import { HOST_FAULT_SCENARIOS } from "./host-faults";
import { CARD_FAULT_SCENARIOS } from "./card-faults";
import { POWER_CUT_SCENARIOS } from "./power-cut";
import { REVERSAL_REFUSED_SCENARIOS } from "./reversal-refused";
import { PRINTER_SCENARIOS } from "./printer";
import { SETTLEMENT_SCENARIOS } from "./settlement";
import { LOOKUP_SCENARIOS } from "./lookup";
import { scenarioTitle } from "./types";

export const SCENARIOS: Scenario[] = ([] as Scenario[]).concat(
  APPROVED_SCENARIOS,
  INVALID_INPUT_SCENARIOS,
  HOST_FAULT_SCENARIOS,
  CARD_FAULT_SCENARIOS,
  POWER_CUT_SCENARIOS,
  REVERSAL_REFUSED_SCENARIOS,
  PRINTER_SCENARIOS,
  SETTLEMENT_SCENARIOS,
  LOOKUP_SCENARIOS,
);

/** Scenarios whose "group: name" contains `text` (case-insensitive); all for "". */
export function selectScenarios(text: string): Scenario[] {
  const t = text.toLowerCase();
  return SCENARIOS.filter((s) => scenarioTitle(s).toLowerCase().indexOf(t) >= 0);
}
