/**
 * Espruino's `require("Storage")` on an emulated flash chip, for the virtual board and for tests
 * of everything that persists (firmware/txn/store). Self-contained: only the StoreLike type is
 * imported from the firmware.
 *
 * Layout and algorithms follow Espruino 2v2x src/jsflash.c (jsfCreateFile, jsfWriteFile,
 * jsfEraseFile, jsfGetStorageStats, jsfCompactInternal), so the image behaves like the real one,
 * including its weak spots:
 * - a file is a 32-byte header `[size u32 LE (flags in the top 8 bits)][name, 28 bytes, 0-padded]`
 *   followed by the data, padded to 4 bytes; files follow each other; a file that does not fit
 *   in the rest of a page starts on the next page, unless the pages after are empty (then it
 *   simply runs on). An all-0xFF header ends the chain in that page.
 * - `erase(name)` programs the first 4 name bytes to 0 (the file becomes trash); space comes
 *   back only when the bank is compacted: `compact()`, or automatically inside `write` when a new
 *   file does not fit but would after removing the trash (Espruino does that too).
 * - compaction moves the live files down through a RAM swap buffer of about one page and erases
 *   each page just before it writes into it: a power cut during it loses what is in the buffer,
 *   exactly the hazard a real board has (see firmware/txn/store/record-log.ts for how the core
 *   keeps out of its way).
 * - Failures THROW, as Espruino's jsExceptionHere does (write then also returns false, but a
 *   script sees the exception): "Unable to find or create file" (no room), "File already written
 *   with different data" (an offset write over bytes that are not erased: Espruino checks before
 *   it programs), "Too much data for file size", "Can't create zero length file".
 *
 * Flash semantics underneath: programming ANDs (bits only go 1 -> 0), erase is per page.
 * `verifyErased: false` drops Espruino's pre-write check so a write over written bytes ANDs into
 * them and corrupts silently (what raw flash, or an older/buggy build, does).
 *
 * Not emulated: the filename table that Linux and Bangle.js builds add after 200 file changes
 * (a lookup cache), StorageFile (`Storage.open`), and a second flash bank.
 *
 * Power cuts: `cutAfterBytes(n)` arms a cut; the operation that programs the n-th byte from now
 * programs exactly those bytes and throws PowerCut. From then on every write/erase/compact throws
 * PowerCut until `powerOn()`. Page erases are atomic (a cut happens between programmed bytes).
 *
 * Usage:
 *   const flash = new FlashStorage({ bytes: 64 * 1024 });
 *   flash.write("a", "Hello", 0, 14); flash.write("a", " World", 5); flash.read("a");
 *   flash.cutAfterBytes(10); try { flash.write("b", "0123456789abcdef"); } catch (e) { e instanceof PowerCut }
 *   flash.powerOn(); // reboot: build new objects over the same flash
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { StoreLike } from "../../firmware/hal/store";

/** Thrown by every mutating call once power has been cut. */
export class PowerCut extends Error {
  constructor() {
    super("PowerCut: flash lost power");
    this.name = "PowerCut";
  }
}

export interface FlashStorageOptions {
  /** Size of the Storage area in bytes (a multiple of pageSize). */
  bytes: number;
  /** Erase page size; Espruino for Linux uses 1024 (its default here). */
  pageSize?: number;
  /** Write alignment of files: 4 on most boards, 8 where flash programs 64-bit words. */
  alignment?: number;
  /** Image file: loaded if present, written by save() (and after each change with autoSave). */
  file?: string;
  autoSave?: boolean;
  /** Espruino refuses an offset write over non-erased bytes (default true, like the real thing). */
  verifyErased?: boolean;
}

export interface FlashStats {
  fileBytes: number;
  fileCount: number;
  trashBytes: number;
  trashCount: number;
  total: number;
  free: number;
}

const HEADER = 32; // sizeof(JsfFileHeader)
const NAME_LEN = 28; // sizeof(JsfFileName)
const WORD_UNSET = 0xffffffff;
const FLAGS_STORAGEFILE = 64;
const FLAGS_COMPRESSED = 128;

/** One header as read from flash (jsflash.c's JsfFileHeader), reused by the scanners. */
class Header {
  size = 0;
  firstChars = 0;
  readonly name = new Uint8Array(NAME_LEN);
}

