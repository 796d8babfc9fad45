/**
 * Result codes of the persistence layer (firmware/txn/store). 0 = OK. The range 60..79 keeps
 * them apart from the ISO 8583 (1..27) and crypto (40..59) codes, so one number tells the UI
 * what went wrong. Nothing here throws: Storage exceptions are caught and become STORE_ERR_IO.
 */
export const STORE_OK = 0;
/** Storage threw or returned false (write refused, file vanished, power failing). */
export const STORE_ERR_IO = 60;
/** Flash has no room for the log's next file: compact Storage at a safe moment (nothing pending). */
export const STORE_ERR_NO_SPACE = 61;
/** The live records no longer fit one log file, even after compaction (log sized too small). */
export const STORE_ERR_LOG_FULL = 62;
/** Payload longer than the log's maximum record. */
export const STORE_ERR_TOO_BIG = 63;
/** Key outside 0..keys-1. */
export const STORE_ERR_BAD_KEY = 64;
/** open() has not succeeded. */
export const STORE_ERR_NOT_OPEN = 65;
/** Journal holds its maximum for this batch: settle first. */
export const STORE_ERR_JOURNAL_FULL = 66;
/** A reversal is already pending: it must be sent (or moved to manual handling) first. */
export const STORE_ERR_REVERSAL_PENDING = 67;
/** The 0400 carries a field that must never reach flash (26, 35, 36, 52 or 53). */
export const STORE_ERR_SENSITIVE_FIELD = 68;
/** The message is not a well-formed 0400 image (MTI, bitmap, field 2 prefix, length). */
export const STORE_ERR_BAD_MESSAGE = 69;
/** No such record (trace not in the journal, no pending reversal, no manual entry). */
export const STORE_ERR_NOT_FOUND = 70;
/** Manual-handling list full: the reversal stays pending until the operator clears an entry. */
export const STORE_ERR_MANUAL_FULL = 71;
/** Value out of range (STAN, batch, amount, status). */
export const STORE_ERR_RANGE = 72;

/** The names of codes 60..72, one string ("|" between them): one literal costs less than an array. */
const NAMES =
  "io|no space (compact storage)|log full|too big|bad key|not open|journal full, settle first|" +
  "reversal pending|sensitive field|bad message|not found|manual list full|out of range";

/** Name for logs and the UI; not for the hot path. */
export function storeErrorName(code: number): string {
  if (code === STORE_OK) return "ok";
  let from = 0;
  for (let i = STORE_ERR_IO; i < code && from >= 0; i++) {
    from = NAMES.indexOf("|", from);
    if (from >= 0) from++;
  }
  if (code < STORE_ERR_IO || from < 0) return "store error " + code;
  const to = NAMES.indexOf("|", from);
  return NAMES.substring(from, to < 0 ? NAMES.length : to);
}
