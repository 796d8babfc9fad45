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
 * Keys are small integers chosen by the consumer; the newest record for a key wins; a
 * zero-length payload deletes the key (tombstone). Torn or corrupt records fail their CRC and
 * are skipped; appends resume after the last granule that holds any programmed byte.
 * A file holds its records in seq order (appends take the next seq; a compaction copies in file
 * order), so a later position in the file is a newer record: the index needs no seq, and
 * `idx[key] >> 16` orders keys by age.
 *
 * Compaction (when the area is full) is copy-then-erase: create the OTHER file with generation+1,
 * copy the live records (seq kept), write its commit word, then erase the old file. Recovery
 * takes the committed file with the highest generation and erases an older committed one (an
 * interrupted erase), so a cut at any byte leaves either the old or the new log, whole. A fresh
 * log is made the same way (a compaction of nothing into file A), and a compaction ends with the
 * same recovery (it indexes the new file and erases the old one).
 *
 * RAM: every log shares ONE module-level buffer (only one append runs at a time): records are
 * built at its start (LOG_PAYLOAD is the payload view for every log), a file header after them.
 * A log itself keeps a few numbers and one Int32Array word per key: -1 (no record) or the newest
 * record's offset in granules << 16 | its payload length (0: deleted). `append` fills the header and CRC
 * around the payload the caller wrote into LOG_PAYLOAD and hands Storage fixed prefix views of
 * the buffer (Espruino's Storage.write programs a typed array's bytes straight from RAM, no
 * string, no copy): a record in 64-byte pieces, then 16-byte ones, each moved to the front of the
 * buffer first by a native copy (so the payload is used up by an append). An append allocates
 * nothing but the one-block views of those copies and of the CRC, each for its call. Compaction and reads work with the strings Storage returns (memory-mapped
 * flash on a board); they are off the hot path.
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
 *   LOG_PAYLOAD[0] = 42; log.append(0, 1);   // append(key, 0) deletes the key
 *   log.read(0, out, 0); // -> 1 (the payload length; log.read(0, null, 0) only says it)
 */
import type { StoreLike } from "../../hal/store";
import { copyBytes } from "../../lib/copy-bytes";
import { crc32 } from "../../lib/crc32";
import { beN } from "./bytes";
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
/** Flash a log file takes beyond its record area: its header and Espruino's file header + slack. */
export const LOG_FILE_OVERHEAD = LOG_FILE_HEADER + 40;
/** Largest piece handed to Storage.write at once (a record goes as 64-byte pieces, then 16-byte ones). */
const PIECE = 64;

/** Records at [0, LOG_MAX_RECORD), a log file header's first 20 bytes after them. */
const BUF = new Uint8Array(LOG_MAX_RECORD + LOG_FILE_HEADER - 4);
/** Where every log's caller writes a record's payload before append(key, len). */
export const LOG_PAYLOAD = BUF.subarray(9, LOG_MAX_RECORD);
/** BUF[0..16) and BUF[0..64): the two piece sizes (two views cost less than one per multiple of 16). */
const P16 = BUF.subarray(0, 16);
const P64 = BUF.subarray(0, PIECE);

/** Flash bytes a record with `len` payload bytes takes (the same arithmetic is inlined below). */
export function recordBytes(len: number): number {
  return ((LOG_RECORD_OVERHEAD + len + 15) >> 4) << 4;
}

/**
 * Words of RecordLog.idx after its per-key index (at idx[keys + ...]): numbers a log keeps in one
 * Int32Array rather than six properties, each of which would cost RAM in every log.
 */
/** Record area of the current file (0 until open() succeeds; -1 while compact() reopens). */
export const LOG_AREA = 0;
/** The next append's offset in the record area. */
export const LOG_WRITE_POS = 1;
/** Generation of the current file. */
export const LOG_GENERATION = 2;
/** Record area of a file this log creates (one file takes that + LOG_FILE_OVERHEAD in Storage). */
export const LOG_FILE_AREA = 3;
/** Largest payload (options.maxPayload). */
const LOG_MAX_PAY = 4;
/** Runs of torn/corrupt granules skipped by the last open(). */
export const LOG_BAD_RUNS = 5;

