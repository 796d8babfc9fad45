/**
 * Bench entry (runs inside the interpreter): the terminal-side work of one sale, piece by piece,
 * with the firmware's own code: the PIN block under a double-length PIN key, pack the 0200 with
 * its MAC, unpack and MAC-check the 0210, the
 * flash writes (STAN, stored 0400, journal entry, reversal cleared) on Espruino's Storage, and
 * the merchant copy's receipt layout into a printer job. Timed and counted by the bench
 * (getTime, and callgrind's instruction count for a run of X(“all”, n)).
 *
 *   X(piece, n)  n rounds of "pack" | "unpack" | "journal" | "receipt" | "receipt-zh" | "all"; returns
 *                microseconds per round (and 0 rounds: the call's own overhead)
 */
import { Mac, MAC_UNIONPAY_ECB } from "../../../firmware/txn/crypto/mac";
import { DesKey } from "../../../firmware/txn/crypto/des";
import { useThumb } from "../../../firmware/txn/native/thumb";
import { pinBlockEncrypted } from "../../../firmware/txn/crypto/pin-block";
import { copyField, createUnionPayTable, ISO_OK, Message, pack, unpackReply } from "../../../firmware/txn/iso8583/index";
import { TxnStores } from "../../../firmware/txn/store/txn-stores";
import { JournalEntry, TXN_SALE } from "../../../firmware/txn/store/journal";
import { ReversalSlip } from "../../../firmware/txn/store/reversal-queue";
import { RW, RB, SLOTS, R_TYPE, R_TYPE_MSG, R_AMOUNT, R_STAN, R_BATCH, R_PAN_LEN, R_ENTRY, RB_AUTH, RB_RRN, RB_PAN } from "../../../firmware/ui/receipt-data";
import { JOB_MERCHANT, printJob } from "../../../firmware/ui/receipt";
import { V_SIZE, B_REC, V_CHINESE } from "../../../firmware/ui/ui-model";
import { MSG_SALE } from "../../../firmware/ui/messages.gen";
import type { Terminal } from "../../../firmware/app/terminal";
import { EscPosPrinter } from "../../../firmware/drivers/escpos-printer";
import { EventRing } from "../../../firmware/lib/event-ring";
import type { StoreLike } from "../../../firmware/hal/store";

declare const global: { [k: string]: unknown };
declare function getTime(): number;
declare function require(m: string): unknown;

// Espruino does not hoist function declarations: all declared before use.
function bytesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}
function hexOf(h: string): Uint8Array {
  const b = new Uint8Array(h.length >> 1);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
  return b;
}
function nothing(): void {}
function nowMs(): number {
  return 1700000000000;
}

const HEAD = hexOf("6000030000603100310000");
const PAN = bytesOf("6222021000009873");
const TRACK2 = bytesOf("6222021000009873=30121011234567800");
const PIN = bytesOf("123456");
const PIN_BLOCK = new Uint8Array(8);
// the PIN key as a sign-in with 60.3 = 003 gives it: 2-key triple DES (three DES blocks a PIN)
const pinKey = new DesKey();
pinKey.load(hexOf("0123456789ABCDEFFEDCBA9876543210"), 0, 16);
const table = createUnionPayTable();
const mac = new Mac(MAC_UNIONPAY_ECB);
mac.key.load(hexOf("1C2D3E4F5A6B7C8D"), 0, 8);
const req = new Message(table, 512);
const reqOfReply = new Message(table, 512);
const rep = new Message(table, 512);
const view = new Message(table, 0);
const tx = new Uint8Array(512);
const rx = new Uint8Array(512);
let rxLen = 0;
let stan = 1;

function buildSale(m: Message): void {
  const req = m;
  req.clear();
  req.head.set(HEAD);
  req.mti = 200;
  req.setDigits(2, PAN, 0, PAN.length);
  req.setNumeric(3, 0);
  req.setNumeric(4, 1250);
  req.setNumeric(11, stan);
  req.setNumeric(14, 3012);
  req.setNumeric(22, 21);
  req.setNumeric(25, 0);
  req.setNumeric(26, 12);
  req.setDigits(35, TRACK2, 0, TRACK2.length);
  req.setText(41, "10000001");
  req.setText(42, "898100012340001");
  req.setText(49, "156");
  if (pinBlockEncrypted(pinKey, PIN, 0, PIN.length, PAN, 0, PAN.length, PIN_BLOCK, 0) !== 0) throw new Error("PIN block");
  req.setBytes(52, PIN_BLOCK, 0, 8);
  req.setNumericDigits(60, 22000002000, 11);
}

