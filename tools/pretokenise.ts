/**
 * Pretokenise an ES5 bundle for Espruino: reserved words and operators become single token bytes
 * (>= 0x80), string literals become raw length-prefixed byte strings (escapes already decoded),
 * integers become raw ints, whitespace and comments go (line breaks are kept: they cost nothing
 * here and keep error line numbers). Evaluated from Storage, a raw string longer than
 * JSVAR_DATA_STRING_LEN is not copied into RAM: the lexer makes it a reference into flash
 * (src/jslex.c jslGetRawString -> jsvNewFromStringVar), so a constant table written as one string
 * literal costs one block. The bundle in Storage also shrinks.
 *
 *   const bytes = pretokenise(readFileSync("dist/firmware.js", "utf8"));   // Buffer
 *
 * Exact by construction and by check: every token is emitted either as its own source text or as
 * a byte the interpreter's lexer turns into the same token with the same value, following the C
 * source of Espruino 2v29 (src/jslex.h token list, jslex.c jslGetNextToken/jslLexString/
 * jslGetRawString). Then `espruinoTokens` (a port of that lexer) lexes the plain text and the
 * result, and the two token streams must be equal, or pretokenise throws. A string literal whose
 * Espruino value is not a plain byte string (a \u escape >= 0x80 or a non-ASCII character makes
 * it a UTF-8 string there) stays as text, as Espruino's own pretokeniser does.
 *
 * Not done, on purpose: `-5` stays `-` and 5 (folding changes `-5 .toString()`), atob("...")
 * is not decoded, floats stay text (the lexer gives them a float value, not an int).
 */
import * as acorn from "acorn";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

// ---------------------------------------------------------------------------------------------
// The token table of src/jslex.h (LEX_TYPES) and jslReservedWordAsString, Espruino 2v29.

/** LEX_ID .. LEX_UNFINISHED_COMMENT: what the lexer reports; never written into code. */
export const LEX_ID = 128;
export const LEX_INT = 129;
export const LEX_FLOAT = 130;
export const LEX_STR = 131;
export const LEX_REGEX = 135;
/** _LEX_OPERATOR1_START: the first operator token. */
export const LEX_OPERATORS_START = 138;
/** In token order from LEX_EQUAL (138) to LEX_ARROW_FUNCTION (162). */
export const OPERATOR_TOKENS: readonly string[] = ["==", "===", "!=", "!==", "<=", "<<", "<<=", ">=", ">>", ">>>", ">>=", ">>>=", "+=", "-=", "++", "--", "*=", "/=", "%=", "&=", "&&", "|=", "||", "^=", "=>"];
/** _LEX_R_LIST_START: LEX_R_IF. */
export const LEX_RESERVED_START = LEX_OPERATORS_START + OPERATOR_TOKENS.length; // 163
/** In token order from LEX_R_IF (163) to LEX_R_OF (198). */
export const RESERVED_WORDS: readonly string[] = [
  "if", "else", "do", "while", "for", "break", "continue", "function", "return", "var", "let", "const", "this", "throw", "try", "catch", "finally",
  "true", "false", "null", "undefined", "new", "in", "instanceof", "switch", "case", "default", "delete", "typeof", "void", "debugger", "class",
  "extends", "super", "static", "of",
];
export const LEX_R_TRUE = LEX_RESERVED_START + RESERVED_WORDS.indexOf("true");
export const LEX_R_FALSE = LEX_RESERVED_START + RESERVED_WORDS.indexOf("false");
export const LEX_R_NULL = LEX_RESERVED_START + RESERVED_WORDS.indexOf("null");
export const LEX_R_UNDEFINED = LEX_RESERVED_START + RESERVED_WORDS.indexOf("undefined");
/** _LEX_OPERATOR2_START = _LEX_R_LIST_END + 10 (padding): LEX_NULLISH "??". */
export const LEX_NULLISH = LEX_RESERVED_START + RESERVED_WORDS.length - 1 + 10; // 0xD0
/** _LEX_TOKENS_END: the last operator/keyword token (the regex rule below uses the range). */
export const LEX_TOKENS_END = LEX_NULLISH;
/** 0xD1, length, bytes */
export const LEX_RAW_STRING8 = LEX_NULLISH + 1;
/** 0xD2, length low, length high, bytes */
export const LEX_RAW_STRING16 = LEX_NULLISH + 2;
/** 0xD3: the integer 0 */
export const LEX_RAW_INT0 = LEX_NULLISH + 3;
/** 0xD4, value (int8) */
export const LEX_RAW_INT8 = LEX_NULLISH + 4;
/** 0xD5, value low, value high (int16; low byte first, as jslGetNextToken reads it) */
export const LEX_RAW_INT16 = LEX_NULLISH + 5;

