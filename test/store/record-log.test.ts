import { strict as assert } from "node:assert";
import { FlashStorage } from "../../hil/virtual/flash-storage";
import {
  LOG_AREA,
  LOG_BAD_RUNS,
  LOG_FILE_AREA,
  LOG_FILE_HEADER,
  LOG_FILE_OVERHEAD,
  LOG_PAYLOAD,
  LOG_WRITE_POS,
  RecordLog,
  RecordLogOptions,
  recordBytes,
} from "../../firmware/txn/store/record-log";
import {
  STORE_ERR_BAD_KEY,
  STORE_ERR_IO,
  STORE_ERR_LOG_FULL,
  STORE_ERR_NO_SPACE,
  STORE_ERR_TOO_BIG,
  STORE_OK,
} from "../../firmware/txn/store/codes";

const OPTS: RecordLogOptions = { name: "tl", bytes: 512, keys: 4, maxPayload: 40 };

function newLog(flash: FlashStorage, o?: Partial<RecordLogOptions>): RecordLog {
  const log = new RecordLog(flash, Object.assign({}, OPTS, o || {}));
  assert.equal(log.open(), STORE_OK);
  return log;
}

/** Write `value` (len bytes, every byte = value) under `key`. */
function put(log: RecordLog, key: number, value: number, len = 8): number {
  LOG_PAYLOAD.fill(value, 0, len);
  return log.append(key, len);
}

/** The generation in a log file's header on flash. */
function generationOf(flash: FlashStorage, file: string): number {
  const h = flash.read(file, 4, 4) as string;
  return ((h.charCodeAt(0) << 24) | (h.charCodeAt(1) << 16) | (h.charCodeAt(2) << 8) | h.charCodeAt(3)) >>> 0;
}

/** Every key's live value as "byte x len" or null, for comparisons. */
function snapshot(log: RecordLog): (string | null)[] {
  const out: (string | null)[] = [];
  const buf = new Uint8Array(64);
  for (let k = 0; k < log.keys; k++) {
    const n = log.read(k, buf, 0);
    out.push(n < 0 ? null : buf[0] + "x" + n);
  }
  return out;
}

