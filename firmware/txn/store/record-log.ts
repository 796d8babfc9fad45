/**
 * An append-only record log on flash (one per concern: counters, reversal, manual list, journal).
 *
 * Files: an A/B pair `<name>A` / `<name>B`, each created ONCE at full size with
 * `write(file, header, 0, 24 + bytes)` so the record area is pre-erased; records are then
 * programmed into it at increasing offsets with `write(file, record, offset)`.
 *
 * File header (24 bytes):
 *   0 "RLOG" | 4 generation u32 | 8 area bytes u32 | 12 base seq u32 | 16 crc32(0..15) | 20 commit u32
 * The base seq carries the sequence counter across compactions, so `seq` never goes back (the
 * consumers use it as a stable record id).
 * The commit word is written 00000000 after the file holds everything it should; any other value
 * means "not committed" (torn creation or an interrupted compaction): such a file is ignored.
 *
 * Record (at a multiple of 16 bytes, padded with 0xFF):
 *   0 magic 0xA7 | 1 seq u32 | 5 len u16 | 7 key u16 | 9 payload[len] | 9+len crc32(0..9+len)
 * Keys are small integers chosen by the consumer; the record with the highest seq for a key wins;
 * a zero-length payload deletes the key (tombstone). Torn or corrupt records fail their CRC and
 * are skipped; appends resume after the last granule that holds any programmed byte.
 *
 * Compaction (when the area is full) is copy-then-erase: create the OTHER file with generation+1,
 * copy the live records (seq kept), write its commit word, then erase the old file. Recovery
 * takes the committed file with the highest generation and erases an older committed one (an
 * interrupted erase), so a cut at any byte leaves either the old or the new log, whole. A fresh
 * log is made the same way (a compaction of nothing into file A).
 *
 * RAM: every log shares ONE module-level buffer (only one append runs at a time): records are
 * built at its start (`payload` is the same view for every log), the file header at its end. A
 * log itself keeps a few numbers and one Int32Array index of two words per key (seq, and the
 * record's offset in granules << 16 | its payload length). `append` fills the header and CRC
 * around the payload the caller wrote into `payload` and hands Storage fixed prefix views of the
 * buffer (Espruino's Storage.write programs a typed array's bytes straight from RAM, no string,
 * no copy): a record up to 128 bytes in one write, a longer one in 128-byte pieces moved to the
 * front of the buffer first (so the payload is used up by an append). An append allocates
 * nothing. Compaction and reads work with the strings Storage returns (memory-mapped flash on a
 * board); they are off the hot path.
 *
 * Flash cost per append = the record rounded up to 16 bytes. Espruino's own Storage cannot
 * erase a file in place: each compaction leaves the old file as trash (its size) until
 * Storage.compact(). That compaction is NOT power-safe on Espruino (it moves files through a RAM
 * buffer), so a log never lets Storage compact by itself: if the next file does not fit in
 * `getFree()`, compaction fails with STORE_ERR_NO_SPACE (the transaction is refused, nothing is
 * lost) and the application calls Storage.compact() at a quiet moment (see TxnStores).
 *
 * Usage:
 *   const log = new RecordLog(store, { name: "ct", bytes: 1024, keys: 1, maxPayload: 16 });
 *   if (log.open() !== STORE_OK) ...;
 *   log.payload[0] = 42; log.append(0, 1);   // append(key, 0) deletes the key
 *   log.read(0, out, 0); // -> 1
 */
import type { StoreLike } from "../../hal/store";
import { crc32 } from "../../lib/crc32";
import { getN, putN } from "./bytes";
import {
  STORE_ERR_BAD_KEY,
  STORE_ERR_IO,
  STORE_ERR_LOG_FULL,
  STORE_ERR_NO_SPACE,
  STORE_ERR_NOT_OPEN,
  STORE_ERR_TOO_BIG,
  STORE_OK,
} from "./codes";

export interface RecordLogOptions {
  /** Base file name, at most 27 characters (Espruino names are 28). */
  name: string;
  /** Record area of one file in bytes (rounded up to 16; at most 16 * 32767). */
  bytes: number;
  /** Keys 0..keys-1. */
  keys: number;
  /** Largest payload in bytes (its record at most LOG_MAX_RECORD). */
  maxPayload: number;
}

