/**
 * `npm run hil [-- --target virtual|espruino-linux|board] [--port P] [--grep text]`: run the HIL
 * scenarios (hil/scenarios/) and print one line per scenario, then `N passed, N failed`.
 * Exit code 0 when all passed, 1 when any failed, 2 when the target cannot run them at all.
 *
 * Options (besides the target's own: --baud, --bin, --work-dir, --power-cut-cmd, see
 * hil/rig/targets.ts):
 *   --grep TEXT         only scenarios whose "group: name" contains TEXT
 *   --list              print the scenarios and exit
 *   --verbose           print each scenario's steps, not only a failing one's
 *   --host-listen ADDR  where the host simulator listens (default 127.0.0.1; a board: 0.0.0.0)
 *   --host-ip ADDR      the host address written into the terminal's pos.cfg (default 127.0.0.1;
 *                       a board: this computer's address on the board's network)
 *   --config JSON       further pos.cfg fields, e.g. '{"wifiSsid":"rig","wifiPassword":"..."}'
 *
 * virtual: builds dist/firmware.js first when a firmware source is newer. espruino-linux and
 * board also need the device models bundle dist/models.js (hil/inside); see hil/scenarios/README.md.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { targetOptionsFromArgv } from "./rig/targets";
import { FIRMWARE_PATH, missingBundle, ScenarioRig } from "./scenarios/rig";
import { selectScenarios } from "./scenarios/index";
import { scenarioTitle } from "./scenarios/types";

interface RunArgs {
  grep: string;
  list: boolean;
  verbose: boolean;
  hostListen?: string;
  hostIp?: string;
  config?: Record<string, unknown>;
}

function runArgs(argv: string[]): RunArgs {
  const a: RunArgs = { grep: "", list: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const eq = k.indexOf("=");
    const key = eq > 0 ? k.slice(0, eq) : k;
    const val = (): string => {
      const v = eq > 0 ? k.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(key + " needs a value");
      return v;
    };
    if (key === "--grep") a.grep = val();
    else if (key === "--list") a.list = true;
    else if (key === "--verbose") a.verbose = true;
    else if (key === "--host-listen") a.hostListen = val();
    else if (key === "--host-ip") a.hostIp = val();
    else if (key === "--config") {
      const v = JSON.parse(val());
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("--config must be a JSON object of pos.cfg fields");
      a.config = v;
    }
  }
  return a;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** npm run build when dist/firmware.js is missing or older than a firmware source. */
function ensureBuilt(): void {
  if (existsSync(FIRMWARE_PATH) && statSync(FIRMWARE_PATH).mtimeMs >= newestSource("firmware")) return;
  console.log("building " + FIRMWARE_PATH + " ...");
  execFileSync("npm", ["run", "build"], { stdio: "inherit" });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let topts;
  let args: RunArgs;
  try {
    topts = targetOptionsFromArgv(argv);
    args = runArgs(argv);
  } catch (e) {
    console.error("hil: " + (e as Error).message);
    return 2;
  }
  const list = selectScenarios(args.grep);
  if (args.list) {
    for (const s of list) console.log(scenarioTitle(s) + (s.knownBug ? "  [known bug]" : ""));
    return 0;
  }
  if (list.length === 0) {
    console.error(`hil: no scenario matches --grep ${JSON.stringify(args.grep)}`);
    return 2;
  }
  if (topts.target === "virtual") ensureBuilt();
  const missing = missingBundle(topts.target);
  if (missing) {
    console.error(missing);
    return 2;
  }
  const rig = new ScenarioRig(Object.assign({}, topts, { hostListen: args.hostListen, hostIp: args.hostIp, config: args.config }));
  console.log(`${list.length} scenarios on ${topts.target}`);
  let passed = 0;
  let failed = 0;
  try {
    for (const s of list) {
      const r = await rig.run(s);
      const secs = (r.wallMs / 1000).toFixed(1) + " s";
      if (r.ok) {
        passed++;
        console.log(`ok    ${r.title} (${secs})`);
      } else {
        failed++;
        console.log(`FAIL  ${r.title} (${secs})${s.knownBug ? "  [known bug]" : ""}`);
        console.log("      " + (r.error || "").split("\n").join("\n      "));
        if (s.knownBug) console.log("      known firmware bug: " + s.knownBug);
      }
      if (!r.ok || args.verbose) for (const l of r.log.slice(args.verbose ? 0 : -25)) console.log("        . " + l.split("\n").join("\n          "));
    }
  } finally {
    await rig.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error("hil: " + ((e as Error).stack || e));
    process.exit(2);
  },
);