const OPERATOR_BYTE = new Map<string, number>(OPERATOR_TOKENS.map((s, i) => [s, LEX_OPERATORS_START + i]));
const RESERVED_BYTE = new Map<string, number>(RESERVED_WORDS.map((s, i) => [s, LEX_RESERVED_START + i]));
OPERATOR_BYTE.set("??", LEX_NULLISH);

/** The source text of a token byte ("if", "===", ...), or null for a byte that is not one. */
export function tokenText(byte: number): string | null {
  if (byte >= LEX_OPERATORS_START && byte < LEX_RESERVED_START) return OPERATOR_TOKENS[byte - LEX_OPERATORS_START];
  if (byte >= LEX_RESERVED_START && byte < LEX_RESERVED_START + RESERVED_WORDS.length) return RESERVED_WORDS[byte - LEX_RESERVED_START];
  if (byte === LEX_NULLISH) return "??";
  return null;
}

// ---------------------------------------------------------------------------------------------

/** Bad input (not ES5 that Espruino can lex the same way), with where it is. */
export class PretokeniseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`pretokenise: ${message} (line ${line}, column ${column + 1})`);
    this.name = "PretokeniseError";
  }
}

export interface PretokeniseStats {
  inputBytes: number;
  outputBytes: number;
  /** Reserved words and operators written as one byte. */
  tokenBytes: number;
  rawStrings: number;
  /** Raw strings longer than 12 characters: a 32-bit build keeps these in flash (JSVAR_DATA_STRING_LEN is 10..12). */
  longRawStrings: number;
  rawInts: number;
  /** String literals left as text, and why ("utf8": Espruino makes them UTF-8 strings). */
  stringsAsText: { utf8: number; empty: number; tooLong: number; differsFromJs: number };
  /** Line breaks kept. */
  lines: number;
}

export interface PretokeniseOptions {
  /** Lex input and output with the port of Espruino's lexer and require equal tokens; default true. */
  verify?: boolean;
}

type Piece = { kind: "byte" | "raw"; bytes: number[] } | { kind: "text"; text: string; what: "word" | "num" | "str" | "regex" | "punct" };

const WORD_CHAR = /[A-Za-z0-9_$]/;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const SINGLE_PUNCT = "{}()[];,<>+-*/%&|^!~?:=.";
/** Single-char operators and what may not follow them without a space (it would lex as one longer token, or a comment). */
const JOINS: Record<string, string> = { "=": "=>", "!": "=", "<": "<=", ">": ">=", "+": "+=", "-": "-=", "*": "=", "/": "=/*", "%": "=", "&": "&=", "|": "|=", "^": "=", "?": "?" };

/** Would the C lexer read `a` directly followed by `b` differently from `a b`? */
function needsSpace(a: Piece & { kind: "text" }, b: Piece & { kind: "text" }): boolean {
  const x = a.text[a.text.length - 1];
  const y = b.text[0];
  if (WORD_CHAR.test(x) && WORD_CHAR.test(y)) return true; // ids, numbers, regex flags
  if (a.what === "num" && y === ".") return true; // `1 .x` is not `1.` then x
  if (x === "." && /[0-9]/.test(y)) return true;
  const j = JOINS[x];
  return j !== undefined && a.what !== "str" && j.indexOf(y) >= 0;
}

