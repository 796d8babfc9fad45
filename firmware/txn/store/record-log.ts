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
 * Record (at a multiple of `granule` bytes, default 16, padded with 0xFF):
 *   0 magic 0xA7 | 1 seq u32 | 5 len u16 | 7 key u16 | 9 payload[len] | 9+len crc32(0..9+len)
 * Keys are small integers chosen by the consumer; the record with the highest seq for a key wins;
 * a zero-length payload deletes the key (tombstone). Torn or corrupt records fail their CRC and
 * are skipped; appends resume after the last granule that holds any programmed byte.
 *
 * Compaction (when the area is full) is copy-then-erase: create the OTHER file with generation+1,
 * copy the live records (seq kept), write its commit word, then erase the old file. Recovery
 * takes the committed file with the highest generation and erases an older committed one (an
 * interrupted erase), so a cut at any byte leaves either the old or the new log, whole.
 *
 * Allocation: one record buffer of the maximum record size plus one Uint8Array view per granule
 * count, all made in the constructor. `append` fills the header and CRC around the payload the
 * caller wrote into `payload` and hands Storage the view of exactly the record's length:
 * Espruino's Storage.write takes a typed array view and programs its bytes straight from RAM (no
 * string, no copy), so an append allocates nothing. Compaction and reads work with the strings
 * Storage returns (memory-mapped flash on a board); they are off the hot path.
 *
 * Flash cost per append = the record rounded up to the granule. Espruino's own Storage cannot
 * erase a file in place: each compaction leaves the old file as trash (its size) until
 * Storage.compact(). That compaction is NOT power-safe on Espruino (it moves files through a RAM
 * buffer), so a log never lets Storage compact by itself: if the next file does not fit in
 * `getFree()`, compaction fails with STORE_ERR_NO_SPACE (the transaction is refused, nothing is
 * lost) and the application calls Storage.compact() at a quiet moment (see TxnStores).
 *
 * Usage:
 *   const log = new RecordLog(store, { name: "ct", bytes: 1024, keys: 1, maxPayload: 16 });
 *   if (log.open() !== STORE_OK) ...;
 *   log.payload[0] = 42; log.append(0, 1);
 *   log.read(0, out, 0); // -> 1
 */
import type { StoreLike } from "../../hal/store";
import { crc32 } from "../../lib/crc32";
import { getU32, putU32 } from "./bytes";
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
  /** Record area of one file in bytes (rounded up to the granule). */
  bytes: number;
  /** Keys 0..keys-1. */
  keys: number;
  /** Largest payload in bytes. */
  maxPayload: number;
  /** Record alignment and size unit, default 16. */
  granule?: number;
}

export const LOG_FILE_HEADER = 24;
export const LOG_RECORD_OVERHEAD = 13;
const RECORD_MAGIC = 0xa7;
/** Espruino's per-file header plus its alignment slack, for the room check. */
const STORAGE_FILE_OVERHEAD = 40;

export class RecordLog {
  readonly name: string;
  readonly bytes: number;
  readonly keys: number;
  readonly maxPayload: number;
  readonly granule: number;
  /** The caller writes a record's payload here, then calls append(key, len). */
  readonly payload: Uint8Array;

  /** Compactions done since open. */
  compactions = 0;
  /** Records appended since open and the flash bytes they took (rounded records). */
  appends = 0;
  bytesAppended = 0;
  /** Runs of torn/corrupt granules skipped by the last open(). */
  skipped = 0;
  /** Generation of the current file. */
  generation = 0;

  private readonly store: StoreLike;
  private readonly files: string[];
  private readonly rec: Uint8Array;
  private readonly views: Uint8Array[];
  private readonly header = new Uint8Array(LOG_FILE_HEADER - 4);
  private readonly commitWord = new Uint8Array(4);
  private offOf: Int32Array;
  private offNew: Int32Array;
  private readonly seqOf: Int32Array;
  private readonly lenOf: Int32Array;
  private cur = 0;
  private area = 0;
  private writePos = 0;
  private nextSeq = 1;
  private ready = false;

