/**
 * ESC/POS printer driver: result codes, states and the command bytes it sends.
 * Split from escpos-printer.ts so the app can import the codes without the driver class.
 * Commands as in the Epson ESC/POS Command Reference (and the 58 mm Chinese modules that copy it).
 */

/** Result codes: returned by the job builder, and `b` of EV_PRINT_FAILED. */
export const PRN_OK = 0;
/** DLE EOT 4 says the roll is out (bits 5-6). The job is kept for `reprint()`. */
export const PRN_ERR_PAPER_OUT = 1;
/** The printer did not answer a status query in time (unplugged, off, hung). Job kept. */
export const PRN_ERR_NO_ANSWER = 2;
/** The job did not fit in the job buffer. Nothing was printed; build a shorter job. */
export const PRN_ERR_OVERFLOW = 3;
/** The busy pin stayed high past busyTimeoutMs while the printer reported paper. Job kept. */
export const PRN_ERR_BUSY_TIMEOUT = 4;
/** Builder only: text outside the allowed bytes (text(): replaced by '?'; gbTextAt(): refused). */
export const PRN_ERR_BAD_TEXT = 5;
/** Builder only: an argument out of range (align, feed, a text range). Nothing written. */
export const PRN_ERR_BAD_ARG = 6;
/** Builder only: called outside begin()..end(). Nothing written. */
export const PRN_ERR_STATE = 7;

/** What `state()` reports. */
export const PRN_IDLE = 0; // ready for begin()
export const PRN_BUILDING = 1; // between begin() and end()
export const PRN_PRINTING = 2; // queued, status query or output in progress
export const PRN_FAILED = 3; // a failed job is kept: reprint() or discard()

// Command bytes.
export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

/**
 * DLE EOT 4 (real-time, answered even while the printer is offline or its buffer is full):
 * one byte, bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0 (so `(b & 0x93) === 0x12` tells a
 * status byte from XON/XOFF or ASB bytes); bits 2-3 = roll near end, bits 5-6 = roll end.
 */
export const STATUS_MASK = 0x93;
export const STATUS_FIXED = 0x12;
export const STATUS_NEAR_END = 0x0c;
export const STATUS_PAPER_END = 0x60;