/**
 * An Espruino string literal's value as its lexer builds it (jslLexString): the bytes, and whether
 * the lexer makes it a UTF-8 string (a \u escape >= 0x80 or a non-ASCII character), or why it
 * cannot be a raw string.
 */
export function espruinoStringValue(literal: string): { bytes: string; utf8: boolean; error?: string } {
  const delim = literal[0];
  let out = "";
  let utf8 = false;
  let i = 1;
  while (i < literal.length && literal[i] !== delim) {
    let c = literal[i];
    if (c.charCodeAt(0) > 0x7f) utf8 = true;
    if (c === "\n") return { bytes: out, utf8, error: "line break in string" };
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    i++;
    c = literal[i];
    if (c === undefined) return { bytes: out, utf8, error: "unfinished escape" };
    const simple: Record<string, string> = { n: "\n", b: "\b", f: "\f", r: "\r", t: "\t", v: "\v" };
    if (simple[c] !== undefined) {
      out += simple[c];
      i++;
    } else if (c === "x" || c === "u") {
      const n = c === "u" ? 4 : 2;
      const hex = literal.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) return { bytes: out, utf8, error: "invalid escape sequence" };
      const cp = parseInt(hex, 16);
      if (c === "u" && cp >= 0x80) utf8 = true;
      out += String.fromCharCode(c === "u" ? cp : cp & 0xff);
      i += 1 + n;
    } else if (c >= "0" && c <= "7") {
      let digits = c;
      i++;
      if (literal[i] >= "0" && literal[i] <= "7") digits += literal[i++];
      if (digits.length === 2 && literal[i] >= "0" && literal[i] <= "7") digits += literal[i++];
      out += String.fromCharCode(parseInt(digits, 8) & 0xff); // (char) of up to \777
    } else {
      out += c; // anything else, a line break included, goes through as itself
      i++;
    }
  }
  if (i >= literal.length) return { bytes: out, utf8, error: "unfinished string" };
  return { bytes: out, utf8 };
}

/** The C lexer's value of an integer literal's text (stringToInt: 0x, 0b, 0o, leading-0 octal). */
function cIntValue(text: string): bigint {
  let s = text.replace(/_/g, "");
  let radix = 10;
  if (s[0] === "0") {
    radix = 8;
    s = s.slice(1);
    if (/^[oO]/.test(s)) s = s.slice(1);
    else if (/^[xX]/.test(s)) (radix = 16), (s = s.slice(1));
    else if (/^[bB]/.test(s)) (radix = 2), (s = s.slice(1));
    else if (/^[0-9]*[.89]/.test(s)) radix = 10;
  }
  let v = 0n;
  for (const ch of s) {
    const d = parseInt(ch, 36);
    if (!(d >= 0 && d < radix)) break;
    v = BigInt.asIntN(64, v * BigInt(radix) + BigInt(d));
  }
  return v;
}

function rawInt(v: number): number[] {
  if (v === 0) return [LEX_RAW_INT0];
  if (v > 0 && v < 128) return [LEX_RAW_INT8, v];
  return [LEX_RAW_INT16, v & 0xff, (v >> 8) & 0xff];
}

/** Where in `code` offset `pos` is, for messages. */
function lineCol(code: string, pos: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = code.indexOf("\n"); i >= 0 && i < pos; i = code.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: pos - start };
}

/** The C lexer's choice at a '/' (jslGetNextToken, JSLJT_FORWARDSLASH): a regex after these tokens. */
export function slashStartsRegex(lastToken: number): boolean {
  if (lastToken === 0) return true; // LEX_EOF
  if (lastToken >= LEX_OPERATORS_START && lastToken <= LEX_TOKENS_END) return lastToken !== LEX_R_TRUE && lastToken !== LEX_R_FALSE && lastToken !== LEX_R_NULL && lastToken !== LEX_R_UNDEFINED;
  return lastToken < 128 && "!%&*+-/<=>?[{}(,;:".indexOf(String.fromCharCode(lastToken)) >= 0;
}

/** Pretokenise; see the file comment. Throws PretokeniseError on input it cannot make exact. */
export function pretokenise(es5Code: string, opts: PretokeniseOptions = {}): Buffer {
  return pretokeniseWithStats(es5Code, opts).bytes;
}

