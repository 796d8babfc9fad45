/**
 * The terminal's state as numbers: the UI states, and where each value the terminal keeps sits
 * in its one Float64Array (Terminal.v, indexes V_*) and its one byte array (Terminal.b, offsets
 * B_*). Arrays instead of fields because on Espruino every object property costs a block or more
 * while a Float64Array costs ~8 bytes per value. The state machine (firmware/app/terminal.ts)
 * writes them; the painter (screens.ts), the receipts and the print queue read them.
 */

// UI states (T.state() names them with STATE_NAMES).
export const ST_IDLE = 0;
export const ST_MENU = 1;
export const ST_AMOUNT = 2;
export const ST_TRACE = 3; // trace number entry (void, query, reprint)
export const ST_RRN = 4; // refund: original reference number
export const ST_DATE = 5; // refund: original date MMDD
export const ST_CONFIRM = 6; // void: the original shown, ENTER confirms
export const ST_CARD = 7; // waiting for a swipe or an insert
export const ST_READING = 8; // chip being read
export const ST_PIN = 9;
export const ST_PROCESSING = 10; // the engine is working (stage text, countdown)
export const ST_RESULT = 11;
export const ST_QUERY = 12; // a journal entry, paged
export const ST_PAPER = 13; // printer out of paper / not answering: ENTER reprints
export const ST_FAULT = 14; // configuration error: refuses to transact

/** The states' names in ST_* order, comma-separated (one string costs far less than an array). */
export const STATE_NAMES = "IDLE,MENU,AMOUNT,TRACE,RRN,DATE,CONFIRM,CARD,READING,PIN,PROCESSING,RESULT,QUERY,PAPER,FAULT";

// What a trace number is entered for.
export const FOR_VOID = 1;
export const FOR_QUERY = 2;
export const FOR_REPRINT = 3;

/** Digits a trace number, a reference number and a date take. */
export const TRACE_DIGITS = 6;
export const RRN_DIGITS = 12;
export const DATE_DIGITS = 4;

/** Menu entries (keys 1..9, 0) and lines of the query view, paged by the display's rows. */
export const MENU_COUNT = 10;
export const QUERY_LINES = 7;

// ---- Terminal.v: what the screens show
export const V_STATE = 0; // ST_*
export const V_TXN = 1; // engine transaction type being set up or run (TXN_*), 0 none
export const V_AMOUNT = 2; // fen
export const V_DIGIT_LEN = 3; // digits typed for a trace / RRN / date (B_DIGITS)
export const V_PURPOSE = 4; // FOR_*
export const V_PIN_LEN = 5; // PIN digits typed (the digits are in Terminal.pin, not here)
export const V_PAGE = 6; // menu or query page
export const V_STAGE = 7; // engine progress (STAGE_*), 0 none yet
export const V_COUNTDOWN = 8; // seconds to the current timeout, -1 none shown
export const V_NOTICE_A = 9; // a transient message on the bottom row(s): message ids, -1 none
export const V_NOTICE_B = 10;
export const V_PAPER_MSG = 11; // LOAD PAPER / PRINTER FAULT
export const V_SIGNED_IN = 12;
export const V_CHIP_IN = 13; // a chip card sits in the reader
export const V_IS_CHIP = 14; // the transaction's card came from the chip
export const V_LCD_FAULT = 15; // the display reported a fault (the UI goes on)
export const V_TID_LEN = 16; // terminal id length (B_TID)
export const V_CLOCK = 17; // idle clock, yyyymmddhhmmss (format.ts)
// ---- the flow
export const V_CARD_READY = 18; // Terminal.card holds a card read for this transaction
export const V_FALLBACK = 19; // a chip card failed to read: its stripe may be used
export const V_ORIG_DATE = 20; // refund: original MMDD
export const V_CMD = 21; // engine command in flight (TXN_*), 0 none
export const V_STAGE_SEEN = 22; // reported by the engine, acted on by the loop
export const V_RESULT_SEEN = 23;
export const V_SIDE_SEEN = 24; // a reversal settled on the way to another transaction
export const V_COMPLETE_AT = 25; // chip completion due (UI ms), 0 none
export const V_DEADLINE = 26; // the countdown's end (UI ms), 0 none
export const V_LAST_STAGE = 27;
export const V_DIRTY = 28; // repaint on this tick
export const V_NOTICE_UNTIL = 29;
export const V_RESULT_UNTIL = 30;
export const V_INPUT_UNTIL = 31;
export const V_SHOWN_MINUTE = 32; // the idle clock's minute on screen, -1 none
export const V_PAPER_WANTED = 33;
export const V_PAPER_RETURN = 34; // the state the paper screen goes back to
/**
 * The UI's own monotonic time (ms): wall-clock steps, clamped, so a clock set by the host at
 * sign-in neither fires nor freezes the screen timers. The wall clock is only shown.
 */
export const V_NOW = 35;
export const V_LAST_WALL = 36;
export const V_RESULTS = 37; // results taken from the engine so far
export const V_CHINESE = 38; // receipts print Chinese labels
// ---- settings (options and pos.cfg)
export const V_COMPLETION_MS = 39;
export const V_NOTICE_MS = 40;
export const V_RESULT_MS = 41;
export const V_INPUT_MS = 42;
export const V_MAX_AMOUNT = 43;
export const V_CONNECT_MS = 44;
export const V_REPLY_MS = 45;
export const V_PRINT_DECLINED = 46;
// ---- the print queue (print-queue.ts)
export const V_Q_HEAD = 47;
export const V_Q_COUNT = 48; // entries waiting or printing
export const V_Q_ACTIVE = 49; // job id of the head entry while it prints, 0 none
export const V_Q_FAILED = 50; // the head entry's job failed and is kept by the printer
export const V_Q_ERROR = 51; // PRN_ERR_* of the last failure
export const V_Q_DROPPED = 52; // entries dropped: queue or record pool full
/** The sale request the engine prepared for the PIN prompt: its token, -1 to prepare at the next pass (before the prompt is painted), 0 none. */
export const V_PREP = 53;
/**
 * The PIN block made as the sixth digit is typed (a UnionPay PIN's length), into the prepared
 * request with its MAC, while the cardholder reaches for ENTER: -1 to make at the next pass
 * (after the screen shows the digit), 1 made for the digits typed, 0 none (any other key).
 */
export const V_PIN_EARLY = 54;
export const V_SIZE = 55;

// ---- Terminal.b
export const B_TID = 0; // terminal id, ASCII (8)
export const B_DIGITS = 8; // digits typed, ASCII (12)
export const Q_CAPACITY = 8;
export const B_Q_KIND = 20; // per queue entry: JOB_*
export const B_Q_SLOT = B_Q_KIND + Q_CAPACITY; // its record slot
export const B_Q_REPRINT = B_Q_SLOT + Q_CAPACITY; // 1: marked REPRINT
export const B_TMP = B_Q_REPRINT + Q_CAPACITY; // formatting scratch (40)
export const TMP_SIZE = 40;
export const B_LINE = B_TMP + TMP_SIZE; // a slip line composed before it is printed (32)
export const B_REC = B_LINE + 32; // receipt records' bytes (receipt-data.ts)
