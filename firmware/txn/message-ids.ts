/**
 * The message ids the transaction core puts in TxnResult.msgId: a copy of the numbers in
 * firmware/ui/messages.gen.ts (generated from firmware/ui/messages.json), so firmware/txn imports
 * nothing from ui. test/engine/message-ids.test.ts fails when a number here differs from the
 * generated module: after changing the catalogue, copy the new numbers here.
 */
export const MSG_REVERSAL_FAILED = 11;
export const MSG_RC_00 = 12;
export const MSG_RC_01 = 13;
export const MSG_RC_03 = 14;
export const MSG_RC_05 = 15;
export const MSG_RC_12 = 16;
export const MSG_RC_13 = 17;
export const MSG_RC_14 = 18;
export const MSG_RC_25 = 19;
export const MSG_RC_30 = 20;
export const MSG_RC_33 = 21;
export const MSG_RC_41 = 22;
export const MSG_RC_43 = 23;
export const MSG_RC_51 = 24;
export const MSG_RC_55 = 25;
export const MSG_RC_57 = 26;
export const MSG_RC_61 = 27;
export const MSG_RC_62 = 28;
export const MSG_RC_65 = 29;
export const MSG_RC_75 = 30;
export const MSG_RC_77 = 31;
export const MSG_RC_94 = 32;
export const MSG_RC_96 = 33;
export const MSG_RC_97 = 34;
export const MSG_RC_98 = 35;
export const MSG_RC_A0 = 36;
export const MSG_RC_OTHER = 37;
export const MSG_ACT_RETRY_LATER = 38;
export const MSG_ACT_OTHER_CARD = 39;
export const MSG_ACT_CALL_ISSUER = 40;
export const MSG_ACT_REENTER_PIN = 41;
export const MSG_ACT_REENTER_AMOUNT = 42;
export const MSG_ACT_SIGN_IN = 43;
export const MSG_ACT_CALL_SUPPORT = 44;
export const MSG_ACT_KEEP_CARD = 45;
export const MSG_OUT_NO_RESPONSE = 46;
export const MSG_OUT_WILL_REVERSE = 47;
export const MSG_OUT_CARD_REMOVED = 48;
export const MSG_OUT_ABORTED = 49;
export const MSG_OUT_REVERSED = 50;
export const MSG_OUT_REVERSAL_PENDING = 51;
export const MSG_OUT_STORAGE_ERROR = 52;
export const MSG_OUT_JOURNAL_FULL = 53;
export const MSG_ACT_SETTLE_FIRST = 54;
export const MSG_OUT_NOT_FOUND = 55;
export const MSG_OUT_BUSY = 56;
export const MSG_OUT_SETTLED = 57;
export const MSG_OUT_SETTLE_FAILED = 58;
export const MSG_OUT_SIGNED_IN = 59;
export const MSG_OUT_KEY_ERROR = 60;
export const MSG_OUT_NOT_SIGNED_IN = 61;
export const MSG_RC_21 = 62;
export const MSG_RC_64 = 63;
export const MSG_RC_54 = 64;