  constructor(store: StoreLike, options: RecordLogOptions) {
    const g = options.granule || 16;
    this.store = store;
    this.name = options.name;
    this.granule = g;
    this.bytes = Math.ceil(options.bytes / g) * g;
    this.keys = options.keys;
    this.maxPayload = options.maxPayload;
    this.files = [options.name + "A", options.name + "B"];
    const maxRec = this.recordBytes(options.maxPayload);
    if (maxRec > this.bytes) throw new Error("RecordLog " + options.name + ": bytes smaller than one record");
    this.rec = new Uint8Array(maxRec);
    this.payload = this.rec.subarray(9, 9 + options.maxPayload);
    this.views = [];
    for (let n = 0; n <= maxRec / g; n++) this.views.push(this.rec.subarray(0, n * g));
    this.offOf = new Int32Array(options.keys);
    this.offNew = new Int32Array(options.keys);
    this.seqOf = new Int32Array(options.keys);
    this.lenOf = new Int32Array(options.keys);
    this.resetIndex();
  }

  /** Flash bytes a record with `len` payload bytes takes. @hot */
  recordBytes(len: number): number {
    const g = this.granule;
    return (((LOG_RECORD_OVERHEAD + len + g - 1) / g) | 0) * g;
  }

  /** Name of the file currently appended to. */
  get fileName(): string {
    return this.files[this.cur];
  }

  /** Highest sequence number used so far (records written later get higher ones). @hot */
  lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Bytes left in the current file's record area. @hot */
  freeBytes(): number {
    return this.area - this.writePos;
  }

  /** Flash one file of this log takes in Storage (header + area + Espruino's file header). */
  fileFootprint(): number {
    return LOG_FILE_HEADER + this.bytes + STORAGE_FILE_OVERHEAD;
  }

  /**
   * Recover: pick the committed file with the highest generation, index its valid records, finish
   * an interrupted compaction; create the first file when there is none. Returns a STORE_ code.
   */
  open(): number {
    this.ready = false;
    this.resetIndex();
    this.skipped = 0;
    this.cleanTorn();
    let best = -1;
    let bestGen = -1;
    let otherCommitted = false;
    let maxGen = 0;
    const gens = [-1, -1];
    const committed = [false, false];
    for (let i = 0; i < 2; i++) {
      const h = this.store.read(this.files[i], 0, LOG_FILE_HEADER);
      if (h === undefined || h.length < LOG_FILE_HEADER) continue;
      for (let k = 0; k < LOG_FILE_HEADER - 4; k++) this.header[k] = h.charCodeAt(k);
      if (!this.headerValid()) continue;
      gens[i] = getU32(this.header, 4);
      if (gens[i] > maxGen) maxGen = gens[i];
      committed[i] = h.charCodeAt(20) === 0 && h.charCodeAt(21) === 0 && h.charCodeAt(22) === 0 && h.charCodeAt(23) === 0;
      if (committed[i] && gens[i] > bestGen) {
        bestGen = gens[i];
        best = i;
      }
    }
    if (best < 0) {
      // nothing committed yet: a fresh log (a torn first creation held no records)
      const rc = this.createFile(0, maxGen + 1);
      if (rc !== STORE_OK) return rc;
      this.cur = 0;
      this.generation = maxGen + 1;
      this.area = this.bytes;
      this.writePos = 0;
      this.ready = true;
      return STORE_OK;
    }
    otherCommitted = committed[1 - best];
    this.cur = best;
    this.generation = bestGen;
    const ab = this.store.readArrayBuffer(this.files[best]);
    if (ab === undefined) return STORE_ERR_IO;
    const data = new Uint8Array(ab);
    this.area = getU32(data, 8);
    if (LOG_FILE_HEADER + this.area > data.length) this.area = data.length - LOG_FILE_HEADER;
    this.scan(data);
    const base = getU32(data, 12);
    if (base > this.nextSeq) this.nextSeq = base;
    if (otherCommitted) {
      // a compaction committed the new file but was cut before erasing the old one
      try {
        this.store.erase(this.files[1 - best]);
      } catch (e) {
        // harmless: retried at the next boot
      }
    }
    this.ready = true;
    return STORE_OK;
  }

