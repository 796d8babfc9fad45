/**
 * Model of a serial contact-chip reader module plus the connector's card-present switch.
 * Speaks the frame format documented in firmware/drivers/icc-frame.ts (written here again from
 * that description, not imported, so the driver's parser is checked against an independent
 * peer): STX LEN_HI LEN_LO [CMD data...] BCC ETX; replies [CMD, STATUS, data...].
 *
 * Behaviour: POWER_ON answers the card's ATR after `atrDelayMs` (ST_NO_CARD without a card,
 * ST_MUTE for a mute card); APDU is passed to the card and answered after `apduDelayMs`;
 * POWER_OFF deactivates. Commands are handled one at a time, in order. The outcome is decided
 * when the answer is due, so a card pulled while a command is in progress answers ST_NO_CARD
 * (removal "mid-APDU"). A frame with a bad checksum/ETX is answered [0x7F, ST_BAD_FRAME].
 * Faults: `silent` (stops answering, at once - even a command already in progress),
 * `corruptNextReply` (the next answer goes out with a wrong checksum).
 *
 * The switch (`presentSwitch`, a PinNet) closes to GND while a card is seated; with `insert(card,
 * bounceMs)` it bounces for `bounceMs` first. Without the MCU's pull-up an open switch floats
 * and reads low - i.e. "card present": the driver must enable the pull-up.
 * ES5-safe.
 */
import type { UartDevice, PinNet } from "./ports";
import type { ChipCard } from "./chip-card";

export interface TimerLike {
  setTimeout(fn: () => void, ms: number): number;
  now(): number;
}

export interface IccReaderModuleOptions {
  timers: TimerLike;
  atrDelayMs?: number;
  apduDelayMs?: number;
  offDelayMs?: number;
}

const STX = 0x02;
const ETX = 0x03;
const CMD_POWER_ON = 0x10;
const CMD_APDU = 0x11;
const CMD_POWER_OFF = 0x12;
const RSP_FRAME_ERROR = 0x7f;
const ST_OK = 0x00;
const ST_NO_CARD = 0x01;
const ST_MUTE = 0x02;
const ST_NOT_POWERED = 0x04;
const ST_BAD_COMMAND = 0x05;
const ST_BAD_FRAME = 0x06;
const MAX_PAYLOAD = 300;

export class IccReaderModule implements UartDevice {
  readonly presentSwitch: PinNet;
  /** The module stops answering (power brown-out, crashed firmware, unplugged TX). */
  silent = false;
  /** The next answer is sent with a wrong BCC. */
  corruptNextReply = false;
  /** The card in the slot, or null. */
  card: ChipCard | null = null;
  /** Contacts powered (between a good POWER_ON and POWER_OFF / removal). */
  powered = false;
  /** Good frames received so far (1 = the first). */
  commandCount = 0;
  /** Called for each good frame received, before it is handled: tests pull the card here. */
  onCommand: ((index: number, cmd: number, data: number[]) => void) | null = null;
  /** Called right after an answer is sent. */
  onReply: ((index: number, cmd: number, status: number) => void) | null = null;

  private send: ((data: string) => void) | null = null;
  private rx: number[] = [];
  private busyUntil = 0;
  private seatedAt = -1;
  private bounceMs = 0;
  private readonly timers: TimerLike;
  private readonly atrDelayMs: number;
  private readonly apduDelayMs: number;
  private readonly offDelayMs: number;

  constructor(options: IccReaderModuleOptions) {
    this.timers = options.timers;
    this.atrDelayMs = options.atrDelayMs !== undefined ? options.atrDelayMs : 40;
    this.apduDelayMs = options.apduDelayMs !== undefined ? options.apduDelayMs : 20;
    this.offDelayMs = options.offDelayMs !== undefined ? options.offDelayMs : 2;
    const self = this;
    this.presentSwitch = {
      driven: function () {
        // The switch is passive: driving the pin changes nothing on the module side.
      },
      level: function (pulledUp: boolean): boolean {
        return self.switchClosed() ? false : pulledUp;
      },
    };
  }

  attach(send: (data: string) => void): void {
    this.send = send;
  }