export class FlashStorage implements StoreLike {
  readonly bytes: number;
  readonly pageSize: number;
  readonly alignment: number;
  readonly file: string | undefined;
  /** Bytes handed to flash programming since construction (headers, data, erase marks, compaction). */
  bytesProgrammed = 0;
  pagesErased = 0;
  /** Compactions run (explicit or automatic). */
  compactions = 0;
  private readonly img: Uint8Array;
  private readonly autoSave: boolean;
  private readonly verifyErased: boolean;
  private off = false;
  private armed = false;
  private remaining = 0;
  private cursor = 0; // the `*addr` of jsfGetNextFileHeader

  constructor(options: FlashStorageOptions) {
    this.pageSize = options.pageSize || 1024;
    this.alignment = options.alignment || 4;
    this.file = options.file;
    this.autoSave = !!options.autoSave;
    this.verifyErased = options.verifyErased !== false;
    let bytes = options.bytes;
    let loaded: Uint8Array | null = null;
    if (this.file && existsSync(this.file)) {
      loaded = new Uint8Array(readFileSync(this.file));
      bytes = loaded.length;
    }
    if (!(bytes > 0) || bytes % this.pageSize !== 0) {
      throw new Error("FlashStorage: bytes (" + bytes + ") must be a positive multiple of pageSize (" + this.pageSize + ")");
    }
    if (this.pageSize < HEADER * 2 || this.pageSize % this.alignment !== 0) throw new Error("FlashStorage: bad pageSize");
    this.bytes = bytes;
    this.img = new Uint8Array(bytes);
    this.img.fill(0xff);
    if (loaded) this.img.set(loaded);
  }

  /** A FlashStorage over an image file written by save() (or Espruino for Linux's storage area). */
  static load(file: string, options?: Partial<FlashStorageOptions>): FlashStorage {
    if (!existsSync(file)) throw new Error("FlashStorage.load: no image at " + file);
    const o: FlashStorageOptions = { bytes: 0, file: file };
    if (options) Object.assign(o, options);
    o.file = file;
    return new FlashStorage(o);
  }

  // ---------------------------------------------------------------- power

  /** Cut power once `n` more bytes have been programmed (n = 0: at once). */
  cutAfterBytes(n: number): void {
    if (n <= 0) {
      this.off = true;
      this.armed = false;
      return;
    }
    this.armed = true;
    this.remaining = n;
  }

  /** Power back on: the image stays as the cut left it. */
  powerOn(): void {
    this.off = false;
    this.armed = false;
  }

  /** True between a power cut and powerOn(). */
  get poweredOff(): boolean {
    return this.off;
  }

  /** A copy of the whole flash image. */
  image(): Uint8Array {
    return new Uint8Array(this.img);
  }

  /** Flash address of a file's data (for fault injection in tests), -1 if absent. */
  addressOf(name: string): number {
    return this.findFile(nameBytes(name), new Header());
  }

  /** Fault injection: set a byte of the image as is (bit rot, a stray write). Not counted. */
  poke(addr: number, value: number): void {
    if (addr < 0 || addr >= this.bytes) throw new Error("FlashStorage.poke: address out of range");
    this.img[addr] = value & 0xff;
  }

  save(): void {
    if (!this.file) throw new Error("FlashStorage.save: no file given");
    writeFileSync(this.file, this.img);
  }

  // ---------------------------------------------------------------- Storage API

  read(name: string, offset?: number, length?: number): string | undefined {
    const h = new Header();
    const addr = this.findFile(nameBytes(name), h);
    if (addr < 0) return undefined;
    const fileLen = fileSize(h);
    let off = offset ? Math.floor(offset) : 0;
    let len = length ? Math.floor(length) : 0;
    if (off < 0) off = 0;
    if (len <= 0) len = fileLen;
    if (off > fileLen) off = fileLen;
    if (off + len > fileLen) len = fileLen - off;
    if (len <= 0) return "";
    return latin1(this.img, addr + off, len);
  }

  readArrayBuffer(name: string): ArrayBuffer | undefined {
    const h = new Header();
    const addr = this.findFile(nameBytes(name), h);
    if (addr < 0) return undefined;
    return this.img.slice(addr, addr + fileSize(h)).buffer;
  }

