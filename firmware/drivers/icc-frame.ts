/**
 * Serial frame format between the terminal and the contact-chip reader module ("ICC module":
 * a small MCU with an ISO 7816-3 interface chip that powers the card, answers with its ATR and
 * relays APDUs). This project defines it; a module speaking another protocol gets its own
 * version of this file. The bytes on the wire, both directions:
 *
 *   STX  LEN_HI LEN_LO  PAYLOAD[LEN]  BCC  ETX
 *   0x02 \-- big-endian --/           |    0x03
 *                                     XOR of LEN_HI, LEN_LO and every PAYLOAD byte
 *
 * LEN is 1..FRAME_MAX_PAYLOAD. STX/ETX may also occur inside the payload: the length, not a
 * byte search, delimits a frame (no escaping needed); BCC and ETX reject a misframed one.
 *
 * Terminal -> module, PAYLOAD = [CMD, data...]:
 *   CMD_POWER_ON  (no data)      cold reset, class A (5 V) then B; reply carries the ATR
 *   CMD_APDU      C-APDU bytes   the module runs T=0/T=1 and returns the R-APDU as is
 *                                (61xx / 6Cxx are left to the terminal: see icc.ts)
 *   CMD_POWER_OFF (no data)      deactivate the contacts
 * Module -> terminal, PAYLOAD = [CMD echoed, STATUS, data...]:
 *   POWER_ON: data = ATR;  APDU: data = response data + SW1 SW2;  POWER_OFF: no data.
 *   A frame the module could not read (bad BCC/ETX/LEN) is answered [RSP_FRAME_ERROR, ST_BAD_FRAME].
 * The module answers every command exactly once; it sends nothing unsolicited.
 *
 * Receiving: icc.ts parses frames byte by byte right in its receive handler (states P_*
 * below; a call per byte would be a transient allocation per byte on Espruino), and reports
 * FRAME_ERR_* codes. Sending: writeFrame().
 *
 * Usage (see icc.ts):
 *   writeFrame(serial, CMD_APDU, apdu, apduLen);
 */
import type { SerialLike } from "../hal/serial";

export const FRAME_STX = 0x02;
export const FRAME_ETX = 0x03;
export const FRAME_MAX_PAYLOAD = 300;

export const CMD_POWER_ON = 0x10;
export const CMD_APDU = 0x11;
export const CMD_POWER_OFF = 0x12;
/** The module's answer to a frame it could not read. */
export const RSP_FRAME_ERROR = 0x7f;

export const ST_OK = 0x00;
/** No card in the contacts (pulled, or never inserted). */
export const ST_NO_CARD = 0x01;
/** The card gave no ATR, or stopped answering (character waiting time exceeded). */
export const ST_MUTE = 0x02;
/** Parity / protocol error between module and card. */
export const ST_CARD_ERROR = 0x03;
/** APDU sent while the card is not powered. */
export const ST_NOT_POWERED = 0x04;
export const ST_BAD_COMMAND = 0x05;
export const ST_BAD_FRAME = 0x06;

/** Receive parser states (where the next byte goes). */
export const P_STX = 0;
export const P_LEN_HI = 1;
export const P_LEN_LO = 2;
export const P_DATA = 3;
export const P_BCC = 4;
export const P_ETX = 5;

/** Frame errors (ICC_ERR_FRAME's detail is -code). */
export const FRAME_ERR_LEN = -1;
export const FRAME_ERR_CHECKSUM = -2;
export const FRAME_ERR_ETX = -3;
/** Index by -code. */
export const FRAME_ERR_NAMES = ["", "bad length", "bad checksum", "no ETX"];

/**
 * Send one frame: [cmd, data[0 .. len)] byte by byte (no buffer to allocate; a frame is at most
 * a few hundred bytes). @hot
 */
export function writeFrame(serial: SerialLike, cmd: number, data: Uint8Array, len: number): void {
  const total = len + 1;
  const hi = (total >> 8) & 0xff;
  const lo = total & 0xff;
  let bcc = hi ^ lo ^ cmd;
  serial.write(FRAME_STX);
  serial.write(hi);
  serial.write(lo);
  serial.write(cmd);
  for (let i = 0; i < len; i++) {
    const b = data[i];
    bcc ^= b;
    serial.write(b);
  }
  serial.write(bcc);
  serial.write(FRAME_ETX);
}
