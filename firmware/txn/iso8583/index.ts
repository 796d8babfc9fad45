/** ISO 8583 codec, UnionPay terminal profile: the pieces the engine and the host simulator use. */
export { FieldTable, FMT_N, FMT_AN, FMT_ANS, FMT_B, FMT_Z, LEN_FIXED, LEN_LL, LEN_LLL, FLAG_ASCII, FLAG_LEFT, SPEC_CHARS } from "./field-table";
export { fieldAttr, fieldFormat, fieldLenType, fieldFlags, fieldMax, fieldIsBcd, defineField } from "./field-table";
export type { FieldTableOptions } from "./field-table";
export { createUnionPayTable, UNIONPAY_HEAD_LENGTH } from "./unionpay-table";
export { copyField, Message, wipeMessage } from "./message";
export { frameLength, pack, unpack, unpackReply, verifyMac, MAC_FIELD } from "./codec";
export { writeAsciiDigits } from "./bcd";
export * from "./errors";