  /** jswrap_storage_write + jsfWriteFile. Throws like Espruino on every failure. */
  write(name: string, data: string | Uint8Array | ArrayBuffer | ArrayLike<number> | object, offset?: number, size?: number): boolean {
    this.checkPower();
    try {
      let off = offset ? Math.floor(offset) : 0;
      let sz = size ? Math.floor(size) : 0;
      let bytes: Uint8Array;
      if (typeof data === "string") bytes = stringBytes(data);
      else if (data instanceof Uint8Array) bytes = data;
      else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
      else if (Array.isArray(data)) bytes = Uint8Array.from(data as number[], (v) => v & 0xff);
      else {
        // Espruino stores an object as JSON and ignores offset/size then.
        bytes = stringBytes(JSON.stringify(data));
        off = 0;
        sz = 0;
      }
      return this.writeFile(nameBytes(name), bytes, off, sz);
    } finally {
      this.persist();
    }
  }

  /** jsfEraseFile: mark the file deleted (programs 4 zero bytes); no-op if absent. */
  erase(name: string): void {
    this.checkPower();
    try {
      const h = new Header();
      const addr = this.findFile(nameBytes(name), h);
      if (addr >= 0) this.eraseFileInternal(addr);
    } finally {
      this.persist();
    }
  }

  list(pattern?: RegExp): string[] {
    const out: string[] = [];
    const h = new Header();
    let addr = 0;
    if (!this.getFileHeader(addr, h)) return out;
    do {
      if (isRealFile(h)) {
        const n = headerName(h);
        if (!pattern || n.match(pattern)) out.push(n);
      }
      const ok = this.getNextFileHeader(addr, h, true);
      addr = this.cursor;
      if (!ok) break;
    } while (true);
    return out;
  }

  /** Free bytes after the last file: the largest file that can be written without compacting. */
  getFree(): number {
    return this.getStats().free;
  }

  getStats(): FlashStats {
    const s = this.storageStats(0);
    return { fileBytes: s.fileBytes, fileCount: s.fileCount, trashBytes: s.trashBytes, trashCount: s.trashCount, total: s.total, free: s.free };
  }

  /** Storage.compact(): move live files down over the trash. True if space was freed. */
  compact(): boolean {
    this.checkPower();
    try {
      return this.bankCompact();
    } finally {
      this.persist();
    }
  }

  /** Storage.eraseAll(). */
  eraseAll(): void {
    this.checkPower();
    try {
      for (let p = 0; p < this.bytes; p += this.pageSize) this.erasePage(p);
    } finally {
      this.persist();
    }
  }

  // ---------------------------------------------------------------- flash primitives

  private checkPower(): void {
    if (this.off) throw new PowerCut();
  }

  private persist(): void {
    if (this.autoSave && this.file) writeFileSync(this.file, this.img);
  }

  /** Program bytes: each bit can only be cleared. Counts bytes and fires an armed cut. */
  private program(addr: number, src: Uint8Array, from: number, len: number): void {
    this.checkPower();
    if (addr < 0 || addr + len > this.bytes) throw new Error("FlashStorage: program out of range");
    for (let i = 0; i < len; i++) {
      this.img[addr + i] &= src[from + i];
      this.bytesProgrammed++;
      if (this.armed && --this.remaining === 0) {
        this.armed = false;
        this.off = true;
        throw new PowerCut();
      }
    }
  }

  private erasePage(addr: number): void {
    this.checkPower();
    const start = addr - (addr % this.pageSize);
    this.img.fill(0xff, start, start + this.pageSize);
    this.pagesErased++;
  }

  /** jshFlashErasePages: every page from the one holding startAddr while below startAddr+len. */
  private erasePages(startAddr: number, len: number): void {
    const end = startAddr + len;
    let addr = startAddr - (startAddr % this.pageSize);
    while (addr < end && addr < this.bytes) {
      this.erasePage(addr);
      addr += this.pageSize;
    }
  }

  private u32(addr: number): number {
    if (addr < 0 || addr + 4 > this.bytes) return WORD_UNSET;
    const m = this.img;
    return (m[addr] | (m[addr + 1] << 8) | (m[addr + 2] << 16) | (m[addr + 3] << 24)) >>> 0;
  }

  private isErased(addr: number, len: number): boolean {
    for (let i = 0; i < len; i++) if (this.img[addr + i] !== 0xff) return false;
    return true;
  }