export function pretokeniseWithStats(es5Code: string, opts: PretokeniseOptions = {}): { bytes: Buffer; stats: PretokeniseStats } {
  const code = es5Code;
  const fail = (msg: string, pos: number): never => {
    const lc = lineCol(code, pos);
    throw new PretokeniseError(msg, lc.line, lc.column);
  };
  const stats: PretokeniseStats = { inputBytes: Buffer.byteLength(code, "utf8"), outputBytes: 0, tokenBytes: 0, rawStrings: 0, longRawStrings: 0, rawInts: 0, stringsAsText: { utf8: 0, empty: 0, tooLong: 0, differsFromJs: 0 }, lines: 0 };
  const pieces: Piece[] = [];
  let lastTk = 0; // the C lexer's previous token, for its regex rule
  let lastEnd = 0;
  try {
    acorn.parse(code, { ecmaVersion: 5, allowHashBang: false, allowReturnOutsideFunction: true }); // refuse what is not ES5, with acorn's message
  } catch (e) {
    const err = e as Error & { pos?: number };
    return fail("not ES5: " + err.message.replace(/ \(\d+:\d+\)$/, ""), err.pos || 0);
  }
  const tokens = acorn.tokenizer(code, { ecmaVersion: 5, allowHashBang: false })[Symbol.iterator]();
  for (;;) {
    let tok: acorn.Token;
    try {
      const r = tokens.next();
      if (r.done) break;
      tok = r.value;
    } catch (e) {
      const err = e as Error & { pos?: number };
      return fail(err.message.replace(/ \(\d+:\d+\)$/, ""), err.pos || 0);
    }
    const gap = tok.start > lastEnd ? code.slice(lastEnd, tok.start) : "";
    const spacing = gap === "" ? "" : gap.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n\r\u2028\u2029]*/g, (c) => (/[\n\r\u2028\u2029]/.test(c) ? "\n" : " "));
    if (/[^\t\v\f \n\r]/.test(spacing)) fail("whitespace Espruino does not skip (only tab, VT, FF, space, CR, LF)", lastEnd + spacing.search(/[^\t\v\f \n\r]/));
    if (/[\n\r\u2028\u2029]/.test(spacing) && pieces.length > 0) {
      pieces.push({ kind: "text", text: "\n", what: "punct" });
      stats.lines++;
    }
    lastEnd = tok.end;
    const src = code.slice(tok.start, tok.end);
    const type = tok.type;
    const value = (tok as unknown as { value: unknown }).value;
    if (type.label === "name" || type.keyword !== undefined) {
      if (!IDENT.test(src) || (type.label === "name" && value !== src)) fail(`identifier ${JSON.stringify(src)}: Espruino lexes only A-Z a-z 0-9 _ $ in names`, tok.start);
      const b = RESERVED_BYTE.get(src);
      if (b !== undefined) {
        pieces.push({ kind: "byte", bytes: [b] });
        stats.tokenBytes++;
        lastTk = b;
      } else {
        pieces.push({ kind: "text", text: src, what: "word" });
        lastTk = LEX_ID;
      }
    } else if (type.label === "string") {
      const v = espruinoStringValue(src);
      let asText = "";
      if (v.error) fail(`string literal: ${v.error}`, tok.start);
      if (v.utf8) asText = "utf8";
      else if (v.bytes !== value) asText = "differsFromJs";
      else if (v.bytes.length === 0) asText = "empty";
      else if (v.bytes.length > 0xffff) asText = "tooLong";
      if (asText) {
        stats.stringsAsText[asText as keyof PretokeniseStats["stringsAsText"]]++;
        pieces.push({ kind: "text", text: src, what: "str" });
      } else {
        const n = v.bytes.length;
        const head = n < 256 ? [LEX_RAW_STRING8, n] : [LEX_RAW_STRING16, n & 0xff, n >> 8];
        const bytes = head.slice();
        for (let i = 0; i < n; i++) bytes.push(v.bytes.charCodeAt(i));
        pieces.push({ kind: "raw", bytes });
        stats.rawStrings++;
        if (n > 12) stats.longRawStrings++;
      }
      lastTk = LEX_STR;
    } else if (type.label === "num") {
      const clean = /^(0|[1-9][0-9]*|0[xX][0-9a-fA-F]+)$/.test(src);
      const v = clean ? Number(cIntValue(src)) : -1;
      // raw when the lexer gives the same int and it is not longer than the text (1..9 stay text)
      if (clean && v >= 0 && v <= 0x7fff && rawInt(v).length <= src.length) {
        pieces.push({ kind: "raw", bytes: rawInt(v) });
        stats.rawInts++;
      } else pieces.push({ kind: "text", text: src, what: "num" });
      lastTk = /^[0-9]*$|^0[xXbBoO]/.test(src) ? LEX_INT : LEX_FLOAT;
    } else if (type.label === "regexp") {
      if (!slashStartsRegex(lastTk)) fail(`regex literal ${src} after a token where Espruino reads '/' as division (put it in parentheses or assign it first)`, tok.start);
      let i = 1;
      while (i < src.length && src[i] !== "/" && src[i] !== "\n") i += src[i] === "\\" ? 2 : 1;
      i++;
      while (i < src.length && "gimyu".indexOf(src[i]) >= 0) i++;
      if (i !== src.length) fail(`regex literal ${src}: Espruino's lexer ends it after ${JSON.stringify(src.slice(0, i))} (escape a '/' inside [...] as '\\/')`, tok.start);
      pieces.push({ kind: "text", text: src, what: "regex" });
      lastTk = LEX_REGEX;
    } else if (type.label === "eof") {
      break;
    } else {
      const b = OPERATOR_BYTE.get(src);
      if (b !== undefined) {
        if ((src === "/=") && slashStartsRegex(lastTk)) fail("'/=' after a token where Espruino starts a regex", tok.start);
        pieces.push({ kind: "byte", bytes: [b] });
        stats.tokenBytes++;
        lastTk = b;
      } else if (src.length === 1 && SINGLE_PUNCT.indexOf(src) >= 0) {
        if (src === "/" && slashStartsRegex(lastTk)) fail("'/' (division) after a token where Espruino starts a regex", tok.start);
        pieces.push({ kind: "text", text: src, what: "punct" });
        lastTk = src.charCodeAt(0);
      } else fail(`token ${JSON.stringify(src)} is not ES5 that Espruino lexes`, tok.start);
    }
  }
  // built as a latin1 string (one char per byte): text in UTF-8, as the plain bundle is stored
  const out: string[] = [];
  let prev: Piece | null = null;
  for (const p of pieces) {
    if (p.kind === "text") {
      if (prev && prev.kind === "text" && needsSpace(prev, p)) out.push(" ");
      out.push(/[^\x00-\x7f]/.test(p.text) ? Buffer.from(p.text, "utf8").toString("latin1") : p.text);
    } else out.push(String.fromCharCode.apply(null, p.bytes));
    prev = p;
  }
  const bytes = Buffer.from(out.join(""), "latin1");
  stats.outputBytes = bytes.length;
  if (opts.verify !== false) verifySameTokens(Buffer.from(code, "utf8"), bytes, code);
  return { bytes, stats };
}