export class RecordLog {
  readonly keys: number;
  /** The file currently appended to (the base name + "A" or "B"). */
  fileName: string;
  /** Highest sequence number used so far (records written later get higher ones; u32). */
  lastSeq = 0;
  /** Compactions done by this object (stats for tests and the flash bench). */
  compactions = 0;
  /**
   * Per key: -1 (no record) or its newest record's offset / 16 << 16 | payload length; then the
   * LOG_ words above. Read only outside: `idx[key] >> 16` is where the newest record for `key`
   * lies (-1: none); a higher position is a newer record, so it orders keys by age.
   */
  readonly idx: Int32Array;

  private readonly store: StoreLike;

  constructor(store: StoreLike, options: RecordLogOptions) {
    const n = options.keys;
    const area = Math.ceil(options.bytes / 16) * 16;
    this.store = store;
    this.fileName = options.name + "A";
    this.keys = n;
    const maxRec = ((LOG_RECORD_OVERHEAD + options.maxPayload + 15) >> 4) << 4;
    if (maxRec > area || maxRec > LOG_MAX_RECORD || area > 16 * 32767) {
      throw new Error("RecordLog " + options.name + ": record or area size out of range");
    }
    this.idx = new Int32Array(n + 6);
    this.idx.fill(-1, 0, n);
    this.idx[n + LOG_FILE_AREA] = area;
    this.idx[n + LOG_MAX_PAY] = options.maxPayload;
  }