  private align(n: number): number {
    const a = this.alignment;
    return Math.ceil(n / a) * a;
  }

  private pageStart(addr: number): number {
    return addr - (addr % this.pageSize);
  }

  // ---------------------------------------------------------------- jsflash.c, ported (bank = whole image, "no address" = -1)

  /** jsfGetFileHeader: load a header; valid unless unset/zero size or running past the bank. */
  private getFileHeader(addr: number, h: Header): boolean {
    if (addr < 0 || addr + HEADER > this.bytes) {
      h.size = WORD_UNSET;
      h.firstChars = WORD_UNSET;
      h.name.fill(0xff);
      return false;
    }
    h.size = this.u32(addr);
    h.firstChars = this.u32(addr + 4);
    h.name.set(this.img.subarray(addr + 4, addr + HEADER));
    const end = addr + HEADER + fileSize(h);
    return h.size !== WORD_UNSET && h.size !== 0 && end <= this.bytes;
  }

  /** jsfGetNextFileHeader: the header after `addr`; its address is left in this.cursor (-1: none). */
  private getNextFileHeader(addr: number, h: Header, getAll: boolean): boolean {
    this.cursor = -1;
    let newAddr = this.align(addr + fileSize(h) + HEADER);
    if (newAddr + HEADER > this.bytes) return false; // not enough space
    this.cursor = newAddr;
    let valid = this.getFileHeader(newAddr, h);
    if (getAll && !valid) {
      // nothing more in this page: look at the start of the next one
      newAddr = this.nextPage(newAddr);
      this.cursor = newAddr;
      if (newAddr < 0) return false;
      valid = this.getFileHeader(newAddr, h);
    }
    return valid;
  }

  /** jsfGetAddressOfNextPage. */
  private nextPage(addr: number): number {
    if (addr < 0) return -1;
    const next = this.pageStart(addr) + this.pageSize;
    return next >= this.bytes ? -1 : next;
  }

  /** jsfGetSpaceLeftInPage: to the next page, or to the end if the next page is empty. */
  private spaceLeftInPage(addr: number): number {
    if (addr < 0) return 0;
    let nextPageStart = this.pageStart(addr) + this.pageSize;
    const h = new Header();
    if (nextPageStart < this.bytes && !this.getFileHeader(nextPageStart, h)) nextPageStart = this.bytes;
    return nextPageStart - addr;
  }

  /** jsfGetStorageStats(addr, allPages = true). */
  private storageStats(startAddr: number): FlashStats & { firstPageWithErasedFiles: number } {
    const s = { fileBytes: 0, fileCount: 0, trashBytes: 0, trashCount: 0, total: 0, free: 0, firstPageWithErasedFiles: -1 };
    const h = new Header();
    let addr = startAddr;
    let lastAddr = addr;
    let lastUnbrokenPageStart = addr;
    if (this.getFileHeader(addr, h)) {
      do {
        if (this.pageStart(addr) === addr) lastUnbrokenPageStart = addr;
        const size = this.align(fileSize(h)) + HEADER;
        lastAddr = addr + size;
        if (h.firstChars !== 0) {
          s.fileBytes += size;
          s.fileCount++;
        } else {
          s.trashBytes += size;
          s.trashCount++;
          if (s.firstPageWithErasedFiles < 0) s.firstPageWithErasedFiles = lastUnbrokenPageStart;
        }
        const ok = this.getNextFileHeader(addr, h, true);
        addr = this.cursor;
        if (!ok) break;
      } while (true);
    }
    s.total = this.bytes - startAddr;
    s.free = this.bytes - lastAddr;
    return s;
  }

  /** jsfBankFindFile: address of the file's data, or -1. */
  private findFile(name: Uint8Array, h: Header): number {
    const first = (name[0] | (name[1] << 8) | (name[2] << 16) | (name[3] << 24)) >>> 0;
    let addr = 0;
    if (!this.getFileHeader(addr, h)) return -1;
    do {
      if (h.firstChars === first && sameName(h.name, name)) return addr + HEADER;
      const ok = this.getNextFileHeader(addr, h, true);
      addr = this.cursor;
      if (!ok) break;
    } while (true);
    return -1;
  }

  /** jsfEraseFileInternal: zero name.firstChars (a 4-byte program). `addr` points at the data. */
  private eraseFileInternal(addr: number): void {
    this.program(addr - HEADER + 4, ZERO4, 0, 4);
  }

