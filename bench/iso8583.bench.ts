// Bench: pack + MAC + unpack of a sale request/reply per second, ours against the npm iso_8583
// codec doing the same work, side by side. Figures only, no assertions.
//   npx tsx bench/iso8583.bench.ts
// iso_8583 has no BCD or TPDU/header, so it runs the same sale in its ASCII encoding (the field
// set and lengths of our UnionPay table); the MAC on its side is our UnionPay ECB MAC over its
// bytes, so both sides pay the same crypto and the ratio measures the codecs.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { DesKey, desBlock } from "../firmware/txn/crypto/des";
import { Mac, MAC_UNIONPAY_ECB, retailMac } from "../firmware/txn/crypto/mac";
import {
  copyField,
  createUnionPayTable,
  ISO_OK,
  isoErrorName,
  Message,
  pack,
  unpackReply,
} from "../firmware/txn/iso8583/index";

const Iso8583 = createRequire(import.meta.url)("iso_8583");

const HEAD = Buffer.from("6000030000603100310000", "hex");
const PAN = Buffer.from("6222021234567890123");
const TRACK2 = Buffer.from("6222021234567890123=25122011234567890");
const PIN_BLOCK = Buffer.from("0412AC89ABCDEF67", "hex");

/** Run `fn` repeatedly for about `ms` milliseconds (after a warm-up); returns calls per second. */
function rate(fn: () => void, ms = 1000): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    now = process.hrtime.bigint();
  }
  return (n * 1e9) / Number(now - start);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US").padStart(12);
}

