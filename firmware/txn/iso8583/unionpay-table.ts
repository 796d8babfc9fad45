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
import {
  FieldTable,
  FLAG_LEFT,
  FMT_AN,
  FMT_ANS,
  FMT_B,
  FMT_N,
  FMT_Z,
  LEN_FIXED,
  LEN_LL,
  LEN_LLL,
} from "./field-table";

/** TPDU (5) + header (6). */
export const UNIONPAY_HEAD_LENGTH = 11;

export function createUnionPayTable(): FieldTable {
  return new FieldTable({ headLength: UNIONPAY_HEAD_LENGTH, asciiMti: false, asciiPrefix: false })
    .define(2, FMT_N, LEN_LL, 19, 0) // PAN
    .define(3, FMT_N, LEN_FIXED, 6, 0) // processing code
    .define(4, FMT_N, LEN_FIXED, 12, 0) // amount, fen
    .define(11, FMT_N, LEN_FIXED, 6, 0) // STAN
    .define(12, FMT_N, LEN_FIXED, 6, 0) // local time hhmmss
    .define(13, FMT_N, LEN_FIXED, 4, 0) // local date MMDD
    .define(14, FMT_N, LEN_FIXED, 4, 0) // expiry YYMM
    .define(15, FMT_N, LEN_FIXED, 4, 0) // settlement date
    .define(22, FMT_N, LEN_FIXED, 3, FLAG_LEFT) // POS entry mode
    .define(23, FMT_N, LEN_FIXED, 3, 0) // card sequence number
    .define(25, FMT_N, LEN_FIXED, 2, 0) // condition code
    .define(26, FMT_N, LEN_FIXED, 2, 0) // PIN capture code
    .define(32, FMT_N, LEN_LL, 11, 0) // acquirer id (replies)
    .define(35, FMT_Z, LEN_LL, 37, 0) // track 2
    .define(36, FMT_Z, LEN_LLL, 104, 0) // track 3
    .define(37, FMT_AN, LEN_FIXED, 12, 0) // RRN
    .define(38, FMT_AN, LEN_FIXED, 6, 0) // auth code
    .define(39, FMT_AN, LEN_FIXED, 2, 0) // response code
    .define(41, FMT_ANS, LEN_FIXED, 8, 0) // terminal id
    .define(42, FMT_ANS, LEN_FIXED, 15, 0) // merchant id
    .define(44, FMT_ANS, LEN_LL, 25, 0) // issuer / acquirer ids (replies)
    .define(48, FMT_N, LEN_LLL, 322, 0) // settlement totals
    .define(49, FMT_AN, LEN_FIXED, 3, 0) // currency "156"
    .define(52, FMT_B, LEN_FIXED, 8, 0) // PIN block
    .define(53, FMT_N, LEN_FIXED, 16, 0) // security control
    .define(54, FMT_AN, LEN_LLL, 20, 0) // balance (inquiry reply)
    .define(55, FMT_B, LEN_LLL, 255, 0) // ICC data
    .define(58, FMT_B, LEN_LLL, 100, 0) // electronic purse data
    .define(60, FMT_N, LEN_LLL, 17, 0) // 60.1 type, 60.2 batch, 60.3 network mgmt
    .define(61, FMT_N, LEN_LLL, 29, 0) // original transaction info
    .define(62, FMT_B, LEN_LLL, 512, 0) // working keys / private data
    .define(63, FMT_ANS, LEN_LLL, 163, 0) // operator, issuer name...
    .define(64, FMT_B, LEN_FIXED, 8, 0); // MAC
}