  /** jsfCreateFile: find a hole (or compact once), write the header; returns the data address or -1. */
  private createFile(name: Uint8Array, size: number, flags: number): number {
    const required = this.align(size) + HEADER;
    const h = new Header();
    let compacted = false;
    let freeAddr = -1;
    while (freeAddr < 0) {
      let addr = 0;
      let freeSpace = 0;
      let trashSpace = 0;
      do {
        if (this.getFileHeader(addr, h)) {
          do {
            if (h.firstChars === 0) trashSpace += fileSize(h);
            const ok = this.getNextFileHeader(addr, h, false);
            addr = this.cursor;
            if (!ok) break;
          } while (true);
        }
        const spaceInPage = this.spaceLeftInPage(addr);
        freeSpace += spaceInPage;
        if (spaceInPage < required) addr = this.nextPage(addr);
        else freeAddr = addr;
      } while (addr >= 0 && freeAddr < 0);
      if (freeAddr < 0) {
        // Espruino compacts once, and only when that would surely make room ("better to fail fast")
        if (!compacted && required < freeSpace + trashSpace) {
          compacted = true;
          if (!this.bankCompact()) return -1;
        } else {
          return -1;
        }
      }
    }
    const hdr = new Uint8Array(HEADER);
    const sz = (size | (flags << 24)) >>> 0;
    hdr[0] = sz & 255;
    hdr[1] = (sz >>> 8) & 255;
    hdr[2] = (sz >>> 16) & 255;
    hdr[3] = sz >>> 24;
    hdr.set(name, 4);
    this.program(freeAddr, hdr, 0, HEADER);
    return freeAddr + HEADER;
  }

  /** jsfWriteFile. */
  private writeFile(name: Uint8Array, data: Uint8Array, offset: number, sizeArg: number): boolean {
    if (offset < 0 || sizeArg < 0) return false;
    const dLen = data.length;
    let size = sizeArg;
    if (size === 0) size = dLen;
    if (!size) throw new Error("Can't create zero length file");
    if (size > 0xffffff) throw new Error("Unable to find or create file");
    const h = new Header();
    let addr = this.findFile(name, h);
    const flags = 0;
    if (
      (addr < 0 && offset === 0) ||
      (addr >= 0 && offset === 0 && (flags !== h.size >>> 24 || size !== fileSize(h) || !this.isErased(addr, size)))
    ) {
      if (addr >= 0 && offset === 0 && size === fileSize(h) && flags === h.size >>> 24 && dLen === size && this.isEqual(addr, data)) {
        return true; // same contents already there
      }
      if (addr >= 0) this.eraseFileInternal(addr);
      addr = this.createFile(name, size, flags);
      if (addr >= 0) this.getFileHeader(addr - HEADER, h);
    }
    if (addr < 0) throw new Error("Unable to find or create file");
    if (offset + dLen > fileSize(h)) throw new Error("Too much data for file size");
    addr += offset;
    if (this.verifyErased && !this.isErased(addr, dLen)) throw new Error("File already written with different data");
    this.program(addr, data, 0, dLen);
    return true;
  }

  private isEqual(addr: number, data: Uint8Array): boolean {
    for (let i = 0; i < data.length; i++) if (this.img[addr + i] !== data[i]) return false;
    return true;
  }

  /** jsfBankCompact: true if there was trash to remove and the compaction ran. */
  private bankCompact(): boolean {
    const stats = this.storageStats(0);
    if (!stats.trashBytes) return false;
    let swapSize = stats.fileBytes;
    const maxRequired = this.pageSize + HEADER;
    if (swapSize > maxRequired) swapSize = maxRequired;
    if (swapSize === 0) swapSize = this.alignment; // only trash: nothing to carry
    this.compactions++;
    return this.compactInternal(stats.firstPageWithErasedFiles < 0 ? 0 : stats.firstPageWithErasedFiles, swapSize);
  }