  /** Slide a card in: contacts touch at once, the switch closes (after bouncing). */
  insert(card: ChipCard, bounceMs?: number): void {
    this.card = card;
    this.powered = false;
    this.seatedAt = this.timers.now();
    this.bounceMs = bounceMs || 0;
  }

  /** Pull the card out, at any moment. */
  pull(): void {
    this.card = null;
    this.powered = false;
    this.seatedAt = -1;
  }

  private switchClosed(): boolean {
    if (!this.card || this.seatedAt < 0) return false;
    const t = this.timers.now() - this.seatedAt;
    if (t >= this.bounceMs) return true;
    return Math.floor(t / 3) % 2 === 1;
  }

  onReceive(data: string): void {
    for (let i = 0; i < data.length; i++) this.rx.push(data.charCodeAt(i) & 0xff);
    this.parse();
  }

  private parse(): void {
    for (;;) {
      while (this.rx.length > 0 && this.rx[0] !== STX) this.rx.shift();
      if (this.rx.length < 3) return;
      const len = (this.rx[1] << 8) | this.rx[2];
      if (len === 0 || len > MAX_PAYLOAD) {
        // Cannot tell where this frame ends: drop what is buffered, answer once.
        this.rx = [];
        this.frameError();
        return;
      }
      if (this.rx.length < len + 5) return;
      let bcc = this.rx[1] ^ this.rx[2];
      for (let i = 0; i < len; i++) bcc ^= this.rx[3 + i];
      if (bcc !== this.rx[3 + len] || this.rx[4 + len] !== ETX) {
        this.rx.splice(0, len + 5);
        this.frameError();
        continue;
      }
      const payload = this.rx.slice(3, 3 + len);
      this.rx.splice(0, len + 5);
      this.command(payload[0], payload.slice(1));
    }
  }

  private frameError(): void {
    this.later(1, RSP_FRAME_ERROR, function () {
      return [ST_BAD_FRAME];
    });
  }

  private command(cmd: number, data: number[]): void {
    const index = ++this.commandCount;
    if (this.onCommand) this.onCommand(index, cmd, data);
    const self = this;
    if (cmd === CMD_POWER_ON) {
      this.later(this.atrDelayMs, cmd, function () {
        if (!self.card) return [ST_NO_CARD];
        const atr = self.card.powerOn();
        if (!atr) return [ST_MUTE];
        self.powered = true;
        return [ST_OK].concat(atr);
      }, index);
    } else if (cmd === CMD_APDU) {
      this.later(this.apduDelayMs, cmd, function () {
        if (!self.card) return [ST_NO_CARD];
        if (!self.powered) return [ST_NOT_POWERED];
        return [ST_OK].concat(self.card.apdu(data));
      }, index);
    } else if (cmd === CMD_POWER_OFF) {
      this.later(this.offDelayMs, cmd, function () {
        self.powered = false;
        return [ST_OK];
      }, index);
    } else {
      this.later(1, cmd, function () {
        return [ST_BAD_COMMAND];
      }, index);
    }
  }

  /** Answer `cmd` after `ms` (after the commands before it); `outcome` runs when it is due. */
  private later(ms: number, cmd: number, outcome: () => number[], index?: number): void {
    const self = this;
    const now = this.timers.now();
    const due = (this.busyUntil > now ? this.busyUntil : now) + ms;
    this.busyUntil = due;
    this.timers.setTimeout(function () {
      if (self.silent) return;
      const body = outcome();
      self.reply([cmd].concat(body));
      if (self.onReply) self.onReply(index || 0, cmd, body[0]);
    }, due - now);
  }

  private reply(payload: number[]): void {
    if (!this.send) return;
    const len = payload.length;
    let bcc = ((len >> 8) & 0xff) ^ (len & 0xff);
    let s = String.fromCharCode(STX, (len >> 8) & 0xff, len & 0xff);
    for (let i = 0; i < len; i++) {
      bcc ^= payload[i];
      s += String.fromCharCode(payload[i]);
    }
    if (this.corruptNextReply) {
      this.corruptNextReply = false;
      bcc ^= 0x5a;
    }
    s += String.fromCharCode(bcc, ETX);
    this.send(s);
  }
}
