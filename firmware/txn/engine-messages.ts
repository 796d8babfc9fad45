/**
 * What the engine's requests carry and where their bytes live (engine.ts builds them, in its
 * state step, into ONE preallocated Message `req`); field choices as PROTOCOL.md and
 * hil/host/README.md give them:
 * - financial (0200 sale 000000/22, balance 310000/01, void 200000/23; 0220 refund 200000/25):
 *   2 PAN, 3, 4, 11, 14 + 23 (chip), 22 entry mode (02x swipe, 05x chip, 01x no card; x = 1 with
 *   PIN, 2 without), 25 "00", 26 "12" + 52 + 53 with a PIN, 35/36 tracks, 37/38 original RRN /
 *   auth (void, refund), 41, 42, 49 "156", 55 ICC data, 60 = 60.1 + batch + "000" + "5" + "0",
 *   61 = original batch + trace (+ MMDD for a refund), 64 MAC (added by pack);
 * - sign-in 0800: 11, 41, 42, 60 = "00" + batch + "001"|"004", 63 operator;
 * - settlement 0500: 11, 41, 42, 48 (62 digits), 49, 60 = "00" + batch + "201", 63 operator;
 * - batch upload 0320: 11, 41, 42, 48 items, 60.3 "201"; closing 0320: 48 = count (4), 60.3 "202";
 * - reversal 0400: the request's 0400 image, packed in the same pass as the request (pack's
 *   second frame: every field but those that must never reach flash - 2, 14, 26, 35, 36, 52,
 *   53, 55 - and 64; no 39), and later rebuilt from the stored image with 39 = the current reason.
 *
 * Buffers (all allocated once, in the engine's constructor):
 * - `tx`: from the command until its request is built, the command's copy of the card and PIN
 *   block (layout TX_* below); then the packed financial request (the only frame with card data),
 *   wiped once the link has it. A sale prepared before the PIN prompt (prepareSale) has its
 *   request packed there already, but for the PIN block and MAC Enter writes into it;
 * - the request Message: the request being built; once it has left, the view over its reply (the
 *   reply is matched against the MTI, STAN and terminal id kept when it was sent);
 * - `rx`: replies; between exchanges the packed sign-in / 0400 / 0500 / 0320 (the link copies a
 *   frame before send() returns), the 0400 image until it is stored (from prepareSale on, for a
 *   prepared sale), field 48 being assembled;
 * - `cfg`: TPDU + header, terminal id, merchant id, operator, TMK, and a small digit scratch.
 */

/** Bytes for request field bodies: a chip sale with tracks 2 and 3 and 255 bytes of ICC data fits. */
export const REQUEST_CAPACITY = 480;

/** Card copy in tx (ASCII digits as CardData holds them; lengths in the engine's state). */
export const TX_PAN = 0; // 19; at 0: MaskedPan.fromPan reads from the start of a buffer
export const TX_EXPIRY = 19; // 4
export const TX_TRACK2 = 23; // 37
export const TX_TRACK3 = 60; // 104
export const TX_ICC = 164; // 255
export const TX_PIN = 419; // 8: the encrypted PIN block
export const TX_CARD_END = 427;

/** cfg layout. */
export const CFG_HEAD = 0; // 11: TPDU 60 DDDD SSSS + header 60|61 31 00 31 00 00
export const CFG_TID = 11; // 8
export const CFG_MID = 19; // 15
export const CFG_OPERATOR = 34; // up to 8
export const CFG_TMK = 42; // 8 or 16
export const CFG_TWO = 58; // 2: field 39 of a 0400
export const CFG_DIGITS = 60; // 64: composite digit fields (53, 60, 61) and reply digits (48, 60)
export const DIGITS_CAPACITY = 64;
export const CFG_SENT_TID = 124; // 8: field 41 of the request in flight (its reply must carry it)
export const CFG_BYTES = 132;
