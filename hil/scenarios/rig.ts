/**
 * Runs scenarios on a target: a fresh acquirer host simulator (in Node, loopback or the LAN
 * address a board reaches) and a fresh terminal for each scenario, the checks every scenario
 * must pass (ended with ledgerAgrees(), nothing `Uncaught` on the console), and the cleanup.
 *
 *   const rig = new ScenarioRig({ target: "virtual", firmware: code });
 *   const r = await rig.run(saleBySwipe);    // { ok, error?, log, wallMs }
 *   await rig.close();
 *
 * virtual: every scenario gets a new VirtualTerminal (every part modelled) with its own flash.
 * espruino-linux / board: the bundle is uploaded once, device models first (dist/models.js
 * installs `hilBuses` and `hil` before the firmware boots), then before each scenario the
 * terminal's stores are erased, pos.cfg is rewritten for that scenario's host and the board is
 * reset: the same clean start, over the console.
 */
import { existsSync, readFileSync } from "node:fs";
import { HostSimulator } from "../host/server";
import { createTarget, type TargetOptions } from "../rig/targets";
import { FIRMWARE_FILE, type Target } from "../rig/target";
import type { TerminalConfig } from "../../firmware/config";
import { defaultConfig } from "../../firmware/config";
import { TerminalTarget } from "./terminal-target";
import { ScenarioContext } from "./context";
import { booted } from "./flows";
import { scenarioTitle, type Scenario } from "./types";

export const FIRMWARE_PATH = "dist/firmware.js";
export const MODELS_PATH = "dist/models.js";

/** hil/inside options on the real targets (hil/inside/rig.ts InsideOptions). */
export const INSIDE_OPTIONS = { keyHoldMs: 250, keyGapMs: 150 };

/** pos.cfg for scenarios: short timeouts so a real target does not wait 30 s per lost reply. */
export const SCENARIO_CONFIG: Partial<TerminalConfig> = { connectMs: 3000, replyMs: 5000 };

export interface ScenarioRigOptions extends TargetOptions {
  /** Firmware bundle text; default dist/firmware.js. */
  firmware?: string;
  /** Device models bundle for the real targets; default dist/models.js. */
  models?: string;
  /** Where the host listens (default 127.0.0.1; a board on the LAN needs e.g. 0.0.0.0). */
  hostListen?: string;
  /** The host address written into pos.cfg (default 127.0.0.1; a board: this computer's LAN address). */
  hostIp?: string;
  /** Further pos.cfg fields. */
  config?: Partial<TerminalConfig>;
}

export interface ScenarioOutcome {
  title: string;
  ok: boolean;
  error?: string;
  /** The scenario's progress lines (actions, waits, host trail). */
  log: string[];
  wallMs: number;
}

/** Why a target cannot run scenarios yet (missing bundles), or "" when it can. */
export function missingBundle(target: string): string {
  if (!existsSync(FIRMWARE_PATH)) return `${FIRMWARE_PATH} is missing: run npm run build`;
  if (target !== "virtual" && !existsSync(MODELS_PATH)) return `${target} needs ${MODELS_PATH} (not built yet)`;
  return "";
}

export class ScenarioRig {
  private readonly o: ScenarioRigOptions;
  private readonly firmware: string;
  private realTarget: Target | null = null;

  constructor(o: ScenarioRigOptions) {
    this.o = o;
    this.firmware = o.firmware !== undefined ? o.firmware : readFileSync(FIRMWARE_PATH, "utf8");
  }

  get tid(): string {
    return (this.o.config && this.o.config.tid) || defaultConfig().tid;
  }

  /** Run one scenario on a clean terminal against a new host. */
  async run(s: Scenario): Promise<ScenarioOutcome> {
    const log: string[] = [];
    const t0 = Date.now();
    const title = scenarioTitle(s);
    const host = new HostSimulator({ port: 0, listen: this.o.hostListen });
    await host.listen();
    const cfg: Partial<TerminalConfig> = Object.assign({}, SCENARIO_CONFIG, this.o.config || {}, {
      hostIp: this.o.hostIp || "127.0.0.1",
      hostPort: host.port,
    });
    let target: Target | null = null;
    let ctx: ScenarioContext | null = null;
    try {
      target = await this.cleanTerminal(cfg);
      ctx = new ScenarioContext({ target: target, host: host, tid: this.tid, log: (l) => log.push(l) });
      await booted(ctx);
      target.takeErrors();
      await s.run(ctx);
      const uncaught = target.takeErrors();
      if (uncaught.length) throw new Error("the firmware printed Uncaught errors:\n  " + uncaught.join("\n  "));
      if (!ctx.endedWithLedgerCheck()) throw new Error("the scenario did not end with ctx.ledgerAgrees()");
      return { title: title, ok: true, log: log, wallMs: Date.now() - t0 };
    } catch (e) {
      const err = e as Error;
      let detail = err && err.message ? err.message : String(e);
      try {
        if (ctx) detail += "\n  LCD: " + JSON.stringify(await ctx.lcd()) + "\n  host: " + ctx.hostTrail();
      } catch (e2) {
        // the target is gone; the message says enough
      }
      return { title: title, ok: false, error: detail, log: log, wallMs: Date.now() - t0 };
    } finally {
      if (target && target === this.realTarget) target.takeOutput();
      else if (target) await target.close();
      await host.close();
    }
  }

  async close(): Promise<void> {
    if (this.realTarget) await this.realTarget.close();
    this.realTarget = null;
  }

  /** A terminal with empty stores and pos.cfg pointing at this scenario's host, booted. */
  private async cleanTerminal(cfg: Partial<TerminalConfig>): Promise<Target> {
    if (this.o.target === "virtual") {
      const t = new TerminalTarget({ config: cfg });
      await t.upload(this.firmware);
      return t;
    }
    if (!this.realTarget) {
      const why = missingBundle(this.o.target);
      if (why && this.o.models === undefined) throw new Error(why);
      const models = this.o.models !== undefined ? this.o.models : readFileSync(MODELS_PATH, "utf8");
      const t = createTarget(this.o);
      // the models first: they publish hilBuses (firmware/boards/linux.ts) and hil. Key taps are
      // held longer than on the virtual board: a tick of the interpreted firmware can outlast 80 ms
      const inside = "global.hilOptions=" + JSON.stringify(INSIDE_OPTIONS) + ";\n";
      await t.upload(inside + models + "\n;\n" + this.firmware);
      this.realTarget = t;
    }
    const t = this.realTarget;
    await t.eval(freshStartLine(cfg));
    await t.reset();
    return t;
  }
}

/**
 * One console line: erase every Storage file but the bundle and the boot files (the journal,
 * reversal queue, counters, language), write pos.cfg. Returns the files left.
 */
export function freshStartLine(cfg: Partial<TerminalConfig>): string {
  const keep = JSON.stringify([FIRMWARE_FILE]);
  return (
    '(function(){var s=require("Storage");s.list().forEach(function(f){if(f.charAt(0)!=="."&&' +
    keep +
    '.indexOf(f)<0)s.erase(f);});s.write("pos.cfg",' +
    JSON.stringify(JSON.stringify(cfg)) +
    ");return s.list();})()"
  );
}