  /** True when `key` holds a live (non-deleted) record. @hot */
  has(key: number): boolean {
    return key >= 0 && key < this.keys && this.lenOf[key] > 0;
  }

  /** Payload length of the live record for `key`, -1 if none. @hot */
  length(key: number): number {
    if (key < 0 || key >= this.keys) return -1;
    const n = this.lenOf[key];
    return n > 0 ? n : -1;
  }

  /** Sequence number of the newest record for `key` (live or tombstone), 0 if none. @hot */
  seq(key: number): number {
    if (key < 0 || key >= this.keys) return 0;
    return this.seqOf[key];
  }

  /**
   * Append a record whose payload the caller has written into `payload[0..len)`. The newest
   * record for a key wins. Returns STORE_OK or an error code; on error nothing already stored
   * is lost. Allocation-free unless the file is full and a compaction runs first.
   * @hot
   */
  append(key: number, len: number): number {
    if (!this.ready) return STORE_ERR_NOT_OPEN;
    if (key < 0 || key >= this.keys) return STORE_ERR_BAD_KEY;
    if (len < 0 || len > this.maxPayload) return STORE_ERR_TOO_BIG;
    const size = this.recordBytes(len);
    if (this.writePos + size > this.area) {
      const rc = this.compact();
      if (rc !== STORE_OK) return rc;
      if (this.writePos + size > this.area) return STORE_ERR_LOG_FULL;
    }
    const r = this.rec;
    const seq = this.nextSeq;
    r[0] = RECORD_MAGIC;
    putU32(r, 1, seq);
    r[5] = len >> 8;
    r[6] = len & 255;
    r[7] = key >> 8;
    r[8] = key & 255;
    putU32(r, 9 + len, crc32(r, 0, 9 + len));
    for (let i = LOG_RECORD_OVERHEAD + len; i < size; i++) r[i] = 0xff;
    const at = this.writePos;
    let ok = false;
    try {
      ok = this.store.write(this.files[this.cur], this.views[size / this.granule], LOG_FILE_HEADER + at, 0);
    } catch (e) {
      ok = false;
    }
    // the span may be partly programmed now: never write there again
    this.writePos = at + size;
    this.nextSeq = seq + 1;
    if (!ok) return STORE_ERR_IO;
    this.offOf[key] = at;
    this.seqOf[key] = seq;
    this.lenOf[key] = len;
    this.appends++;
    this.bytesAppended += size;
    return STORE_OK;
  }

  /** Delete `key` (a tombstone record); nothing is written if it holds nothing. @hot */
  remove(key: number): number {
    if (key < 0 || key >= this.keys) return STORE_ERR_BAD_KEY;
    if (this.lenOf[key] <= 0) return STORE_OK;
    return this.append(key, 0);
  }

  /**
   * Make sure `bytes` more can be appended without compacting (compact now if needed), so a
   * sequence of writes that must not fail half-way (a transaction) starts with room for all.
   */
  ensureRoom(bytes: number): number {
    if (!this.ready) return STORE_ERR_NOT_OPEN;
    if (this.writePos + bytes <= this.area) return STORE_OK;
    const rc = this.compact();
    if (rc !== STORE_OK) return rc;
    return this.writePos + bytes <= this.area ? STORE_OK : STORE_ERR_LOG_FULL;
  }

  /** Copy the live payload of `key` into out[at..]; returns its length, or -1. Off the hot path. */
  read(key: number, out: Uint8Array, at: number): number {
    const len = this.length(key);
    if (len < 0 || !this.ready) return -1;
    const s = this.store.read(this.files[this.cur], LOG_FILE_HEADER + this.offOf[key] + 9, len);
    if (s === undefined || s.length !== len) return -1;
    for (let i = 0; i < len; i++) out[at + i] = s.charCodeAt(i);
    return len;
  }