// ---------------------------------------------------------------------------------------------
// A port of Espruino 2v29's lexer (src/jslex.c jslGetNextToken), to check the result.

export interface EspruinoToken {
  /** The token: a char code (< 128), LEX_ID/INT/FLOAT/STR/REGEX, or an operator/keyword token. */
  tk: number;
  /** ID/REGEX/FLOAT: text; INT: the value (as stringToInt/the raw bytes give it); STR: the bytes. */
  value?: string | bigint;
  /** STR: the lexer makes a UTF-8 string of it. */
  utf8?: boolean;
  /** Offset of the token in the input. */
  pos: number;
}

const OPERATOR_STARTS = "=!<>+-*/%&|^?";
const isAlpha = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isNum = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isNum(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isSpace = (c: number) => c === 9 || c === 11 || c === 12 || c === 32 || c === 10 || c === 13;

/** Lex bytes as Espruino 2v29 does (plain or pretokenised). Throws on an unfinished string, regex or comment. */
export function espruinoTokens(src: Uint8Array): EspruinoToken[] {
  const out: EspruinoToken[] = [];
  let p = 0;
  const ch = (i = p) => (i < src.length ? src[i] : 0);
  let last = 0;
  const text = Buffer.from(src.buffer, src.byteOffset, src.length).toString("latin1");
  const latin1 = (a: number, b: number) => text.slice(a, b);
  for (;;) {
    // whitespace and comments (jslSkipWhiteSpace)
    for (;;) {
      while (isSpace(ch())) p++;
      if (ch() === 47 && ch(p + 1) === 47) {
        while (ch() && ch() !== 10) p++;
        p++;
      } else if (ch() === 47 && ch(p + 1) === 42) {
        p += 2;
        while (ch() && !(ch() === 42 && ch(p + 1) === 47)) p++;
        if (!ch()) throw new Error(`unfinished comment at ${p}`);
        p += 2;
      } else break;
    }
    if (p >= src.length || ch() === 0) break;
    const start = p;
    const c = ch();
    let t: EspruinoToken;
    const op = (tk: number, len: number): EspruinoToken => ((p += len), { tk, pos: start });
    if (c >= 128) {
      p++;
      if (c === LEX_RAW_STRING8 || c === LEX_RAW_STRING16) {
        let n = ch();
        p++;
        if (c === LEX_RAW_STRING16) n |= ch(p++) << 8;
        t = { tk: LEX_STR, value: latin1(p, p + n), utf8: false, pos: start };
        p += n;
      } else if (c === LEX_RAW_INT0) t = { tk: LEX_INT, value: 0n, pos: start };
      else if (c === LEX_RAW_INT8) t = { tk: LEX_INT, value: BigInt((ch(p++) << 24) >> 24), pos: start };
      else if (c === LEX_RAW_INT16) {
        const v = ch(p) | (ch(p + 1) << 8);
        p += 2;
        t = { tk: LEX_INT, value: BigInt((v << 16) >> 16), pos: start };
      } else t = { tk: c, pos: start };
    } else if (isAlpha(c) || c === 36) {
      while (isAlpha(ch()) || isNum(ch()) || ch() === 36) p++;
      const word = latin1(start, p);
      const r = RESERVED_BYTE.get(word);
      t = r !== undefined ? { tk: r, pos: start } : { tk: LEX_ID, value: word, pos: start };
    } else if (isNum(c) || c === 46) {
      let tk = LEX_INT;
      let text = "";
      let canBeFloating = true;
      let dotOnly = false;
      if (c === 46) {
        p++;
        if (isNum(ch())) (tk = LEX_FLOAT), (text = ".");
        else dotOnly = true;
      } else {
        if (c === 48) {
          text += "0";
          p++;
          if (/[xXbBoO]/.test(String.fromCharCode(ch()))) (canBeFloating = false), (text += String.fromCharCode(ch())), p++;
        }
        while (isNum(ch()) || (!canBeFloating && isHex(ch())) || ch() === 95) {
          if (ch() !== 95) text += String.fromCharCode(ch());
          p++;
        }
        if (canBeFloating && ch() === 46) (tk = LEX_FLOAT), (text += "."), p++;
      }
      if (dotOnly) t = { tk: 46, pos: start };
      else {
        if (tk === LEX_FLOAT)
          while (isNum(ch()) || ch() === 95) {
            if (ch() !== 95) text += String.fromCharCode(ch());
            p++;
          }
        if (canBeFloating && (ch() === 101 || ch() === 69)) {
          tk = LEX_FLOAT;
          text += String.fromCharCode(ch());
          p++;
          if (ch() === 45 || ch() === 43) text += String.fromCharCode(ch(p++));
          while (isNum(ch()) || ch() === 95) {
            if (ch() !== 95) text += String.fromCharCode(ch());
            p++;
          }
        }
        t = { tk, value: tk === LEX_INT ? cIntValue(text) : text, pos: start };
      }
    } else if (c === 34 || c === 39 || c === 96) {
      if (c === 96) throw new Error(`template literal at ${start}: not checked by this port`);
      let q = p + 1;
      while (q < src.length && src[q] !== c && src[q] !== 10) q += src[q] === 92 ? 2 : 1;
      if (q >= src.length || src[q] !== c) throw new Error(`unfinished string at ${start}`);
      p = q + 1;
      const v = espruinoStringValue(Buffer.from(src.subarray(start, p)).toString("utf8"));
      if (v.error) throw new Error(`string at ${start}: ${v.error}`);
      t = { tk: LEX_STR, value: v.bytes, utf8: v.utf8, pos: start };
    } else if (c === 47 && slashStartsRegex(last)) {
      p++;
      while (ch() && ch() !== 47) {
        if (ch() === 92) p++;
        else if (ch() === 10) break;
        p++;
      }
      if (ch() !== 47) throw new Error(`unfinished regex at ${start}`);
      p++;
      while ("gimyu".indexOf(String.fromCharCode(ch())) >= 0 && ch()) p++;
      t = { tk: LEX_REGEX, value: latin1(start, p), pos: start };
    } else {
      // operators: the longest of OPERATOR_TOKENS (+ "??") the C code would build, else one char
      let best = "";
      if (OPERATOR_STARTS.indexOf(String.fromCharCode(c)) >= 0) for (const s of OPERATOR_BYTE.keys()) if (s.length > best.length && text.startsWith(s, p)) best = s;
      t = best ? op(OPERATOR_BYTE.get(best)!, best.length) : op(c, 1);
    }
    out.push(t);
    last = t.tk;
  }
  return out;
}

/**
 * A string literal in ASCII (as terser writes the bundle: ascii_only); `utf8`: \u escapes, which
 * make Espruino's lexer build a UTF-8 string again.
 */
function asciiLiteral(v: string, utf8: boolean): string {
  return JSON.stringify(v).replace(/[\x7f-\uffff]/g, (ch) => {
    const c = ch.charCodeAt(0);
    return c < 256 && !(utf8 && c >= 128) ? "\\x" + c.toString(16).padStart(2, "0") : "\\u" + c.toString(16).padStart(4, "0");
  });
}

/**
 * Pretokenised code back to JavaScript text with the same tokens (and its line breaks, for
 * semicolon insertion): what the virtual board runs when it is handed a board's image, since
 * Node cannot read Espruino's token bytes. Strings come back as literals of their values.
 */
export function detokenise(src: Uint8Array): string {
  const tokens = espruinoTokens(src);
  let out = "";
  let prevEnd = 0;
  for (const t of tokens) {
    let gapHasBreak = false;
    for (let i = prevEnd; i < t.pos; i++) if (src[i] === 10) gapHasBreak = true;
    if (out !== "") out += gapHasBreak ? "\n" : " ";
    const c = src[t.pos];
    if (c === LEX_RAW_STRING8) prevEnd = t.pos + 2 + src[t.pos + 1];
    else if (c === LEX_RAW_STRING16) prevEnd = t.pos + 3 + (src[t.pos + 1] | (src[t.pos + 2] << 8));
    else if (c === LEX_RAW_INT8) prevEnd = t.pos + 2;
    else if (c === LEX_RAW_INT16) prevEnd = t.pos + 3;
    else prevEnd = t.pos + 1; // the rest of a text token holds no line break
    if (t.tk < 128) out += String.fromCharCode(t.tk);
    else if (t.tk === LEX_ID || t.tk === LEX_FLOAT || t.tk === LEX_REGEX) out += String(t.value);
    else if (t.tk === LEX_INT) out += (t.value as bigint) < 0n ? "(" + String(t.value) + ")" : String(t.value);
    else if (t.tk === LEX_STR) out += asciiLiteral(String(t.value), !!t.utf8);
    else {
      const text = tokenText(t.tk);
      if (text === null) throw new Error(`detokenise: token byte ${t.tk} at ${t.pos}`);
      out += text;
    }
  }
  return out;
}

function sameToken(a: EspruinoToken, b: EspruinoToken): boolean {
  return a.tk === b.tk && a.value === b.value && !!a.utf8 === !!b.utf8;
}

function describeToken(t: EspruinoToken | undefined): string {
  if (!t) return "end of code";
  const name = t.tk < 128 ? JSON.stringify(String.fromCharCode(t.tk)) : tokenText(t.tk) || ["ID", "INT", "FLOAT", "STR"][t.tk - 128] || (t.tk === LEX_REGEX ? "REGEX" : "token " + t.tk);
  return t.value === undefined ? name : `${name} ${typeof t.value === "bigint" ? t.value.toString() : JSON.stringify(t.value)}`;
}

function verifySameTokens(plain: Buffer, tokenised: Buffer, code: string): void {
  let a: EspruinoToken[];
  try {
    a = espruinoTokens(plain);
  } catch (e) {
    throw new PretokeniseError(`Espruino's lexer cannot read the plain code: ${(e as Error).message}`, 0, 0);
  }
  const b = espruinoTokens(tokenised);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] && b[i] && sameToken(a[i], b[i])) continue;
    const at = a[i] ? Buffer.from(plain.subarray(0, a[i].pos)).toString("utf8").length : code.length;
    const lc = lineCol(code, at);
    throw new PretokeniseError(`token ${i} differs on Espruino: plain code gives ${describeToken(a[i])}, pretokenised gives ${describeToken(b[i])}`, lc.line, lc.column);
  }
}