function buildReply(): void {
  buildSale(reqOfReply);
  rep.clear();
  rep.head.set(HEAD);
  rep.mti = 210;
  const copy = [2, 3, 4, 11, 14, 25, 41, 42, 49, 60];
  for (let i = 0; i < copy.length; i++) copyField(rep, reqOfReply, copy[i]);
  rep.setNumeric(12, 101112);
  rep.setNumeric(13, 612);
  rep.setText(37, "101112654321");
  rep.setText(38, "A1B2C3");
  rep.setText(39, "00");
  if (pack(rep, rx, mac) !== ISO_OK) throw new Error("reply pack failed");
  rxLen = rep.packedLength;
}
buildReply();
// the stored 0400 of the journal round: the sale's reversal (no track 2, no PIN block), packed once
const frame = new Uint8Array(512);
const rev = new Message(table, 512);
buildSale(req);
rev.head.set(HEAD);
rev.mti = 400;
const revFields = [2, 3, 4, 11, 14, 22, 25, 41, 42, 49, 60];
for (let i = 0; i < revFields.length; i++) copyField(rev, req, revFields[i]);
if (pack(rev, frame, mac) !== ISO_OK) throw new Error("0400 pack failed");
const frameLen = rev.packedLength;

// flash: the production stores on Espruino's own Storage (fresh logs)
const storage = require("Storage") as StoreLike;
const stores = new TxnStores(storage);
stores.open();
const entry = new JournalEntry();
const slip = new ReversalSlip();

function journalRound(): number {
  if (stores.journal.nextKey >= stores.journal.capacity) return 1; // the bench settles between runs; a full journal stops here
  const s = stores.begin();
  if (!s) return 2;
  slip.type = TXN_SALE;
  slip.stan = s;
  slip.amount = 1250;
  slip.time = 1700000000;
  slip.pan.fromPan(PAN, PAN.length);
  if (!stores.reversals.persist(frame, frameLen, 13, slip)) return 3;
  entry.type = TXN_SALE;
  entry.status = 1;
  entry.amount = 1250;
  entry.stan = s;
  entry.batch = 1;
  entry.time = 1700000000;
  entry.respCode = 0x3030;
  entry.pan.fromPan(PAN, PAN.length);
  return stores.complete(entry) ? 0 : 4;
}

// receipt: the merchant copy's layout into a real printer job (on a serial that drops bytes);
// end() is not passed on, so the job is dropped (discard) instead of printed, round after round
const ring = new EventRing(8);
const printer = new EscPosPrinter({ serial: { write: nothing, on: nothing }, ring: ring, clock: { now: nowMs }, baud: 9600 });
function endKept(): number {
  return 1;
}
// the printer itself, its end() shadowed so the job stays being built (no wrapper: a call
// more per printer call would count against the layout)
(printer as unknown as { end: () => number }).end = endKept;
// what printJob reads of the terminal: the printer, the receipt header, record 0 (receipt-data.ts)
const receipts = {
  printer: printer,
  merchant: "DEMO MERCHANT",
  mid: "898100012340001",
  tid: "10000001",
  operator: "01",
  v: new Float64Array(V_SIZE),
  b: new Uint8Array(B_REC + SLOTS * RB),
  rec: new Float64Array(SLOTS * RW),
} as unknown as Terminal;
receipts.rec[R_TYPE] = 2;
receipts.rec[R_TYPE_MSG] = MSG_SALE;
receipts.rec[R_AMOUNT] = 1250;
receipts.rec[R_STAN] = 2;
receipts.rec[R_BATCH] = 1;
receipts.b.set(bytesOf("000001"), B_REC + RB_AUTH);
receipts.b.set(bytesOf("000000000001"), B_REC + RB_RRN);
receipts.b.set(bytesOf("622202******9873"), B_REC + RB_PAN);
receipts.rec[R_PAN_LEN] = 16;
receipts.rec[R_ENTRY] = 2;

function receiptRound(): number {
  const r = printJob(receipts, JOB_MERCHANT, 0, false);
  printer.discard();
  return r > 0 ? 0 : 5;
}

function round(what: string): number {
  let e = 0;
  if (what === "pack" || what === "all") {
    buildSale(req);
    e = pack(req, tx, mac);
    stan++;
  }
  if (!e && (what === "unpack" || what === "all")) e = unpackReply(rx, rxLen, view, reqOfReply, mac);
  if (!e && (what === "journal" || what === "all")) e = journalRound();
  if (!e && (what === "receipt" || what === "all")) e = receiptRound();
  if (what === "receipt-zh") {
    // the same copy with Chinese labels (GB18030 from the catalogue), as a printer set to zh prints it
    receipts.v[V_CHINESE] = 1;
    e = receiptRound();
    receipts.v[V_CHINESE] = 0;
  }
  return e;
}

// THUMB 1 (a global set before the entry loads): DES and unpack's field walk as the Pico's
// Thumb-2 machine code (an ARM interpreter that can run code in its memory only)
const thumbFailed = global.THUMB === 1 && !useThumb();

global.X = function (what: string, n: number): unknown {
  if (thumbFailed) return "THUMB set but the Thumb-2 code could not be turned on";
  const t0 = getTime();
  let err = 0;
  for (let i = 0; i < n && !err; i++) err = round(what);
  const t1 = getTime();
  if (err) return "error " + err + " in " + what;
  return n > 0 ? ((t1 - t0) * 1e6) / n : 0;
};