export function runIso8583Bench(): void {
  // ---------------------------------------------------------------- ours (UnionPay BCD profile)
  const table = createUnionPayTable();
  const mac = new Mac(MAC_UNIONPAY_ECB);
  mac.key.load(Buffer.from("1C2D3E4F5A6B7C8D", "hex"), 0, 8);
  const req = new Message(table, 512);
  const view = new Message(table, 0);
  const txBuf = new Uint8Array(512);
  let stan = 1;
  function buildSale(): void {
    req.clear();
    req.head.set(HEAD);
    req.mti = 200;
    req.setDigits(2, PAN, 0, PAN.length);
    req.setNumeric(3, 0);
    req.setNumeric(4, 12345);
    req.setNumeric(11, stan);
    req.setNumeric(14, 2512);
    req.setNumeric(22, 21);
    req.setNumeric(25, 0);
    req.setNumeric(26, 12);
    req.setDigits(35, TRACK2, 0, TRACK2.length);
    req.setText(41, "12345678");
    req.setText(42, "898440358120001");
    req.setText(49, "156");
    req.setBytes(52, PIN_BLOCK, 0, 8);
    req.setNumericDigits(60, 22000002000, 11);
  }
  // the host's reply to STAN 1, packed once
  buildSale();
  const rep = new Message(table, 512);
  rep.head.set(HEAD);
  rep.mti = 210;
  for (const f of [2, 3, 4, 11, 14, 25, 41, 42, 49, 60]) copyField(rep, req, f);
  rep.setNumeric(12, 101112);
  rep.setNumeric(13, 612);
  rep.setText(37, "101112654321");
  rep.setText(38, "A1B2C3");
  rep.setText(39, "00");
  const rxBuf = new Uint8Array(512);
  if (pack(rep, rxBuf, mac) !== ISO_OK) throw new Error("reply pack failed");
  const rxLen = rep.packedLength;

  function oursRound(withMac: boolean): void {
    buildSale();
    const e1 = pack(req, txBuf, withMac ? mac : null);
    const e2 = unpackReply(rxBuf, rxLen, view, req, withMac ? mac : null);
    if (e1 !== ISO_OK || (e2 !== ISO_OK && withMac)) throw new Error(isoErrorName(e1 || e2));
  }

  // ---------------------------------------------------------------- iso_8583 (ASCII encoding)
  const formats: Record<string, unknown> = {
    22: { ContentType: "n", Label: "entry mode", LenType: "fixed", MaxLen: 3 },
    60: { ContentType: "n", Label: "reserved", LenType: "lllvar", MaxLen: 17 },
    64: { ContentType: "b", Label: "MAC", LenType: "fixed", MaxLen: 16 },
  };
  const macOut = new Uint8Array(8);
  const reqJson = () => ({
    0: "0200",
    2: PAN.toString(),
    3: "000000",
    4: String(12345).padStart(12, "0"),
    11: String(stan).padStart(6, "0"),
    14: "2512",
    22: "021",
    25: "00",
    26: "12",
    35: TRACK2.toString(),
    41: "12345678",
    42: "898440358120001",
    49: "156",
    52: PIN_BLOCK.toString("hex"),
    60: "22000002000",
    64: "0000000000000000",
  });
  const repJson: Record<string, string> = {
    0: "0210",
    2: PAN.toString(),
    3: "000000",
    4: "000000012345",
    11: "000001",
    12: "101112",
    13: "0612",
    14: "2512",
    25: "00",
    37: "101112654321",
    38: "A1B2C3",
    39: "00",
    41: "12345678",
    42: "898440358120001",
    49: "156",
    60: "22000002000",
    64: "0000000000000000",
  };
  const theirReply: Buffer = new Iso8583(repJson, formats).getBufferMessage();
  // MAC the reply like a host would: over MTI .. before 64, into the last 8 bytes
  mac.compute(theirReply, 2, theirReply.length - 10, theirReply, theirReply.length - 8);

  function theirRound(withMac: boolean): void {
    const wire: Buffer = new Iso8583(reqJson(), formats).getBufferMessage();
    if (withMac) mac.compute(wire, 2, wire.length - 10, wire, wire.length - 8);
    const json = new Iso8583({}, formats).getIsoJSON(theirReply, {});
    if (json.error || json[11] !== "000001" || json[41] !== "12345678") throw new Error("iso_8583 reply");
    if (withMac) {
      mac.compute(theirReply, 2, theirReply.length - 10, macOut, 0);
      for (let i = 0; i < 8; i++) if (macOut[i] !== theirReply[theirReply.length - 8 + i]) throw new Error("MAC");
    }
  }

  // ---------------------------------------------------------------- crypto alone
  const key1 = new DesKey();
  key1.load(Buffer.from("0123456789ABCDEF", "hex"), 0, 8);
  const key2 = new DesKey();
  key2.load(Buffer.from("0123456789ABCDEFFEDCBA9876543210", "hex"), 0, 16);
  const block = new Uint8Array(8);
  const data = new Uint8Array(rxLen - 13);
  const macBuf = new Uint8Array(8);

  oursRound(true);
  const reqLen = req.packedLength;
  const theirReq: Buffer = new Iso8583(reqJson(), formats).getBufferMessage();
  console.log("ISO 8583 sale: pack request (+ MAC) and unpack + check reply (+ MAC verify), per second");
  console.log(`  ours: request ${reqLen} B, reply ${rxLen} B (UnionPay BCD); iso_8583: request ${theirReq.length} B, reply ${theirReply.length} B (ASCII)`);
  const oursMac = rate(() => oursRound(true));
  const theirsMac = rate(() => theirRound(true));
  const oursPlain = rate(() => oursRound(false));
  const theirsPlain = rate(() => theirRound(false));
  console.log("                               ours      iso_8583   ratio");
  console.log(`  pack + MAC + unpack  ${fmt(oursMac)}  ${fmt(theirsMac)}   ${(oursMac / theirsMac).toFixed(1)}x`);
  console.log(`  pack + unpack        ${fmt(oursPlain)}  ${fmt(theirsPlain)}   ${(oursPlain / theirsPlain).toFixed(1)}x`);
  console.log("crypto (ours), per second");
  console.log(`  DES block            ${fmt(rate(() => desBlock(key1.ks, 0, false, block, 0, block, 0)))}`);
  console.log(`  3DES block (2-key)   ${fmt(rate(() => key2.encryptBlock(block, 0, block, 0)))}`);
  console.log(`  UnionPay MAC ${String(data.length).padStart(3)} B  ${fmt(rate(() => mac.compute(data, 0, data.length, macBuf, 0)))}`);
  console.log(`  retail MAC ${String(data.length).padStart(3)} B    ${fmt(rate(() => retailMac(key2, data, 0, data.length, macBuf, 0)))}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runIso8583Bench();