  /**
   * Recover: pick the committed file with the highest generation, index its valid records, finish
   * an interrupted compaction; create the first file when there is none. Returns a STORE_ code.
   */
  open(): number {
    const st = this.store;
    const idx = this.idx;
    const n = this.keys;
    // -1: called by compact() right after it committed a new file (that file must be found)
    const afterCompaction = idx[n + LOG_AREA] < 0;
    const stem = this.fileName.substring(0, this.fileName.length - 1);
    const fileA = stem + "A";
    const fileB = stem + "B";
    idx[n + LOG_AREA] = 0;
    idx[n + LOG_WRITE_POS] = 0;
    this.lastSeq = 0;
    idx[n + LOG_BAD_RUNS] = 0;
    idx.fill(-1, 0, n);
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
      const nm = names[i];
      let p = nm.length;
      while (p > 0 && nm.charCodeAt(p - 1) === 0xff) p--;
      if (p === nm.length) continue;
      const prefix = nm.substring(0, p);
      if (p === 0 || fileA.indexOf(prefix) === 0 || fileB.indexOf(prefix) === 0) {
        try {
          st.erase(nm);
        } catch (e) {
          break;
        }
      }
    }
    // the committed file with the highest generation
    const h = BUF;
    const H = LOG_MAX_RECORD;
    let best = -1;
    let bestGen = -1;
    let maxGen = 0;
    let otherCommitted = false;
    for (let i = 0; i < 2; i++) {
      const s = st.read(i ? fileB : fileA, 0, LOG_FILE_HEADER);
      if (s === undefined || s.length < LOG_FILE_HEADER) continue;
      for (let k = 0; k < 16; k++) h[H + k] = s.charCodeAt(k);
      if (s.substring(0, 4) !== "RLOG" || crc32(h, H, H + 16) !== ((s.charCodeAt(16) << 24) | (s.charCodeAt(17) << 16) | (s.charCodeAt(18) << 8) | s.charCodeAt(19)) >>> 0) continue;
      const gen = beN(h, H + 4, 4);
      if (gen > maxGen) maxGen = gen;
      if (s.charCodeAt(20) !== 0 || s.charCodeAt(21) !== 0 || s.charCodeAt(22) !== 0 || s.charCodeAt(23) !== 0) continue;
      if (best >= 0) otherCommitted = true;
      if (gen > bestGen) {
        bestGen = gen;
        best = i;
      }
    }
    if (best < 0) {
      if (afterCompaction) return STORE_ERR_IO;
      // nothing committed yet: a fresh log (a torn first creation held no records), made as a
      // compaction of the empty log "in B" into A
      this.fileName = fileB;
      idx[n + LOG_GENERATION] = maxGen;
      idx[n + LOG_AREA] = idx[n + LOG_FILE_AREA];
      const rc = this.compact();
      this.compactions = 0;
      if (rc !== STORE_OK) idx[n + LOG_AREA] = 0;
      return rc;
    }
    const file = best ? fileB : fileA;
    const ab = st.readArrayBuffer(file);
    if (ab === undefined) return STORE_ERR_IO;
    const data = new Uint8Array(ab);
    let area = beN(data, 8, 4);
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
        if (pos + LOG_RECORD_OVERHEAD + len <= area && crc32(data, b, b + 9 + len) === beN(data, b + 9 + len, 4)) {
          const seq = beN(data, b + 1, 4);
          const key = (data[b + 7] << 8) | data[b + 8];
          // a later record is a newer one (the file is in seq order)
          if (key < this.keys) idx[key] = ((pos >> 4) << 16) | len;
          if (seq > maxSeq) maxSeq = seq;
          pos += ((LOG_RECORD_OVERHEAD + len + 15) >> 4) << 4;
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
        if (!inBad) idx[n + LOG_BAD_RUNS]++;
        inBad = true;
      } else {
        inBad = false;
      }
      pos += 16;
    }
    const base = beN(data, 12, 4);
    this.lastSeq = base - 1 > maxSeq ? base - 1 : maxSeq;
    idx[n + LOG_WRITE_POS] = end;
    this.fileName = file;
    idx[n + LOG_GENERATION] = bestGen;
    if (otherCommitted) {
      // a compaction committed the new file but was cut before erasing the old one
      try {
        st.erase(best ? fileA : fileB);
      } catch (e) {
        // harmless: retried at the next boot
      }
    }
    idx[n + LOG_AREA] = area;
    return STORE_OK;
  }

  /**
   * Append a record whose payload the caller has written into LOG_PAYLOAD[0..len); len 0 deletes
   * the key (a tombstone; nothing is written when it holds nothing). The newest record for a key
   * wins. Returns STORE_OK or an error code; on error nothing already stored is lost. The payload
   * is used up. Allocation-free unless the file is full and a compaction runs first, but for
   * the one-block views crc32 hands Espruino's native E.CRC32 and copyBytes its native set(),
   * each for its call.
   * @hot
   */
  append(key: number, len: number): number {
    const w = this.idx;
    const n = this.keys;
    if (w[n + LOG_AREA] <= 0) return STORE_ERR_NOT_OPEN;
    if (!(key >= 0 && key < n)) return STORE_ERR_BAD_KEY;
    if (len < 0 || len > w[n + LOG_MAX_PAY]) return STORE_ERR_TOO_BIG;
    if (len === 0 && (w[key] < 0 || (w[key] & 0xffff) === 0)) return STORE_OK;
    const size = ((LOG_RECORD_OVERHEAD + len + 15) >> 4) << 4;
    if (w[n + LOG_WRITE_POS] + size > w[n + LOG_AREA]) {
      const rc = this.compact();
      if (rc !== STORE_OK) return rc;
      if (w[n + LOG_WRITE_POS] + size > w[n + LOG_AREA]) return STORE_ERR_LOG_FULL;
    }
    const r = BUF;
    const seq = this.lastSeq + 1;
    r[0] = RECORD_MAGIC;
    beN(r, 1, 4, seq);
    beN(r, 5, 2, len);
    beN(r, 7, 2, key);
    beN(r, 9 + len, 4, crc32(r, 0, 9 + len));
    for (let i = LOG_RECORD_OVERHEAD + len; i < size; i++) r[i] = 0xff;
    const at = w[n + LOG_WRITE_POS];
    let ok = true;
    try {
      for (let o = 0, n = 0; ok && o < size; o += n) {
        n = size - o >= PIECE ? PIECE : 16;
        // later pieces of a long record move to the front, where the views are (o >= n)
        if (o > 0) copyBytes(r, 0, r, o, o + n);
        ok = this.store.write(this.fileName, n === PIECE ? P64 : P16, LOG_FILE_HEADER + at + o, 0);
      }
    } catch (e) {
      ok = false;
    }
    // the span may be partly programmed now: never write there again
    w[n + LOG_WRITE_POS] = at + size;
    this.lastSeq = seq;
    if (!ok) return STORE_ERR_IO;
    w[key] = ((at >> 4) << 16) | len;
    return STORE_OK;
  }

  /**
   * Payload length of the live record for `key` (-1: none), and unless `out` is null the payload
   * copied into out[at..] (-1 when that read fails). Reading is off the hot path; asking for the
   * length alone (out null, at 0) is @hot. With out null and `at` -1: the sequence number of the
   * newest record for `key` (live or tombstone), 0 if none, read from flash. (One method for the
   * three: on Espruino each method costs RAM.)
   */
  read(key: number, out: Uint8Array | null, at: number): number {
    const v = key >= 0 && key < this.keys ? this.idx[key] : -1;
    const len = v & 0xffff;
    if (out === null && at < 0) {
      if (v < 0 || this.idx[this.keys + LOG_AREA] <= 0) return 0;
      const q = this.store.read(this.fileName, LOG_FILE_HEADER + (v >> 16) * 16 + 1, 4);
      return q === undefined || q.length !== 4 ? 0 : ((q.charCodeAt(0) << 24) | (q.charCodeAt(1) << 16) | (q.charCodeAt(2) << 8) | q.charCodeAt(3)) >>> 0;
    }
    if (v < 0 || len === 0 || this.idx[this.keys + LOG_AREA] <= 0) return -1;
    if (out === null) return len;
    const s = this.store.read(this.fileName, LOG_FILE_HEADER + (v >> 16) * 16 + 9, len);
    if (s === undefined || s.length !== len) return -1;
    for (let i = 0; i < len; i++) out[at + i] = s.charCodeAt(i);
    return len;
  }

  /**
   * Copy-then-erase into the other file. Refuses (STORE_ERR_NO_SPACE) when Storage has no room
   * for the new file rather than let Espruino compact Storage in the middle of a transaction.
   * `dropUpToSeq` (optional): leave out records with seq <= it (except key `keepKey`): a consumer
   * that has closed a period (the journal after settlement) starts the next file without it.
   * A negative `dropUpToSeq`, -n: make sure n more bytes can be appended without compacting,
   * compacting now only if needed (STORE_ERR_LOG_FULL if even that leaves too little), so a
   * sequence of writes that must not fail half-way (a transaction) starts with room for all.
   */
  compact(dropUpToSeq?: number, keepKey?: number): number {
    const idx = this.idx;
    const n = this.keys;
    if (idx[n + LOG_AREA] <= 0) return STORE_ERR_NOT_OPEN;
    if (dropUpToSeq !== undefined && dropUpToSeq < 0) {
      if (idx[n + LOG_WRITE_POS] - dropUpToSeq <= idx[n + LOG_AREA]) return STORE_OK;
      const rc = this.compact();
      return rc !== STORE_OK || idx[n + LOG_WRITE_POS] - dropUpToSeq <= idx[n + LOG_AREA] ? rc : STORE_ERR_LOG_FULL;
    }
    const st = this.store;
    const drop = dropUpToSeq ? dropUpToSeq : 0;
    const keep = keepKey === undefined ? -1 : keepKey;
    let live = 0;
    for (let k = 0; k < n; k++) {
      const len = idx[k] & 0xffff;
      if (idx[k] >= 0 && len > 0) live += ((LOG_RECORD_OVERHEAD + len + 15) >> 4) << 4;
    }
    if (live > idx[n + LOG_FILE_AREA]) return STORE_ERR_LOG_FULL;
    let free = 0;
    try {
      free = st.getFree();
    } catch (e) {
      return STORE_ERR_IO;
    }
    if (free < idx[n + LOG_FILE_AREA] + LOG_FILE_OVERHEAD) return STORE_ERR_NO_SPACE;
    const from = this.fileName;
    const to = from.substring(0, from.length - 1) + (from.charCodeAt(from.length - 1) === 0x41 ? "B" : "A");
    // Create the new file with its header (not committed yet) and check what Storage made of it.
    // A power cut inside Espruino's own 32-byte file header before its size field was complete
    // leaves the chain ending in half a header; the next file created lands on it and its size
    // comes out ANDed with the old bits (shorter than asked). Such a file is erased (it becomes
    // trash of a valid size, so the chain steps over it) and the creation retried.
    const h = BUF;
    const H = LOG_MAX_RECORD;
    const size = LOG_FILE_HEADER + idx[n + LOG_FILE_AREA];
    h[H] = 0x52; // "RLOG"
    h[H + 1] = 0x4c;
    h[H + 2] = 0x4f;
    h[H + 3] = 0x47;
    beN(h, H + 4, 4, idx[n + LOG_GENERATION] + 1);
    beN(h, H + 8, 4, idx[n + LOG_FILE_AREA]);
    beN(h, H + 12, 4, this.lastSeq + 1);
    beN(h, H + 16, 4, crc32(h, H, H + 16));
    let head = "";
    for (let i = 0; i < LOG_FILE_HEADER - 4; i++) head += String.fromCharCode(h[H + i]);
    let made = false;
    for (let attempt = 0; !made && attempt < 3; attempt++) {
      try {
        if (!st.write(to, head, 0, size)) return STORE_ERR_IO;
        const got = st.read(to);
        made = got !== undefined && got.length === size;
        for (let i = 0; made && i < size; i++) {
          if ((got as string).charCodeAt(i) !== (i < LOG_FILE_HEADER - 4 ? h[H + i] : 0xff)) made = false;
        }
        if (!made) st.erase(to);
      } catch (e) {
        return STORE_ERR_IO;
      }
    }
    if (!made) return STORE_ERR_IO;
    // copy the live records in file order (= seq order, which the new file keeps), then commit
    let pos = 0;
    let after = -1;
    try {
      for (;;) {
        let k = -1;
        let at = 0x7fffffff;
        for (let j = 0; j < this.keys; j++) {
          const v = idx[j];
          if (v >= 0 && (v & 0xffff) > 0 && v >> 16 > after && v >> 16 < at) {
            at = v >> 16;
            k = j;
          }
        }
        if (k < 0) break;
        after = at;
        const rs = ((LOG_RECORD_OVERHEAD + (idx[k] & 0xffff) + 15) >> 4) << 4;
        const s = st.read(from, LOG_FILE_HEADER + at * 16, rs);
        if (s === undefined || s.length !== rs) return STORE_ERR_IO;
        const seq = ((s.charCodeAt(1) << 24) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 8) | s.charCodeAt(4)) >>> 0;
        if (seq <= drop && k !== keep) continue;
        if (!st.write(to, s, LOG_FILE_HEADER + pos, 0)) return STORE_ERR_IO;
        pos += rs;
      }
      if (!st.write(to, "\0\0\0\0", LOG_FILE_HEADER - 4, 0)) return STORE_ERR_IO;
    } catch (e) {
      return STORE_ERR_IO;
    }
    // committed: the new file is the log now. Recover as after a power cut here: index the new
    // file and erase the old one.
    this.compactions++;
    idx[n + LOG_AREA] = -1;
    return this.open();
  }
}
