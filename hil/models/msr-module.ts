/**
 * Model of a serial magnetic-stripe reader module (ID TECH MiniMag RS-232 "ID TECH format" /
 * MSR100-class / TTL swipe modules): on a swipe it sends the decoded tracks as ASCII,
 *   [STX] %<track 1>?[LRC] <sep> ;<track 2>?[LRC] <sep> ;|+<track 3>?[LRC] <terminator> [ETX]
 * with the options firmware/drivers/msr.ts documents (LRC = XOR of the bytes from start to end
 * sentinel). A track the module could not decode is sent as "<SS>E?". Configuration commands
 * from the host are not modelled (ignored).
 *
 * Swipe options reproduce what goes wrong at a counter: a partial swipe (the byte stream stops
 * after N bytes), line noise (bit flips at given or pseudo-random places, random bytes
 * inserted), a missing track, a reversed swipe (fine on a bidirectional module, "E" tracks on
 * one that only reads one way), a track the head could not read; and the `silent` fault (the
 * module sends nothing). ES5-safe.
 */
import type { UartDevice } from "./ports";
import { TestCard, track1Of, track2Of } from "./test-cards";

export interface MsrModuleOptions {
  /** Send an LRC byte after each end sentinel (default false). */
  lrc?: boolean;
  /** Between tracks (default CR). */
  separator?: string;
  /** After the last track (default CR LF). */
  terminator?: string;
  /** Wrap the swipe in STX ... ETX (UIC / MagTek style; default false). */
  wrap?: boolean;
  /** Start sentinel of track 3: ";" (ISO, default) or "+". */
  track3Sentinel?: string;
  /** Decodes swipes in both directions (default true). */
  bidirectional?: boolean;
}

export interface SwipeOptions {
  /** Partial swipe: only the first N bytes are sent. */
  cutAfter?: number;
  /** Byte indexes to corrupt by XOR with `flipMask` (default 0x01). */
  flip?: number[];
  flipMask?: number;
  /** Pseudo-random line noise: `flips` single-bit flips and `inserts` random bytes. */
  noise?: { seed: number; flips?: number; inserts?: number };
  /** Tracks (1..3) the module does not send (not on the card / not enabled). */
  missingTrack?: number[];
  /** Tracks (1..3) the head could not read: sent as "E". */
  failTrack?: number[];
  /** Card swiped the other way. */
  reversed?: boolean;
}

export class MsrModule implements UartDevice {
  /** The module sends nothing (unpowered, broken TX line). */
  silent = false;
  /** Bytes of the last swipe as sent (for assertions). */
  lastSent = "";
  private send: ((data: string) => void) | null = null;
  private readonly opts: MsrModuleOptions;

  constructor(options?: MsrModuleOptions) {
    this.opts = options || {};
  }

  attach(send: (data: string) => void): void {
    this.send = send;
  }

  onReceive(_data: string): void {
    // Configuration commands are not modelled.
  }

  /** Swipe `card`; returns the bytes sent ("" when silent). */
  swipe(card: TestCard, options?: SwipeOptions): string {
    const bytes = this.render(card, options || {});
    this.lastSent = this.silent ? "" : bytes;
    if (!this.silent && this.send && bytes.length > 0) this.send(bytes);
    return this.lastSent;
  }

  /** Bytes on the line with no card at all (noise on an idle line, a glitch at power-up). */
  lineNoise(bytes: string): void {
    if (!this.silent && this.send) this.send(bytes);
  }

  /** The bytes a swipe of `card` produces, faults applied. */
  render(card: TestCard, o: SwipeOptions): string {
    const m = this.opts;
    const parts: string[] = [];
    const unreadable = o.reversed && m.bidirectional === false;
    for (let n = 1; n <= 3; n++) {
      let data = n === 1 ? track1Of(card) : n === 2 ? track2Of(card) : card.track3;
      if (data === undefined || has(o.missingTrack, n)) continue;
      if (unreadable || has(o.failTrack, n)) data = "E";
      const ss = n === 1 ? "%" : n === 2 ? ";" : m.track3Sentinel || ";";
      let t = ss + data + "?";
      if (m.lrc) t += String.fromCharCode(lrcOf(t));
      parts.push(t);
    }
    let out = parts.join(m.separator !== undefined ? m.separator : "\r") + (m.terminator !== undefined ? m.terminator : "\r\n");
    if (m.wrap) out = "\x02" + out + "\x03";
    if (o.noise) out = addNoise(out, o.noise.seed, o.noise.flips || 0, o.noise.inserts || 0);
    if (o.flip) {
      const mask = o.flipMask || 0x01;
      for (let i = 0; i < o.flip.length; i++) {
        const at = o.flip[i];
        if (at >= 0 && at < out.length) {
          out = out.substr(0, at) + String.fromCharCode(out.charCodeAt(at) ^ mask) + out.substr(at + 1);
        }
      }
    }
    if (o.cutAfter !== undefined) out = out.substr(0, o.cutAfter);
    return out;
  }
}

/** XOR of the characters of a track from start to end sentinel. */
export function lrcOf(track: string): number {
  let x = 0;
  for (let i = 0; i < track.length; i++) x ^= track.charCodeAt(i);
  return x;
}

function has(list: number[] | undefined, n: number): boolean {
  return !!list && list.indexOf(n) >= 0;
}

/** Park-Miller minimal standard generator: deterministic on every JS engine. */
function nextRand(state: number[]): number {
  state[0] = (state[0] * 16807) % 2147483647;
  return state[0];
}

function addNoise(s: string, seed: number, flips: number, inserts: number): string {
  const st = [seed % 2147483646 + 1];
  for (let i = 0; i < flips; i++) {
    const at = nextRand(st) % s.length;
    const bit = nextRand(st) % 8;
    s = s.substr(0, at) + String.fromCharCode(s.charCodeAt(at) ^ (1 << bit)) + s.substr(at + 1);
  }
  for (let i = 0; i < inserts; i++) {
    const at = nextRand(st) % (s.length + 1);
    const b = nextRand(st) % 256;
    s = s.substr(0, at) + String.fromCharCode(b) + s.substr(at);
  }
  return s;
}