export const LOG_FILE_HEADER = 24;
export const LOG_RECORD_OVERHEAD = 13;
/** Largest record of any log: the reversal queue's stored 0400 (28 + 300 bytes + 13). */
export const LOG_MAX_RECORD = 352;
const RECORD_MAGIC = 0xa7;
/** Espruino's per-file header plus its alignment slack, for the room check. */
const STORAGE_FILE_OVERHEAD = 40;
/** Largest piece handed to Storage.write at once (one prefix view per 16 bytes up to it). */
const PIECE = 128;

/** Records at [0, LOG_MAX_RECORD), a file header at [LOG_MAX_RECORD, +20), 4 zero bytes after. */
const BUF = new Uint8Array(LOG_MAX_RECORD + LOG_FILE_HEADER);
const PAYLOAD = BUF.subarray(9, LOG_MAX_RECORD);
const HEADER = BUF.subarray(LOG_MAX_RECORD, LOG_MAX_RECORD + LOG_FILE_HEADER - 4);
const COMMIT = BUF.subarray(LOG_MAX_RECORD + LOG_FILE_HEADER - 4);
/** PIECES[i] = BUF[0 .. 16 * (i + 1)). */
const PIECES: Uint8Array[] = [];
for (let n = 16; n <= PIECE; n += 16) PIECES.push(BUF.subarray(0, n));

export class RecordLog {
  readonly name: string;
  readonly keys: number;
  readonly maxPayload: number;
  /** Record area of a file this log creates. */
  readonly bytes: number;
  /** Flash one file of this log takes in Storage (header + area + Espruino's file header). */
  readonly footprint: number;
  /** The caller writes a record's payload here, then calls append(key, len). Shared by all logs. */
  readonly payload: Uint8Array = PAYLOAD;
  /** The file currently appended to. */
  fileName: string;
  /** Record area of the current file (0 until open() succeeds) and the next append's offset in it. */
  area = 0;
  writePos = 0;
  /** Highest sequence number used so far (records written later get higher ones). */
  lastSeq = 0;
  /** Generation of the current file. */
  generation = 0;
  /** Compactions done since open. */
  compactions = 0;
  /** Runs of torn/corrupt granules skipped by the last open(). */
  skipped = 0;

  private readonly store: StoreLike;
  /** Per key: [2k] seq of its newest record (0: none), [2k+1] offset / 16 << 16 | payload length. */
  private readonly idx: Int32Array;

  constructor(store: StoreLike, options: RecordLogOptions) {
    this.store = store;
    this.name = options.name;
    this.fileName = options.name + "A";
    this.bytes = Math.ceil(options.bytes / 16) * 16;
    this.keys = options.keys;
    this.maxPayload = options.maxPayload;
    this.footprint = LOG_FILE_HEADER + this.bytes + STORAGE_FILE_OVERHEAD;
    const maxRec = this.recordBytes(options.maxPayload);
    if (maxRec > this.bytes || maxRec > LOG_MAX_RECORD || this.bytes > 16 * 32767) {
      throw new Error("RecordLog " + options.name + ": record or area size out of range");
    }
    this.idx = new Int32Array(2 * options.keys);
  }

  /** Flash bytes a record with `len` payload bytes takes. @hot */
  recordBytes(len: number): number {
    return ((LOG_RECORD_OVERHEAD + len + 15) >> 4) << 4;
  }