describe("RecordLog: append-only records on flash", () => {
  it("keeps the newest record per key, deletes with a tombstone, and recovers the same state", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash);
    assert.equal(put(log, 0, 1), STORE_OK);
    assert.equal(put(log, 1, 2, 5), STORE_OK);
    assert.equal(put(log, 0, 3), STORE_OK);
    assert.equal(put(log, 2, 4), STORE_OK);
    assert.equal(log.append(2, 0), STORE_OK, "a zero-length record deletes the key");
    assert.deepEqual(snapshot(log), ["3x8", "2x5", null, null]);
    assert.equal(log.read(2, null, 0), -1);
    assert.equal(log.read(1, null, 0), 5);
    const again = newLog(flash);
    assert.deepEqual(snapshot(again), ["3x8", "2x5", null, null]);
    assert.equal(again.read(0, null, -1), log.read(0, null, -1));
    assert.equal(again.idx[again.keys + LOG_BAD_RUNS], 0);
    assert.deepEqual(flash.list(), ["tlA"]);
  });

  it("uses a fixed, bounded amount of flash per append (the record rounded to 16 bytes)", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash);
    for (const len of [3, 0, 8, 19, 40]) {
      const before = flash.bytesProgrammed;
      assert.equal(put(log, 1, 7, len), STORE_OK);
      assert.equal(flash.bytesProgrammed - before, recordBytes(len));
      assert.equal(recordBytes(len), Math.ceil((13 + len) / 16) * 16);
    }
    const before = flash.bytesProgrammed;
    assert.equal(log.append(2, 0), STORE_OK, "deleting a key that holds nothing");
    assert.equal(flash.bytesProgrammed, before, "writes nothing");
  });

  it("writes a record longer than one 64-byte piece whole, and reads it back after a reboot", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash, { maxPayload: 339, bytes: 2048 });
    for (const len of [51, 52, 115, 116, 200, 339]) {
      for (let i = 0; i < len; i++) LOG_PAYLOAD[i] = (i * 7 + len) & 255;
      const before = flash.bytesProgrammed;
      assert.equal(log.append(0, len), STORE_OK);
      assert.equal(flash.bytesProgrammed - before, recordBytes(len));
      const out = new Uint8Array(len);
      for (const l of [log, newLog(flash, { maxPayload: 339, bytes: 2048 })]) {
        assert.equal(l.read(0, out, 0), len);
        for (let i = 0; i < len; i++) assert.equal(out[i], (i * 7 + len) & 255, `len ${len} byte ${i}`);
      }
    }
    assert.throws(() => new RecordLog(flash, Object.assign({}, OPTS, { maxPayload: 340, bytes: 2048 })), /out of range/);
  });

  it("returns clear codes for a bad key and an oversized payload, writing nothing", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash);
    const before = flash.bytesProgrammed;
    assert.equal(log.append(4, 1), STORE_ERR_BAD_KEY);
    assert.equal(log.append(-1, 1), STORE_ERR_BAD_KEY);
    assert.equal(log.append(0, 41), STORE_ERR_TOO_BIG);
    assert.equal(flash.bytesProgrammed, before);
  });

  it("skips a corrupt record in the middle and keeps everything else", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash);
    put(log, 0, 1);
    put(log, 1, 2);
    put(log, 0, 5); // newest for key 0, will be corrupted
    put(log, 2, 3);
    const rec = recordBytes(8);
    const at = flash.addressOf("tlA") + LOG_FILE_HEADER + 2 * rec + 10; // a payload byte of record 3
    flash.poke(at, 0x00);
    const again = newLog(flash);
    assert.deepEqual(snapshot(again), ["1x8", "2x8", "3x8", null], "the older record of key 0 wins again");
    assert.equal(again.idx[again.keys + LOG_BAD_RUNS], 1);
    assert.equal(put(again, 3, 9), STORE_OK, "appends continue after the last record");
    assert.deepEqual(snapshot(newLog(flash)), ["1x8", "2x8", "3x8", "9x8"]);
  });

  it("a torn append (power cut at every byte) leaves the old or the new value, and the log goes on", () => {
    const probe = new FlashStorage({ bytes: 16 * 1024 });
    const setup = (flash: FlashStorage) => {
      const log = newLog(flash);
      put(log, 0, 1);
      put(log, 1, 2);
      return log;
    };
    setup(probe);
    const size = recordBytes(30);
    for (let n = 0; n <= size; n++) {
      const flash = new FlashStorage({ bytes: 16 * 1024 });
      const log = setup(flash);
      flash.cutAfterBytes(n);
      const rc = put(log, 0, 7, 30);
      assert.equal(rc, STORE_ERR_IO, "the caller is told the write failed");
      flash.powerOn();
      const again = newLog(flash);
      const s = snapshot(again);
      // an incomplete record never wins; a complete one (cut in its 0xFF padding) may
      assert.equal(s[0], n < 13 + 30 ? "1x8" : "7x30", `cut at ${n}`);
      assert.equal(s[1], "2x8");
      assert.equal(put(again, 2, 3), STORE_OK, `cut at ${n}: append after recovery`);
      assert.equal(put(again, 0, 4), STORE_OK);
      assert.deepEqual(snapshot(newLog(flash)), ["4x8", "2x8", "3x8", null], `cut at ${n}`);
    }
  });

  it("compacts by copy-then-erase into the other file when full: live records kept, tombstones dropped, seq kept", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash);
    put(log, 3, 33);
    put(log, 2, 22);
    log.append(2, 0);
    let i = 0;
    while (log.compactions === 0) assert.equal(put(log, i % 2, 100 + (i++ % 100)), STORE_OK);
    assert.equal(log.fileName, "tlB");
    assert.deepEqual(flash.list(), ["tlB"]);
    assert.equal(flash.getStats().trashCount, 1, "the old file is trash until Storage is compacted");
    const seq3 = log.read(3, null, -1);
    const expect = snapshot(log);
    assert.equal(expect[2], null);
    assert.equal(expect[3], "33x8");
    const again = newLog(flash);
    assert.deepEqual(snapshot(again), expect);
    assert.equal(again.read(3, null, -1), seq3);
    assert.equal(generationOf(flash, again.fileName), 2);
    // seq never goes back, even when every record was deleted before a compaction
    const last = again.lastSeq;
    for (let k = 0; k < 4; k++) again.append(k, 0);
    assert.equal(again.compact(), STORE_OK);
    const fresh = newLog(flash);
    assert.ok(fresh.lastSeq >= last, "base seq carried in the file header");
    put(fresh, 0, 1);
    assert.ok(fresh.read(0, null, -1) > last);
  });

  it("compact(-n) makes room for n more bytes: nothing when they fit, a compaction when not, LOG_FULL when even that is too little", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash, { bytes: 160 }); // 160 B: eight 8-byte records of 32 B would not fit
    for (let i = 0; i < 4; i++) assert.equal(put(log, 0, 10 + i), STORE_OK); // 128 B used, 32 live
    assert.equal(log.compact(-32), STORE_OK);
    assert.equal(log.compactions, 0, "32 B still fit: no compaction");
    assert.equal(log.idx[log.keys + LOG_WRITE_POS], 128);
    assert.equal(log.compact(-64), STORE_OK);
    assert.equal(log.compactions, 1, "64 B did not fit: compacted");
    assert.equal(log.idx[log.keys + LOG_WRITE_POS], 32);
    assert.equal(log.compact(-160), STORE_ERR_LOG_FULL, "the live record and 160 B never fit 160 B");
    assert.deepEqual(snapshot(log), ["13x8", null, null, null], "nothing lost");
  });

  it("keeps records in the order written across compactions: idx[key] >> 16 orders keys by age", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash);
    for (const k of [3, 1, 2, 0]) put(log, k, 10 + k);
    put(log, 1, 21); // key 1 is now the newest
    const order = (l: RecordLog) => [0, 1, 2, 3].sort((a, b) => (l.idx[a] >> 16) - (l.idx[b] >> 16));
    assert.deepEqual(order(log), [3, 2, 0, 1]);
    assert.equal(log.compact(), STORE_OK);
    assert.deepEqual(order(log), [3, 2, 0, 1], "a compaction copies in the order written");
    const again = newLog(flash);
    assert.deepEqual(order(again), [3, 2, 0, 1]);
    assert.ok(again.read(3, null, -1) < again.read(2, null, -1) && again.read(2, null, -1) < again.read(0, null, -1) && again.read(0, null, -1) < again.read(1, null, -1));
    assert.equal(again.read(5, null, -1), 0, "no seq for a key out of range");
    assert.deepEqual(snapshot(again), ["10x8", "21x8", "12x8", "13x8"]);
  });

  it("a power cut at any byte of a compaction leaves a log recovery understands, with nothing lost", () => {
    const build = (flash: FlashStorage) => {
      const log = newLog(flash);
      put(log, 3, 33, 20);
      put(log, 2, 22);
      log.append(2, 0);
      let i = 0;
      // fill until the next 8-byte append needs a compaction
      while (log.idx[log.keys + LOG_AREA] - log.idx[log.keys + LOG_WRITE_POS] >= recordBytes(8)) put(log, i % 2, 100 + i++);
      return log;
    };
    const probe = new FlashStorage({ bytes: 16 * 1024 });
    const pl = build(probe);
    const before = snapshot(pl);
    const n0 = probe.bytesProgrammed;
    assert.equal(put(pl, 1, 99), STORE_OK);
    assert.equal(pl.compactions, 1);
    const total = probe.bytesProgrammed - n0;
    const after = snapshot(pl);
    let sawOld = 0;
    let sawNew = 0;
    for (let n = 0; n <= total; n++) {
      const flash = new FlashStorage({ bytes: 16 * 1024 });
      const log = build(flash);
      flash.cutAfterBytes(n);
      put(log, 1, 99);
      flash.powerOn();
      const again = newLog(flash);
      const s = snapshot(again);
      if (JSON.stringify(s) === JSON.stringify(after)) sawNew++;
      else {
        assert.deepEqual(s, before, `cut at ${n}`);
        sawOld++;
      }
      // and the log keeps working, across another reboot
      assert.equal(put(again, 2, 44), STORE_OK, `cut at ${n}`);
      const s2 = snapshot(newLog(flash));
      assert.equal(s2[2], "44x8");
      assert.equal(s2[3], "33x20");
      const files = flash.list().filter((x) => /^tl/.test(x));
      assert.ok(files.length === 1 || (files.length === 2 && files.indexOf(again.fileName) >= 0), `cut at ${n}: ${JSON.stringify(files)}`);
      assert.ok(files.every((x) => x === "tlA" || x === "tlB"), `cut at ${n}: a torn Storage header was cleaned up`);
    }
    assert.ok(sawOld > 0 && sawNew > 0);
  });

  it("ignores an uncommitted newer file (compaction cut before its commit word)", () => {
    const build = (flash: FlashStorage) => {
      const log = newLog(flash);
      put(log, 0, 1);
      return log;
    };
    const probe = new FlashStorage({ bytes: 16 * 1024 });
    const pl = build(probe);
    const n0 = probe.bytesProgrammed;
    assert.equal(pl.compact(), STORE_OK);
    const total = probe.bytesProgrammed - n0;
    assert.equal(total, 32 + 20 + recordBytes(8) + 4 + 4, "Storage header, log header, the record, commit word, erase mark");
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = build(flash);
    flash.cutAfterBytes(total - 8); // all but the commit word and the erase of the old file
    assert.equal(log.compact(), STORE_ERR_IO);
    flash.powerOn();
    assert.deepEqual(flash.list().sort(), ["tlA", "tlB"]);
    const again = newLog(flash);
    assert.equal(again.fileName, "tlA");
    assert.equal(generationOf(flash, again.fileName), 1);
    assert.deepEqual(snapshot(again), ["1x8", null, null, null]);
    assert.equal(again.compact(), STORE_OK, "the next compaction re-creates the half-made file");
    assert.deepEqual(snapshot(newLog(flash)), ["1x8", null, null, null]);
    assert.deepEqual(flash.list(), ["tlB"]);
  });

  it("full flash: the compaction is refused with STORE_ERR_NO_SPACE (no Storage auto-compaction) and nothing is lost", () => {
    const flash = new FlashStorage({ bytes: 4 * 1024 });
    const log = newLog(flash);
    put(log, 0, 1);
    put(log, 1, 2);
    // leave room for one more log file only once the trash below is gone
    flash.write("junk", "J".repeat(flash.getFree() - 32 - (log.idx[log.keys + LOG_FILE_AREA] + LOG_FILE_OVERHEAD) - 8));
    flash.write("trash", "T".repeat(100));
    flash.erase("trash"); // trash that Espruino would compact on its own if asked to create a file
    let rc = STORE_OK;
    let i = 0;
    while (rc === STORE_OK && i < 100) rc = put(log, 2, 50 + i++);
    assert.equal(rc, STORE_ERR_NO_SPACE);
    assert.equal(flash.compactions, 0, "Storage was not compacted behind our back");
    const again = newLog(flash);
    const s = snapshot(again);
    assert.equal(s[0], "1x8");
    assert.equal(s[1], "2x8");
    assert.equal(s[2], 50 + i - 2 + "x8", "the last accepted value");
    assert.equal(again.compact(-recordBytes(8) * 100), STORE_ERR_NO_SPACE);
    // once Storage is compacted (at a quiet moment) the log goes on
    flash.compact();
    assert.equal(put(again, 2, 7), STORE_OK);
  });

  it("STORE_ERR_LOG_FULL when the live records alone fill a file", () => {
    const flash = new FlashStorage({ bytes: 16 * 1024 });
    const log = newLog(flash, { bytes: 160, keys: 8 });
    let rc = STORE_OK;
    let k = 0;
    while (rc === STORE_OK && k < 8) rc = put(log, k++, 1, 40);
    assert.equal(rc, STORE_ERR_LOG_FULL);
    assert.equal(snapshot(newLog(flash, { bytes: 160, keys: 8 })).filter((x) => x !== null).length, k - 1);
  });
});