// ---------------------------------------------------------------------------------------------

/** Which form the rigs and `npm run flash` load: FIRMWARE_FORM=plain|tokenised (default tokenised). */
export type FirmwareForm = "tokenised" | "plain";

export function firmwareForm(env: Record<string, string | undefined> = process.env): FirmwareForm {
  const v = (env.FIRMWARE_FORM || "").trim().toLowerCase();
  if (v === "" || v === "tokenised" || v === "tokenized") return "tokenised";
  if (v === "plain") return "plain";
  throw new Error(`FIRMWARE_FORM=${JSON.stringify(env.FIRMWARE_FORM)}: use plain or tokenised`);
}

/** The bytes that go to Storage for a bundle in this form, and a line saying which form it is. */
export function storageForm(bundle: string, form: FirmwareForm, label = "bundle"): { bytes: Buffer; note: string } {
  const plain = Buffer.from(bundle, "utf8");
  if (form === "plain") return { bytes: plain, note: `${label}: plain text, ${plain.length} bytes (FIRMWARE_FORM=plain)` };
  const r = pretokeniseWithStats(bundle);
  return { bytes: r.bytes, note: `${label}: pretokenised, ${r.bytes.length} bytes (plain ${plain.length}; ${r.stats.rawStrings} raw strings)` };
}

/** `dist/x.js` -> `dist/x.tok`. */
export function tokenisedPath(jsPath: string): string {
  return jsPath.replace(/\.js$/, "") + ".tok";
}

/**
 * The build's step: write `<name>.tok` beside each flashable bundle (not the `.debug.js` ones) and
 * print its size. Returns false (after printing why) when a bundle cannot be pretokenised.
 */
export function writeTokenisedBundles(files: string[], log: (line: string) => void = console.log): boolean {
  for (const file of files) {
    if (!/\.js$/.test(file) || /\.debug\.js$/.test(file) || !existsSync(file)) continue;
    const out = tokenisedPath(file);
    try {
      const r = pretokeniseWithStats(readFileSync(file, "utf8"));
      writeFileSync(out, r.bytes);
      const s = r.stats;
      log(`${out}: ${r.bytes.length} bytes pretokenised (${gzipSync(r.bytes).length} gzipped; plain ${statSync(file).size}; ${s.rawStrings} raw strings, ${s.longRawStrings} kept in flash, ${s.rawInts} raw ints)`);
    } catch (e) {
      log(`${file}: cannot be pretokenised: ${(e as Error).message}`);
      return false;
    }
  }
  return true;
}