  /** Bytes all live records would take after a compaction. */
  liveBytes(): number {
    let n = 0;
    for (let k = 0; k < this.keys; k++) if (this.lenOf[k] > 0) n += this.recordBytes(this.lenOf[k]);
    return n;
  }

  /**
   * Copy-then-erase into the other file. Refuses (STORE_ERR_NO_SPACE) when Storage has no room
   * for the new file rather than let Espruino compact Storage in the middle of a transaction.
   * `dropUpToSeq` (optional): leave out records with seq <= it (except key `keepKey`): a consumer
   * that has closed a period (the journal after settlement) starts the next file without it.
   */
  compact(dropUpToSeq?: number, keepKey?: number): number {
    if (!this.ready) return STORE_ERR_NOT_OPEN;
    const drop = dropUpToSeq ? dropUpToSeq : 0;
    const keep = keepKey === undefined ? -1 : keepKey;
    const live = this.liveBytes();
    if (live > this.bytes) return STORE_ERR_LOG_FULL;
    let free = 0;
    try {
      free = this.store.getFree();
    } catch (e) {
      return STORE_ERR_IO;
    }
    if (free < this.fileFootprint()) return STORE_ERR_NO_SPACE;
    const next = 1 - this.cur;
    const gen = this.generation + 1;
    const rc = this.createHeader(next, gen);
    if (rc !== STORE_OK) return rc;
    const from = this.files[this.cur];
    const to = this.files[next];
    let pos = 0;
    try {
      for (let k = 0; k < this.keys; k++) {
        const len = this.lenOf[k];
        if (len <= 0 || (this.seqOf[k] <= drop && k !== keep)) {
          this.offNew[k] = -1;
          continue;
        }
        const size = this.recordBytes(len);
        const s = this.store.read(from, LOG_FILE_HEADER + this.offOf[k], size);
        if (s === undefined || s.length !== size) return STORE_ERR_IO;
        if (!this.store.write(to, s, LOG_FILE_HEADER + pos, 0)) return STORE_ERR_IO;
        this.offNew[k] = pos;
        pos += size;
      }
      if (!this.store.write(to, this.commitWord, LOG_FILE_HEADER - 4, 0)) return STORE_ERR_IO;
    } catch (e) {
      return STORE_ERR_IO;
    }
    // committed: the new file is the log now
    const t = this.offOf;
    this.offOf = this.offNew;
    this.offNew = t;
    for (let k = 0; k < this.keys; k++) {
      if (this.offOf[k] < 0) {
        this.lenOf[k] = -1;
        this.seqOf[k] = 0;
        this.offOf[k] = -1;
      }
    }
    this.cur = next;
    this.generation = gen;
    this.area = this.bytes;
    this.writePos = pos;
    this.compactions++;
    try {
      this.store.erase(from);
    } catch (e) {
      // recovery erases it if this was cut
    }
    return STORE_OK;
  }

  // ------------------------------------------------------------------ internals

  private resetIndex(): void {
    for (let k = 0; k < this.keys; k++) {
      this.offOf[k] = -1;
      this.seqOf[k] = 0;
      this.lenOf[k] = -1;
    }
    this.writePos = 0;
    this.nextSeq = 1;
  }