  /**
   * jsfCompactInternal: copy live files from `start` down, through a circular RAM buffer, erasing
   * each page just before writing into it. What sits in the buffer when power goes is lost.
   */
  private compactInternal(startAddress: number, swapSize: number): boolean {
    const buf = new Uint8Array(swapSize);
    const st = { writeAddress: startAddress, head: 0, tail: 0, used: 0 };
    const h = new Header();
    let addr = startAddress;
    const hdrBytes = new Uint8Array(HEADER);
    if (this.getFileHeader(addr, h)) {
      do {
        if (isRealFile(h)) {
          // header into the buffer
          hdrBytes.set(this.img.subarray(addr, addr + HEADER));
          for (let i = 0; i < HEADER; i++) {
            buf[st.head] = hdrBytes[i];
            st.head = (st.head + 1) % swapSize;
          }
          st.used += HEADER;
          let alignedSize = this.align(fileSize(h));
          let alignedPtr = addr + HEADER;
          this.compactWriteBuffer(st, alignedPtr, buf);
          while (alignedSize) {
            let s = swapSize - st.used;
            if (s > swapSize - st.head) s = swapSize - st.head;
            if (st.tail > st.head && s > st.tail - st.head) s = st.tail - st.head;
            if (s === 0) return false; // no space left in the buffer
            if (s > alignedSize) s = alignedSize;
            buf.set(this.img.subarray(alignedPtr, alignedPtr + s), st.head);
            alignedSize -= s;
            alignedPtr += s;
            st.used += s;
            st.head = (st.head + s) % swapSize;
            this.compactWriteBuffer(st, alignedPtr, buf);
          }
        }
        const ok = this.getNextFileHeader(addr, h, true);
        addr = this.cursor;
        if (!ok) break;
      } while (true);
    }
    this.compactWriteBuffer(st, this.bytes, buf);
    let writeAddress = st.writeAddress;
    if (writeAddress !== startAddress) writeAddress = this.nextPage(writeAddress - 1);
    if (writeAddress >= 0) {
      if (addr < 0) addr = this.bytes;
      this.erasePages(writeAddress, addr - writeAddress);
    }
    return true;
  }

  /** jsfCompactWriteBuffer: flush the buffer into flash, but never into a page still being read. */
  private compactWriteBuffer(st: { writeAddress: number; head: number; tail: number; used: number }, readAddress: number, buf: Uint8Array): void {
    const size = buf.length;
    let nextFlashPage = this.nextPage(st.writeAddress);
    if (nextFlashPage < 0) nextFlashPage = this.bytes;
    while (st.used) {
      let s = st.used;
      if (s + st.tail > size) s = size - st.tail;
      if (s + st.writeAddress > nextFlashPage) s = nextFlashPage - st.writeAddress;
      if (readAddress < nextFlashPage) return; // still reading from that page
      if (this.pageStart(st.writeAddress) === st.writeAddress) this.erasePage(st.writeAddress);
      this.program(st.writeAddress, buf, st.tail, s);
      st.writeAddress += s;
      nextFlashPage = this.nextPage(st.writeAddress);
      if (nextFlashPage < 0) nextFlashPage = this.bytes;
      st.tail = (st.tail + s) % size;
      st.used -= s;
    }
  }
}

const ZERO4 = new Uint8Array(4);

function fileSize(h: Header): number {
  return h.size & 0x00ffffff;
}

/** jsfIsRealFile: not deleted, and a plain/StorageFile/compressed file. */
function isRealFile(h: Header): boolean {
  const flags = h.size >>> 24;
  return h.firstChars !== 0 && (flags === 0 || flags === FLAGS_STORAGEFILE || flags === FLAGS_COMPRESSED);
}

/** jsfNameFromVar: at most 28 chars, 0-padded (longer names are cut, as Espruino does). */
function nameBytes(name: string): Uint8Array {
  const out = new Uint8Array(NAME_LEN);
  const s = String(name);
  for (let i = 0; i < s.length && i < NAME_LEN; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function headerName(h: Header): string {
  let s = "";
  for (let i = 0; i < NAME_LEN && h.name[i]; i++) s += String.fromCharCode(h.name[i]);
  return s;
}

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < NAME_LEN; i++) if (a[i] !== b[i]) return false;
  return true;
}

function stringBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function latin1(m: Uint8Array, from: number, len: number): string {
  let s = "";
  const CHUNK = 4096;
  for (let i = 0; i < len; i += CHUNK) {
    const n = Math.min(CHUNK, len - i);
    s += String.fromCharCode.apply(null, Array.prototype.slice.call(m.subarray(from + i, from + i + n)) as number[]);
  }
  return s;
}