  /**
   * Recover: pick the committed file with the highest generation, index its valid records, finish
   * an interrupted compaction; create the first file when there is none. Returns a STORE_ code.
   */
  open(): number {
    const st = this.store;
    const idx = this.idx;
    const fileA = this.name + "A";
    const fileB = this.name + "B";
    this.area = 0;
    this.writePos = 0;
    this.lastSeq = 0;
    this.skipped = 0;
    for (let i = 0; i < idx.length; i++) idx[i] = 0;
    // A cut inside Espruino's 32-byte file header, after its size field, leaves a live file whose
    // name is the first bytes of ours followed by 0xFF: nobody can name it, it would hold its
    // space forever. Erase such files (a name of only 0xFF bytes is nobody's either).
    let names: string[] = [];
    try {
      names = st.list();
    } catch (e) {
      names = [];
    }
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      let p = n.length;
      while (p > 0 && n.charCodeAt(p - 1) === 0xff) p--;
      if (p === n.length) continue;
      const prefix = n.substring(0, p);
      if (p === 0 || fileA.indexOf(prefix) === 0 || fileB.indexOf(prefix) === 0) {
        try {
          st.erase(n);
        } catch (e) {
          break;
        }
      }
    }
    // the committed file with the highest generation
    const h = HEADER;
    let best = -1;
    let bestGen = -1;
    let maxGen = 0;
    let otherCommitted = false;
    for (let i = 0; i < 2; i++) {
      const s = st.read(i ? fileB : fileA, 0, LOG_FILE_HEADER);
      if (s === undefined || s.length < LOG_FILE_HEADER) continue;
      for (let k = 0; k < LOG_FILE_HEADER - 4; k++) h[k] = s.charCodeAt(k);
      if (h[0] !== 0x52 || h[1] !== 0x4c || h[2] !== 0x4f || h[3] !== 0x47 || crc32(h, 0, 16) !== getN(h, 16, 4)) continue;
      const gen = getN(h, 4, 4);
      if (gen > maxGen) maxGen = gen;
      if (s.charCodeAt(20) !== 0 || s.charCodeAt(21) !== 0 || s.charCodeAt(22) !== 0 || s.charCodeAt(23) !== 0) continue;
      if (best >= 0) otherCommitted = true;
      if (gen > bestGen) {
        bestGen = gen;
        best = i;
      }
    }
    if (best < 0) {
      // nothing committed yet: a fresh log (a torn first creation held no records), made as a
      // compaction of the empty log "in B" into A
      this.fileName = fileB;
      this.generation = maxGen;
      this.area = this.bytes;
      const rc = this.compact();
      this.compactions = 0;
      if (rc !== STORE_OK) this.area = 0;
      return rc;
    }
    const file = best ? fileB : fileA;
    const ab = st.readArrayBuffer(file);
    if (ab === undefined) return STORE_ERR_IO;
    const data = new Uint8Array(ab);
    let area = getN(data, 8, 4);
    if (LOG_FILE_HEADER + area > data.length) area = data.length - LOG_FILE_HEADER;
    // index every valid record; appends resume after the last programmed granule
    let pos = 0;
    let end = 0;
    let inBad = false;
    let maxSeq = 0;
    while (pos + 16 <= area) {
      const b = LOG_FILE_HEADER + pos;
      if (data[b] === RECORD_MAGIC && pos + LOG_RECORD_OVERHEAD <= area) {
        const len = (data[b + 5] << 8) | data[b + 6];
        if (pos + LOG_RECORD_OVERHEAD + len <= area && crc32(data, b, b + 9 + len) === getN(data, b + 9 + len, 4)) {
          const seq = getN(data, b + 1, 4);
          const key = (data[b + 7] << 8) | data[b + 8];
          if (key < this.keys && seq > idx[2 * key]) {
            idx[2 * key] = seq;
            idx[2 * key + 1] = ((pos >> 4) << 16) | len;
          }
          if (seq > maxSeq) maxSeq = seq;
          pos += this.recordBytes(len);
          end = pos;
          inBad = false;
          continue;
        }
      }
      let erased = true;
      for (let i = 0; i < 16; i++) {
        if (data[b + i] !== 0xff) {
          erased = false;
          break;
        }
      }
      if (!erased) {
        end = pos + 16;
        if (!inBad) this.skipped++;
        inBad = true;
      } else {
        inBad = false;
      }
      pos += 16;
    }
    const base = getN(data, 12, 4);
    this.lastSeq = base - 1 > maxSeq ? base - 1 : maxSeq;
    this.writePos = end;
    this.fileName = file;
    this.generation = bestGen;
    if (otherCommitted) {
      // a compaction committed the new file but was cut before erasing the old one
      try {
        st.erase(best ? fileA : fileB);
      } catch (e) {
        // harmless: retried at the next boot
      }
    }
    this.area = area;
    return STORE_OK;
  }

  /** Payload length of the live record for `key`, -1 if none. @hot */
  length(key: number): number {
    if (!(key >= 0 && key < this.keys)) return -1;
    const n = this.idx[2 * key + 1] & 0xffff;
    return n > 0 ? n : -1;
  }

  /** Sequence number of the newest record for `key` (live or tombstone), 0 if none. @hot */
  seq(key: number): number {
    return key >= 0 && key < this.keys ? this.idx[2 * key] : 0;
  }

  /**
   * Append a record whose payload the caller has written into `payload[0..len)`; len 0 deletes
   * the key (a tombstone; nothing is written when it holds nothing). The newest record for a key
   * wins. Returns STORE_OK or an error code; on error nothing already stored is lost. The payload
   * is used up. Allocation-free unless the file is full and a compaction runs first.
   * @hot
   */
  append(key: number, len: number): number {
    if (this.area === 0) return STORE_ERR_NOT_OPEN;
    if (!(key >= 0 && key < this.keys)) return STORE_ERR_BAD_KEY;
    if (len < 0 || len > this.maxPayload) return STORE_ERR_TOO_BIG;
    const idx = this.idx;
    if (len === 0 && (idx[2 * key + 1] & 0xffff) === 0) return STORE_OK;
    const size = this.recordBytes(len);
    if (this.writePos + size > this.area) {
      const rc = this.compact();
      if (rc !== STORE_OK) return rc;
      if (this.writePos + size > this.area) return STORE_ERR_LOG_FULL;
    }
    const r = BUF;
    const seq = this.lastSeq + 1;
    r[0] = RECORD_MAGIC;
    putN(r, 1, 4, seq);
    putN(r, 5, 2, len);
    putN(r, 7, 2, key);
    putN(r, 9 + len, 4, crc32(r, 0, 9 + len));
    for (let i = LOG_RECORD_OVERHEAD + len; i < size; i++) r[i] = 0xff;
    const at = this.writePos;
    let ok = true;
    try {
      for (let o = 0; ok && o < size; o += PIECE) {
        const n = size - o < PIECE ? size - o : PIECE;
        // later pieces of a long record move to the front, where the views are
        if (o > 0) for (let i = 0; i < n; i++) r[i] = r[o + i];
        ok = this.store.write(this.fileName, PIECES[(n >> 4) - 1], LOG_FILE_HEADER + at + o, 0);
      }
    } catch (e) {
      ok = false;
    }
    // the span may be partly programmed now: never write there again
    this.writePos = at + size;
    this.lastSeq = seq;
    if (!ok) return STORE_ERR_IO;
    idx[2 * key] = seq;
    idx[2 * key + 1] = ((at >> 4) << 16) | len;
    return STORE_OK;
  }

  /**
   * Make sure `bytes` more can be appended without compacting (compact now if needed), so a
   * sequence of writes that must not fail half-way (a transaction) starts with room for all.
   */
  ensureRoom(bytes: number): number {
    if (this.area === 0) return STORE_ERR_NOT_OPEN;
    if (this.writePos + bytes <= this.area) return STORE_OK;
    const rc = this.compact();
    if (rc !== STORE_OK) return rc;
    return this.writePos + bytes <= this.area ? STORE_OK : STORE_ERR_LOG_FULL;
  }

  /** Copy the live payload of `key` into out[at..]; returns its length, or -1. Off the hot path. */
  read(key: number, out: Uint8Array, at: number): number {
    const len = this.length(key);
    if (len < 0 || this.area === 0) return -1;
    const s = this.store.read(this.fileName, LOG_FILE_HEADER + (this.idx[2 * key + 1] >> 16) * 16 + 9, len);
    if (s === undefined || s.length !== len) return -1;
    for (let i = 0; i < len; i++) out[at + i] = s.charCodeAt(i);
    return len;
  }

  /**
   * Copy-then-erase into the other file. Refuses (STORE_ERR_NO_SPACE) when Storage has no room
   * for the new file rather than let Espruino compact Storage in the middle of a transaction.
   * `dropUpToSeq` (optional): leave out records with seq <= it (except key `keepKey`): a consumer
   * that has closed a period (the journal after settlement) starts the next file without it.
   */
  compact(dropUpToSeq?: number, keepKey?: number): number {
    if (this.area === 0) return STORE_ERR_NOT_OPEN;
    const st = this.store;
    const idx = this.idx;
    const drop = dropUpToSeq ? dropUpToSeq : 0;
    const keep = keepKey === undefined ? -1 : keepKey;
    let live = 0;
    for (let k = 0; k < this.keys; k++) {
      const n = idx[2 * k + 1] & 0xffff;
      if (n > 0) live += this.recordBytes(n);
    }
    if (live > this.bytes) return STORE_ERR_LOG_FULL;
    let free = 0;
    try {
      free = st.getFree();
    } catch (e) {
      return STORE_ERR_IO;
    }
    if (free < this.footprint) return STORE_ERR_NO_SPACE;
    const from = this.fileName;
    const to = this.name + (from.charCodeAt(from.length - 1) === 0x41 ? "B" : "A");
    const gen = this.generation + 1;
    // Create the new file with its header (not committed yet) and check what Storage made of it.
    // A power cut inside Espruino's own 32-byte file header before its size field was complete
    // leaves the chain ending in half a header; the next file created lands on it and its size
    // comes out ANDed with the old bits (shorter than asked). Such a file is erased (it becomes
    // trash of a valid size, so the chain steps over it) and the creation retried.
    const h = HEADER;
    const size = LOG_FILE_HEADER + this.bytes;
    h[0] = 0x52; // "RLOG"
    h[1] = 0x4c;
    h[2] = 0x4f;
    h[3] = 0x47;
    putN(h, 4, 4, gen);
    putN(h, 8, 4, this.bytes);
    putN(h, 12, 4, this.lastSeq + 1);
    putN(h, 16, 4, crc32(h, 0, 16));
    let made = false;
    for (let attempt = 0; !made && attempt < 3; attempt++) {
      try {
        if (!st.write(to, h, 0, size)) return STORE_ERR_IO;
        const got = st.read(to);
        made = got !== undefined && got.length === size;
        for (let i = 0; made && i < size; i++) {
          if ((got as string).charCodeAt(i) !== (i < LOG_FILE_HEADER - 4 ? h[i] : 0xff)) made = false;
        }
        if (!made) st.erase(to);
      } catch (e) {
        return STORE_ERR_IO;
      }
    }
    if (!made) return STORE_ERR_IO;
    // copy the live records, then commit
    let pos = 0;
    try {
      for (let k = 0; k < this.keys; k++) {
        const n = idx[2 * k + 1] & 0xffff;
        if (n === 0 || (idx[2 * k] <= drop && k !== keep)) continue;
        const rs = this.recordBytes(n);
        const s = st.read(from, LOG_FILE_HEADER + (idx[2 * k + 1] >> 16) * 16, rs);
        if (s === undefined || s.length !== rs) return STORE_ERR_IO;
        if (!st.write(to, s, LOG_FILE_HEADER + pos, 0)) return STORE_ERR_IO;
        pos += rs;
      }
      if (!st.write(to, COMMIT, LOG_FILE_HEADER - 4, 0)) return STORE_ERR_IO;
    } catch (e) {
      return STORE_ERR_IO;
    }
    // committed: the new file is the log now; index the copies where they went (same order)
    pos = 0;
    for (let k = 0; k < this.keys; k++) {
      const n = idx[2 * k + 1] & 0xffff;
      if (n === 0 || (idx[2 * k] <= drop && k !== keep)) {
        idx[2 * k] = 0;
        idx[2 * k + 1] = 0;
        continue;
      }
      idx[2 * k + 1] = ((pos >> 4) << 16) | n;
      pos += this.recordBytes(n);
    }
    this.fileName = to;
    this.generation = gen;
    this.area = this.bytes;
    this.writePos = pos;
    this.compactions++;
    try {
      st.erase(from);
    } catch (e) {
      // recovery erases it if this was cut
    }
    return STORE_OK;
  }
}