  /**
   * A cut inside Espruino's 32-byte file header, after its size field, leaves a live file whose
   * name is the first bytes of ours followed by 0xFF: nobody can name it, it would hold its
   * space forever. Erase such files (a name of only 0xFF bytes is nobody's either).
   */
  private cleanTorn(): void {
    let names: string[];
    try {
      names = this.store.list();
    } catch (e) {
      return;
    }
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      let p = n.length;
      while (p > 0 && n.charCodeAt(p - 1) === 0xff) p--;
      if (p === n.length) continue;
      const prefix = n.substring(0, p);
      if (p === 0 || this.files[0].indexOf(prefix) === 0 || this.files[1].indexOf(prefix) === 0) {
        try {
          this.store.erase(n);
        } catch (e) {
          return;
        }
      }
    }
  }

  private headerValid(): boolean {
    const h = this.header;
    if (h[0] !== 0x52 || h[1] !== 0x4c || h[2] !== 0x4f || h[3] !== 0x47) return false;
    return crc32(h, 0, 16) === getU32(h, 16);
  }

  /**
   * Create file `which` with a header for generation `gen` (not committed yet), and check what
   * Storage made of it. A power cut inside Espruino's own 32-byte file header before its size
   * field was complete leaves the chain ending in half a header; the next file created lands on
   * it and its size comes out ANDed with the old bits (shorter than asked). Such a file is erased
   * (it becomes trash of a valid size, so the chain steps over it) and the creation retried.
   */
  private createHeader(which: number, gen: number): number {
    const h = this.header;
    const name = this.files[which];
    const size = LOG_FILE_HEADER + this.bytes;
    h[0] = 0x52; // "RLOG"
    h[1] = 0x4c;
    h[2] = 0x4f;
    h[3] = 0x47;
    putU32(h, 4, gen);
    putU32(h, 8, this.bytes);
    putU32(h, 12, this.nextSeq);
    putU32(h, 16, crc32(h, 0, 16));
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (!this.store.write(name, h, 0, size)) return STORE_ERR_IO;
        const got = this.store.read(name);
        let good = got !== undefined && got.length === size;
        for (let i = 0; good && i < size; i++) {
          if ((got as string).charCodeAt(i) !== (i < LOG_FILE_HEADER - 4 ? h[i] : 0xff)) good = false;
        }
        if (good) return STORE_OK;
        this.store.erase(name);
      } catch (e) {
        return STORE_ERR_IO;
      }
    }
    return STORE_ERR_IO;
  }

  /** A new, empty, committed file. */
  private createFile(which: number, gen: number): number {
    let free = 0;
    try {
      free = this.store.getFree();
    } catch (e) {
      return STORE_ERR_IO;
    }
    if (free < this.fileFootprint()) return STORE_ERR_NO_SPACE;
    const rc = this.createHeader(which, gen);
    if (rc !== STORE_OK) return rc;
    try {
      if (!this.store.write(this.files[which], this.commitWord, LOG_FILE_HEADER - 4, 0)) return STORE_ERR_IO;
    } catch (e) {
      return STORE_ERR_IO;
    }
    return STORE_OK;
  }

  /** Index every valid record of a file image; appends resume after the last programmed granule. */
  private scan(data: Uint8Array): void {
    const g = this.granule;
    const area = this.area;
    let pos = 0;
    let end = 0;
    let inBad = false;
    let maxSeq = 0;
    while (pos + g <= area) {
      const b = LOG_FILE_HEADER + pos;
      if (data[b] === RECORD_MAGIC && pos + LOG_RECORD_OVERHEAD <= area) {
        const len = (data[b + 5] << 8) | data[b + 6];
        if (pos + LOG_RECORD_OVERHEAD + len <= area && crc32(data, b, b + 9 + len) === getU32(data, b + 9 + len)) {
          const seq = getU32(data, b + 1);
          const key = (data[b + 7] << 8) | data[b + 8];
          if (key < this.keys && seq > this.seqOf[key]) {
            this.seqOf[key] = seq;
            this.offOf[key] = pos;
            this.lenOf[key] = len;
          }
          if (seq > maxSeq) maxSeq = seq;
          pos += this.recordBytes(len);
          end = pos;
          inBad = false;
          continue;
        }
      }
      let erased = true;
      for (let i = 0; i < g; i++) {
        if (data[b + i] !== 0xff) {
          erased = false;
          break;
        }
      }
      if (!erased) {
        end = pos + g;
        if (!inBad) this.skipped++;
        inBad = true;
      } else {
        inBad = false;
      }
      pos += g;
    }
    this.writePos = end;
    this.nextSeq = maxSeq + 1;
  }
}
