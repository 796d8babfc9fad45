/**
 * Terminals the host knows: id, merchant, master key, and the working keys it handed out at
 * the last sign-in. Keys stay in host memory only (never logged, never in a snapshot).
 */
import { parseKeyHex, type WorkingKeys } from "./crypto";

/** The project's provisioning defaults (firmware/config.ts defaultConfig), repeated here. */
export const DEFAULT_TERMINAL_ID = "10000001";
export const DEFAULT_MERCHANT_ID = "898100012340001";
export const DEFAULT_TEST_TMK = "0123456789ABCDEFFEDCBA9876543210";

export interface TerminalConfig {
  terminalId: string;
  merchantId: string;
  /** 16 or 32 hex digits. */
  tmk: string;
  /** Batch the host hands out at the first sign-in (default 000001). */
  batch?: string;
}

export interface TerminalSession {
  terminalId: string;
  merchantId: string;
  tmk: Buffer;
  /** Undefined until the terminal signs in. */
  keys?: WorkingKeys;
  /** 60.3 of the last sign-in: "001" single DES, "003"/"004" 3DES. */
  keyMode?: string;
  signIns: number;
}

export class TerminalRegistry {
  private readonly map = new Map<string, TerminalSession>();

  /** `defaultTmk`: when set, an unknown terminal id is registered on first contact with it. */
  constructor(
    terminals: TerminalConfig[],
    private readonly defaultTmk?: string,
  ) {
    for (const t of terminals) this.add(t);
  }

  add(t: TerminalConfig): TerminalSession {
    if (!/^[\x20-\x7e]{8}$/.test(t.terminalId)) throw new Error("terminal id must be 8 printable characters");
    if (!/^[\x20-\x7e]{15}$/.test(t.merchantId)) throw new Error("merchant id must be 15 printable characters");
    const s: TerminalSession = { terminalId: t.terminalId, merchantId: t.merchantId, tmk: parseKeyHex(t.tmk), signIns: 0 };
    this.map.set(t.terminalId, s);
    return s;
  }

  /** The session for a terminal id, registering it with the default TMK if allowed. */
  lookup(terminalId: string, merchantId: string | undefined): TerminalSession | undefined {
    const s = this.map.get(terminalId);
    if (s) return s;
    if (!this.defaultTmk || !merchantId || !/^[\x20-\x7e]{8}$/.test(terminalId) || !/^[\x20-\x7e]{15}$/.test(merchantId)) return undefined;
    return this.add({ terminalId: terminalId, merchantId: merchantId, tmk: this.defaultTmk });
  }

  get(terminalId: string): TerminalSession | undefined {
    return this.map.get(terminalId);
  }

  /** Forget the working keys (as if the host restarted): the terminal must sign in again. */
  dropKeys(terminalId: string): void {
    const s = this.map.get(terminalId);
    if (s) s.keys = undefined;
  }
}
