/**
 * The China UnionPay terminal profile (PROTOCOL.md), as public UnionPay terminal code packs it
 * (CaoEnXin/LiaoYang_POS pack8583.c + st8583.c, dsand20142014/openpos unionpay iso8583.c/trans.c,
 * jPOS's BCD packagers):
 * - framing `[len 2 BE][TPDU 5][header 6][MTI 2 BCD][bitmap 8/16][fields]`;
 * - n fields BCD; fixed n of odd length RIGHT-aligned (leading 0 nibble: field 23 "001" -> 00 01),
 *   except field 22, which UnionPay terminals send LEFT-aligned ("%3.3s0": "021" -> 02 10;
 *   st8583.h sizes it 4 "to handle left alignment");
 * - variable n and z fields LEFT-aligned, pad nibble 0 after an odd digit count; the length
 *   prefix counts digits: LL = 1 BCD byte, LLL = 2 BCD bytes (0L LL);
 * - z (tracks 2/3): '=' separator is nibble D;
 * - an/ans ASCII; b raw bytes, LLL prefix counts bytes (55, 62);
 * - 48 (settlement totals, 62 digits) and 60/61 are n LLL BCD; 63 ans LLL (may hold GBK text).
 * On unpack a pad nibble may be 0 or F (some hosts pad with F).
 */
import { FieldTable } from "./field-table";

/** TPDU (5) + header (6). */
export const UNIONPAY_HEAD_LENGTH = 11;

/**
 * The fields, in FieldTable's `spec` layout (3 characters per field number from 0: attribute =
 * format | length type << 3 | flags << 5, maximum length high and low byte). One literal, so it
 * stays in flash; test/iso8583/table.test.ts holds it to the list written out in the comments.
 * Formats: n 1, an 2, ans 3, b 4, z 5; LL 0x08, LLL 0x10; FLAG_LEFT 0x40.
 */
const UNIONPAY_FIELDS =
  "\x00\x00\x00\x00\x00\x00" + // 0..1: none
  "\x09\x00\x13" + // 2 n LL 19: PAN
  "\x01\x00\x06" + // 3 n 6: processing code
  "\x01\x00\x0C" + // 4 n 12: amount, fen
  "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 5..10: none
  "\x01\x00\x06" + // 11 n 6: STAN
  "\x01\x00\x06" + // 12 n 6: local time hhmmss
  "\x01\x00\x04" + // 13 n 4: local date MMDD
  "\x01\x00\x04" + // 14 n 4: expiry YYMM
  "\x01\x00\x04" + // 15 n 4: settlement date
  "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 16..21: none
  "\x41\x00\x03" + // 22 n 3: POS entry mode (left-aligned)
  "\x01\x00\x03" + // 23 n 3: card sequence number
  "\x00\x00\x00" + // 24: none
  "\x01\x00\x02" + // 25 n 2: condition code
  "\x01\x00\x02" + // 26 n 2: PIN capture code
  "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 27..31: none
  "\x09\x00\x0B" + // 32 n LL 11: acquirer id (replies)
  "\x00\x00\x00\x00\x00\x00" + // 33..34: none
  "\x0D\x00\x25" + // 35 z LL 37: track 2
  "\x15\x00\x68" + // 36 z LLL 104: track 3
  "\x02\x00\x0C" + // 37 an 12: RRN
  "\x02\x00\x06" + // 38 an 6: auth code
  "\x02\x00\x02" + // 39 an 2: response code
  "\x00\x00\x00" + // 40: none
  "\x03\x00\x08" + // 41 ans 8: terminal id
  "\x03\x00\x0F" + // 42 ans 15: merchant id
  "\x00\x00\x00" + // 43: none
  "\x0B\x00\x19" + // 44 ans LL 25: issuer / acquirer ids (replies)
  "\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // 45..47: none
  "\x11\x01\x42" + // 48 n LLL 322: settlement totals
  "\x02\x00\x03" + // 49 an 3: currency "156"
  "\x00\x00\x00\x00\x00\x00" + // 50..51: none
  "\x04\x00\x08" + // 52 b 8: PIN block
  "\x01\x00\x10" + // 53 n 16: security control
  "\x12\x00\x14" + // 54 an LLL 20: balance (inquiry reply)
  "\x14\x00\xFF" + // 55 b LLL 255: ICC data
  "\x00\x00\x00\x00\x00\x00" + // 56..57: none
  "\x14\x00\x64" + // 58 b LLL 100: electronic purse data
  "\x00\x00\x00" + // 59: none
  "\x11\x00\x11" + // 60 n LLL 17: 60.1 type, 60.2 batch, 60.3 network mgmt
  "\x11\x00\x1D" + // 61 n LLL 29: original transaction info
  "\x14\x02\x00" + // 62 b LLL 512: working keys / private data
  "\x13\x00\xA3" + // 63 ans LLL 163: operator, issuer name...
  "\x04\x00\x08"; // 64 b 8: MAC

export function createUnionPayTable(): FieldTable {
  return new FieldTable({ headLength: UNIONPAY_HEAD_LENGTH, asciiMti: false, asciiPrefix: false, fields: UNIONPAY_FIELDS });
}
