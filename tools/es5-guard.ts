/**
 * The ES5/runtime guard: refuses a firmware bundle Espruino could not run.
 *
 * 1. Syntax: the bundle must parse with acorn at ecmaVersion 5. To name what is wrong (not just
 *    "Unexpected token"), it is also parsed at the newest ecmaVersion and every ES2015+ node is
 *    reported by name (arrow function, class, let, template literal, destructuring, ...).
 *    Labelled break/continue parse as ES5 but do not work on Espruino (shared/ESPRUINO.md).
 * 2. Runtime names: free references to globals and statics Espruino lacks (Map, Set, Symbol,
 *    Array.from, Number.isInteger, Promise.allSettled, ...). `typeof X` feature tests are allowed.
 *
 * Every violation names the construct and, through the bundle's source map (rollup writes a
 * hidden one, see tools/build.ts), the source file: for a TypeScript source the line is found
 * again in the .ts file; otherwise the line in the module's compiled code is given.
 */
import { hoistingHazards } from "../hil/inside/espruino-fixes.js";
import { parse, type Node as AcornNode, type AnyNode, type Options } from "acorn";
import * as walk from "acorn-walk";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import ts from "typescript";

/** Globals Espruino does not have (checked on Espruino 2v29 for Linux: `typeof X` is "undefined"). */
export const MISSING_GLOBALS: readonly string[] = [
  "Map", "Set", "WeakMap", "WeakSet", "Symbol", "Proxy", "Reflect", "WeakRef", "FinalizationRegistry",
  "BigInt", "Intl",
];

const TYPED_ARRAYS = [
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float32Array", "Float64Array",
];

/** Static members Espruino lacks although their object exists (same check as above). */
export const MISSING_STATICS: Readonly<Record<string, readonly string[]>> = (() => {
  const t: Record<string, readonly string[]> = {
    Array: ["from", "of"],
    Number: ["isInteger", "isFinite", "isNaN", "isSafeInteger", "parseFloat", "parseInt", "EPSILON", "MAX_SAFE_INTEGER", "MIN_SAFE_INTEGER"],
    Object: ["is", "freeze", "isFrozen", "seal", "isSealed", "preventExtensions", "isExtensible", "getOwnPropertySymbols"],
    String: ["raw", "fromCodePoint"],
    Promise: ["allSettled", "any", "race"],
    Math: ["trunc", "log2", "log10", "hypot", "cbrt", "clz32", "fround", "imul", "expm1", "log1p", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh"],
  };
  for (const name of TYPED_ARRAYS) t[name] = ["from", "of"];
  return t;
})();

/**
 * TypeScript's down-level helpers for constructs the firmware must not use (shared/ESPRUINO.md:
 * no generators, async/await, iterators): their presence in the bundle is a violation, named by
 * what the source used. Other helpers (__extends, __assign, __spreadArray ...) are fine.
 */
export const FORBIDDEN_HELPERS: Readonly<Record<string, string>> = {
  __generator: "generator or async function",
  __awaiter: "async function",
  __values: "iterator protocol (for-of / spread with downlevelIteration)",
  __read: "iterator protocol (destructuring / spread with downlevelIteration)",
  __asyncValues: "async iterator (for await)",
  __asyncGenerator: "async generator",
  __asyncDelegator: "async generator",
  __await: "async generator",
};

export interface SourcePosition {
  /** Path of the source, relative to the working directory when inside it. */
  file: string;
  line: number;
  column: number;
  /** false: the line/column are in the module's compiled code, not in the file itself. */
  exact: boolean;
  /** Set when the construct sits in a TypeScript helper emitted for this file. */
  helper?: string;
}

export interface Es5Violation {
  /** What is wrong, e.g. "arrow function", "Map", "Array.from", "labelled break". */
  construct: string;
  /**
   * syntax: not ES5; runtime: a name Espruino lacks; helper: a TypeScript helper for a forbidden
   * construct; hoisting: a declaration used before its statement runs (Espruino does not hoist).
   */
  kind: "syntax" | "runtime" | "helper" | "hoisting";
  /** The checked file (bundle) and 1-based line / 0-based column in it. */
  bundle: string;
  line: number;
  column: number;
  /** Where it came from, when a source map says. */
  source?: SourcePosition;
}

type Found = { construct: string; kind: Es5Violation["kind"]; start: number; line: number; column: number; helper?: string };

const LATEST: Options = { ecmaVersion: "latest", sourceType: "script", locations: true, allowHashBang: false };

// ------------------------------------------------------------------ checks on plain JavaScript

/** Check JavaScript text; positions are in `code`. Does not map to sources. */
export function checkScript(code: string, label = "<script>"): Es5Violation[] {
  return findViolations(code).map((f) => ({ construct: f.construct, kind: f.kind, bundle: label, line: f.line, column: f.column }));
}

/** Says which helper a function declared at this bundle position is (minified builds: via the source map). */
type HelperResolver = (line: number, column: number) => string | null;

function findViolations(code: string, resolveHelper?: HelperResolver): Found[] {
  const found: Found[] = [];
  let es5Error: { message: string; line: number; column: number; pos: number } | null = null;
  try {
    parse(code, { ecmaVersion: 5, sourceType: "script", locations: true });
  } catch (e) {
    es5Error = parseErrorOf(e);
  }
  let ast: AcornNode | null = null;
  try {
    ast = parse(code, LATEST);
  } catch {
    try {
      ast = parse(code, { ...LATEST, sourceType: "module" });
    } catch {
      ast = null;
    }
  }
  if (ast) {
    syntaxViolations(ast, found);
    runtimeViolations(ast, found);
    helperViolations(ast, found, resolveHelper);
    hoistingViolations(code, found);
  }
  if (es5Error && !found.some((f) => f.kind === "syntax")) {
    found.push({ construct: "not ES5: " + es5Error.message, kind: "syntax", start: es5Error.pos, line: es5Error.line, column: es5Error.column });
  }
  found.sort((a, b) => a.start - b.start);
  return found;
}

/**
 * What the Espruino fixes (rollup output plugin, tools/espruino-fixes.js) cannot repair: a function
 * declaration used before its statement runs, and any var use still ahead of its declaration.
 */
function hoistingViolations(code: string, found: Found[]): void {
  let hazards: ReturnType<typeof hoistingHazards>;
  try {
    hazards = hoistingHazards(code);
  } catch {
    return; // not parseable as a script: the syntax checks above already report it
  }
  for (const h of hazards) {
    const before = code.slice(0, h.at);
    const line = before.split("\n").length;
    const column = h.at - (before.lastIndexOf("\n") + 1);
    const what = h.kind === "function" ? "function" : "var";
    found.push({ construct: what + " '" + h.name + "' used before its declaration runs (Espruino does not hoist)", kind: "hoisting", start: h.at, line, column });
  }
}

function parseErrorOf(e: unknown): { message: string; line: number; column: number; pos: number } {
  const err = e as { message?: string; loc?: { line: number; column: number }; pos?: number };
  const message = String(err.message || e).replace(/ \(\d+:\d+\)$/, "");
  return { message, line: err.loc ? err.loc.line : 1, column: err.loc ? err.loc.column : 0, pos: err.pos || 0 };
}

function at(node: AnyNode | AcornNode, construct: string, kind: Found["kind"], found: Found[]): void {
  const loc = node.loc!;
  found.push({ construct, kind, start: node.start, line: loc.start.line, column: loc.start.column });
}

/** Every ES2015+ construct in the tree, by name; plus labelled break/continue. */
function syntaxViolations(ast: AcornNode, found: Found[]): void {
  const add = (n: AnyNode, what: string) => at(n, what, "syntax", found);
  walk.full(ast, (node) => {
    const n = node as AnyNode;
    switch (n.type) {
      case "VariableDeclaration":
        if (n.kind !== "var") add(n, n.kind);
        break;
      case "ArrowFunctionExpression":
        add(n, "arrow function");
        if (n.async) add(n, "async function");
        break;
      case "FunctionDeclaration":
      case "FunctionExpression":
        if (n.generator) add(n, "generator");
        if (n.async) add(n, "async function");
        n.params.forEach((p) => {
          if (p.type === "AssignmentPattern") add(p, "default parameter");
          if (p.type === "RestElement") add(p, "rest parameter");
        });
        break;
      case "ClassDeclaration":
      case "ClassExpression":
        add(n, "class");
        break;
      case "TemplateLiteral":
        add(n, "template literal");
        break;
      case "TaggedTemplateExpression":
        add(n, "tagged template");
        break;
      case "ObjectPattern":
      case "ArrayPattern":
        add(n, "destructuring");
        break;
      case "SpreadElement":
        add(n, "spread");
        break;
      case "BinaryExpression":
        if (n.operator === "**") add(n, "exponent operator **");
        break;
      case "AssignmentExpression":
        if (n.operator === "**=") add(n, "exponent operator **");
        else if (n.operator === "??=" || n.operator === "||=" || n.operator === "&&=") add(n, "logical assignment " + n.operator);
        break;
      case "LogicalExpression":
        if (n.operator === "??") add(n, "nullish coalescing ??");
        break;
      case "ChainExpression":
        add(n, "optional chaining ?.");
        break;
      case "ForOfStatement":
        add(n, n.await ? "async iterator (for await)" : "for-of");
        break;
      case "AwaitExpression":
        add(n, "await");
        break;
      case "YieldExpression":
        add(n, "yield");
        break;
      case "Property":
        if (n.computed) add(n, "computed key");
        else if (n.method) add(n, "method shorthand");
        else if (n.shorthand) add(n, "shorthand property");
        break;
      case "MetaProperty":
        add(n, n.meta.name + "." + n.property.name);
        break;
      case "ImportExpression":
        add(n, "dynamic import");
        break;
      case "ImportDeclaration":
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
      case "ExportAllDeclaration":
        add(n, "module syntax (import/export)");
        break;
      case "Literal": {
        const lit = n as { value?: unknown; regex?: { flags: string }; bigint?: string; raw?: string };
        if (lit.bigint !== undefined) add(n, "BigInt literal");
        else if (lit.regex && /[^gim]/.test(lit.regex.flags)) add(n, "regular expression flag " + lit.regex.flags.replace(/[gim]/g, ""));
        else if (typeof lit.value === "number" && lit.raw && /^0[bBoO]|_/.test(lit.raw)) add(n, "binary/octal literal or numeric separator");
        break;
      }
      case "BreakStatement":
      case "ContinueStatement":
        if (n.label) add(n, n.type === "BreakStatement" ? "labelled break" : "labelled continue");
        break;
      default:
        break;
    }
  });
}

// ------------------------------------------------------------------ runtime names

type Scoped = AnyNode;
const declaredCache = new WeakMap<object, Set<string>>();

function isFunction(n: AnyNode): boolean {
  return n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";
}

/** Names declared in a function (or the program), not counting nested functions. */
function declaredIn(scope: Scoped): Set<string> {
  const cached = declaredCache.get(scope);
  if (cached) return cached;
  const names = new Set<string>();
  const addPattern = (p: AnyNode | null | undefined): void => {
    if (!p) return;
    if (p.type === "Identifier") names.add(p.name);
    else if (p.type === "ObjectPattern") p.properties.forEach((q) => addPattern(q.type === "RestElement" ? q : (q.value as AnyNode)));
    else if (p.type === "ArrayPattern") p.elements.forEach((q) => addPattern(q as AnyNode | null));
    else if (p.type === "RestElement") addPattern(p.argument);
    else if (p.type === "AssignmentPattern") addPattern(p.left);
  };
  const visit = (n: unknown, top: boolean): void => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) {
      n.forEach((c) => visit(c, false));
      return;
    }
    const node = n as AnyNode;
    if (typeof node.type !== "string") return;
    if (!top && isFunction(node)) {
      if (node.type === "FunctionDeclaration" && node.id) names.add(node.id.name);
      return;
    }
    if (node.type === "VariableDeclarator") addPattern(node.id);
    else if (node.type === "CatchClause") addPattern(node.param);
    else if (node.type === "ClassDeclaration" && node.id) names.add(node.id.name);
    for (const key of Object.keys(node)) {
      if (key === "loc" || key === "type") continue;
      visit((node as unknown as Record<string, unknown>)[key], false);
    }
  };
  if (isFunction(scope)) {
    const fn = scope as AnyNode & { params: AnyNode[]; id?: { name: string } | null; body: AnyNode };
    fn.params.forEach(addPattern);
    if (scope.type === "FunctionExpression" && fn.id) names.add(fn.id.name);
    visit(fn.body, false);
  } else {
    visit(scope, true);
  }
  declaredCache.set(scope, names);
  return names;
}

function isFree(name: string, ancestors: AnyNode[]): boolean {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i];
    if ((isFunction(a) || a.type === "Program") && declaredIn(a).has(name)) return false;
  }
  return true;
}

function underTypeof(node: AnyNode, ancestors: AnyNode[]): boolean {
  const parent = ancestors[ancestors.length - 2];
  return !!parent && parent.type === "UnaryExpression" && parent.operator === "typeof" && parent.argument === node;
}

/** The TypeScript helper (`function __generator` / `var __generator = ...`) a node sits in, if any. */
function helperOf(ancestors: AnyNode[]): string | undefined {
  for (const a of ancestors) {
    const name = helperName(a);
    if (name) return name;
  }
  return undefined;
}

function helperName(a: AnyNode): string | null {
  const id = a.type === "VariableDeclarator" || a.type === "FunctionDeclaration" ? a.id : null;
  return id && id.type === "Identifier" && /^__[a-zA-Z]+$/.test(id.name) ? id.name : null;
}

/** `typeof X...` appears in this test expression (a feature test for X). */
function testsTypeof(test: AnyNode, root: string): boolean {
  let hit = false;
  walk.simple(test, {
    UnaryExpression(u) {
      if (u.operator !== "typeof") return;
      let a = u.argument as AnyNode;
      while (a.type === "MemberExpression") a = a.object as AnyNode;
      if (a.type === "Identifier" && a.name === root) hit = true;
    },
  });
  return hit;
}

/** Reached only when a `typeof` test for `root` passed: `typeof X === "function" && X.y`, `if (typeof X ...) X.y`. */
function isFeatureTested(root: string, ancestors: AnyNode[]): boolean {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const a = ancestors[i];
    const child = ancestors[i + 1];
    if (a.type === "LogicalExpression" && a.operator === "&&" && a.right === child && testsTypeof(a.left, root)) return true;
    if ((a.type === "ConditionalExpression" || a.type === "IfStatement") && a.consequent === child && testsTypeof(a.test, root)) return true;
  }
  return false;
}

function memberName(n: AnyNode & { type: "MemberExpression" }): string | null {
  if (!n.computed && n.property.type === "Identifier") return n.property.name;
  if (n.computed && n.property.type === "Literal" && typeof n.property.value === "string") return n.property.value;
  return null;
}

function runtimeViolations(ast: AcornNode, found: Found[]): void {
  const missing = new Set(MISSING_GLOBALS);
  const push = (node: AnyNode, construct: string, ancestors: AnyNode[]) => {
    const loc = node.loc!;
    found.push({ construct, kind: "runtime", start: node.start, line: loc.start.line, column: loc.start.column, helper: helperOf(ancestors) });
  };
  walk.ancestor(ast, {
    Identifier(node, _state, ancestors) {
      const n = node as AnyNode & { type: "Identifier" };
      const anc = ancestors as AnyNode[];
      if (!missing.has(n.name) || underTypeof(n, anc) || !isFree(n.name, anc) || isFeatureTested(n.name, anc)) return;
      push(n, n.name, anc);
    },
    MemberExpression(node, _state, ancestors) {
      const n = node as AnyNode & { type: "MemberExpression" };
      const anc = ancestors as AnyNode[];
      if (n.object.type !== "Identifier") return;
      const statics = MISSING_STATICS[n.object.name];
      const prop = memberName(n);
      if (!statics || prop === null || statics.indexOf(prop) < 0) return;
      if (underTypeof(n, anc) || !isFree(n.object.name, anc) || isFeatureTested(n.object.name, anc)) return;
      push(n, n.object.name + "." + prop, anc);
    },
  });
}

/**
 * Forbidden TypeScript helpers: each call names a use (its position maps to the source that used
 * the construct); a helper declared but never called is reported where it is declared.
 */
function helperViolations(ast: AcornNode, found: Found[], resolveHelper?: HelperResolver): void {
  const declared = new Map<string, { helper: string; node: AnyNode }>();
  walk.full(ast, (node) => {
    const n = node as AnyNode;
    const fn = n.type === "FunctionDeclaration" ? n : n.type === "VariableDeclarator" && n.init && n.init.type !== "Identifier" ? n : null;
    if (!fn || !fn.id || fn.id.type !== "Identifier") return;
    let helper = helperName(n);
    if (!helper && resolveHelper) helper = resolveHelper(n.loc!.start.line, n.loc!.start.column);
    if (helper && FORBIDDEN_HELPERS[helper]) declared.set(fn.id.name, { helper, node: n });
  });
  if (!declared.size) return;
  const called = new Set<string>();
  walk.simple(ast, {
    CallExpression(c) {
      if (c.callee.type !== "Identifier") return;
      const d = declared.get(c.callee.name);
      if (!d) return;
      called.add(c.callee.name);
      const loc = c.loc!;
      found.push({ construct: helperConstruct(d.helper), kind: "helper", start: c.start, line: loc.start.line, column: loc.start.column, helper: d.helper });
    },
  });
  declared.forEach((d, name) => {
    if (called.has(name)) return;
    const loc = d.node.loc!;
    found.push({ construct: helperConstruct(d.helper), kind: "helper", start: d.node.start, line: loc.start.line, column: loc.start.column, helper: d.helper });
  });
}

function helperConstruct(name: string): string {
  return FORBIDDEN_HELPERS[name];
}

// ------------------------------------------------------------------ source maps

export interface RawSourceMap {
  version: number;
  sources: string[];
  sourcesContent?: (string | null)[];
  mappings: string;
  sourceRoot?: string;
}

/** One mapping segment: generated column, source index, original line (0-based), original column. */
type Segment = [number, number, number, number];

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decode a source map's `mappings` (base64 VLQ) into segments per generated line. */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0;
  let oLine = 0;
  let oCol = 0;
  for (const lineText of mappings.split(";")) {
    const segs: Segment[] = [];
    let gCol = 0;
    for (const segText of lineText.split(",")) {
      if (!segText) continue;
      const v = decodeVlq(segText);
      gCol += v[0];
      if (v.length >= 4) {
        src += v[1];
        oLine += v[2];
        oCol += v[3];
        segs.push([gCol, src, oLine, oCol]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

export function decodeVlq(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = B64.indexOf(text.charAt(i));
    if (digit < 0) throw new Error("source map: bad base64 digit " + JSON.stringify(text.charAt(i)));
    value += (digit & 31) * Math.pow(2, shift);
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
    value = 0;
    shift = 0;
  }
  return out;
}

/** Looks up generated positions (1-based line, 0-based column) in a source map. */
export class SourceMapLookup {
  private readonly lines: Segment[][];
  constructor(readonly map: RawSourceMap, private readonly mapDir: string) {
    this.lines = decodeMappings(map.mappings);
  }

  /** Decoded segments per generated line (0-based): [generated column, source index, line, column]. */
  segments(): Segment[][] {
    return this.lines;
  }

  find(line: number, column: number): { source: string; name: string; content: string | null; line: number; column: number } | null {
    // The segment at or before the position; an unmapped start of line takes the previous line's last.
    for (let l = line - 1; l >= 0; l--) {
      const segs = this.lines[l] || [];
      for (let i = segs.length - 1; i >= 0; i--) {
        if (l === line - 1 && segs[i][0] > column) continue;
        const s = segs[i];
        const name = this.map.sources[s[1]];
        const file = resolve(this.mapDir, this.map.sourceRoot || "", name);
        const content = this.map.sourcesContent ? this.map.sourcesContent[s[1]] || null : null;
        return { source: file, name, content, line: s[2] + 1, column: s[3] };
      }
    }
    return null;
  }
}

// ------------------------------------------------------------------ back to the TypeScript source

function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

function stripTs(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) {
    e = e.expression;
  }
  return e;
}

/** Occurrences, in a TypeScript file, of a runtime construct ("Map", "Array.from"), in order. */
export function findInTypeScript(file: string, construct: string): { line: number; column: number }[] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const dot = construct.indexOf(".");
  const objectName = dot < 0 ? construct : construct.slice(0, dot);
  const member = dot < 0 ? null : construct.slice(dot + 1);
  const out: { line: number; column: number }[] = [];
  const visit = (node: ts.Node): void => {
    let hit: ts.Node | null = null;
    if (member === null && ts.isIdentifier(node) && node.text === objectName && isValueReference(node)) hit = node;
    if (member !== null && ts.isPropertyAccessExpression(node) && node.name.text === member) {
      const obj = stripTs(node.expression);
      if (ts.isIdentifier(obj) && obj.text === objectName) hit = node;
    }
    if (member !== null && ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression) && node.argumentExpression.text === member) {
      const obj = stripTs(node.expression);
      if (ts.isIdentifier(obj) && obj.text === objectName) hit = node;
    }
    if (hit) {
      const p = sf.getLineAndCharacterOfPosition(hit.getStart(sf));
      out.push({ line: p.line + 1, column: p.character });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** An identifier used as a value (not a type, a declaration, or a property name). */
function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return false;
  if (ts.isTypeReferenceNode(p) || ts.isTypeQueryNode(p) || ts.isQualifiedName(p) || ts.isExpressionWithTypeArguments(p) && ts.isHeritageClause(p.parent) && p.parent.token === ts.SyntaxKind.ImplementsKeyword) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p)) && p.name === id) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isInterfaceDeclaration(p) || ts.isTypeAliasDeclaration(p)) && p.name === id) return false;
  if (ts.isTypeOfExpression(p)) return false;
  let a: ts.Node | undefined = p;
  while (a) {
    if (ts.isTypeNode(a) || (ts.isVariableStatement(a) && a.modifiers && a.modifiers.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword))) return false;
    a = a.parent;
  }
  return true;
}

/** Map a violation found in the bundle back to its source file (and line, when it can). */
function toSource(f: Found, lookup: SourceMapLookup): SourcePosition | undefined {
  const hit = lookup.find(f.line, f.column);
  if (!hit) return undefined;
  const isTs = /\.[cm]?tsx?$/.test(hit.source);
  const pos: SourcePosition = { file: shortPath(hit.source), line: hit.line, column: hit.column, exact: !isTs };
  if (f.helper) pos.helper = f.helper;
  if (!hit.content || f.kind === "syntax") return pos;
  // Which occurrence of the construct in the module is this? For a TypeScript source the map
  // points into its compiled JavaScript (sourcesContent): the same occurrence is then looked up
  // in the .ts file itself.
  const inModule = findViolations(hit.content).filter((g) => g.construct === f.construct);
  let k = inModule.findIndex((g) => g.line === hit.line && g.column === hit.column);
  if (k < 0) k = inModule.findIndex((g) => g.line === hit.line);
  const g = k >= 0 ? inModule[k] : null;
  if (g && g.helper) {
    pos.helper = g.helper;
    return pos;
  }
  if (!isTs || k < 0 || !existsSync(hit.source)) return pos;
  const helpersBefore = inModule.slice(0, k).filter((x) => x.helper).length;
  const t = findInTypeScript(hit.source, f.construct)[k - helpersBefore];
  return t ? { file: pos.file, line: t.line, column: t.column, exact: true } : pos;
}

type HelperSpan = { src: string; name: string; line: number; column: number; endLine: number };

/** Forbidden helpers declared in the map's sources (tslib), with their line spans. */
function helperSpans(map: RawSourceMap): HelperSpan[] {
  const spans: HelperSpan[] = [];
  (map.sourcesContent || []).forEach((content, i) => {
    if (!content || content.indexOf("__") < 0) return;
    let ast: AcornNode;
    try {
      ast = parse(content, { ...LATEST, sourceType: "module" });
    } catch {
      return;
    }
    walk.full(ast, (node) => {
      const name = helperName(node as AnyNode);
      if (name && FORBIDDEN_HELPERS[name]) spans.push({ src: map.sources[i], name, line: node.loc!.start.line, column: node.loc!.start.column, endLine: node.loc!.end.line });
    });
  });
  return spans;
}

/** Resolves a bundle position to the forbidden helper declared there in a source. */
function helperResolver(spans: HelperSpan[], lookup: SourceMapLookup): HelperResolver | undefined {
  if (!spans.length) return undefined;
  return (line, column) => {
    const hit = lookup.find(line, column);
    if (!hit) return null;
    const span = spans.find((x) => hit.name === x.src && hit.line === x.line && Math.abs(hit.column - x.column) <= 9);
    return span ? span.name : null;
  };
}

/** A minifier may inline a helper into its only caller: any bundle code mapped into its body counts. */
function inlinedHelpers(spans: HelperSpan[], lookup: SourceMapLookup, found: Found[]): void {
  if (!spans.length) return;
  const seen = new Set(found.filter((f) => f.kind === "helper").map((f) => f.helper));
  const names = lookup.map.sources;
  lookup.segments().forEach((segs, line) => {
    for (const s of segs) {
      const span = spans.find((x) => names[s[1]] === x.src && s[2] + 1 >= x.line && s[2] + 1 <= x.endLine);
      if (!span || seen.has(span.name)) continue;
      seen.add(span.name);
      found.push({ construct: helperConstruct(span.name), kind: "helper", start: -1, line: line + 1, column: s[0], helper: span.name });
    }
  });
}

// ------------------------------------------------------------------ bundles

/** Check a bundle; with its source map, each violation also names its source. */
export function checkBundle(code: string, opts: { file: string; map?: RawSourceMap | null }): Es5Violation[] {
  const lookup = opts.map ? new SourceMapLookup(opts.map, dirname(resolve(opts.file))) : null;
  const spans = lookup && opts.map ? helperSpans(opts.map) : [];
  const found = findViolations(code, lookup ? helperResolver(spans, lookup) : undefined);
  if (lookup) inlinedHelpers(spans, lookup, found);
  return found.map((f) => {
    const v: Es5Violation = { construct: f.construct, kind: f.kind, bundle: opts.file, line: f.line, column: f.column };
    const src = lookup ? toSource(f, lookup) : undefined;
    if (src) v.source = src;
    return v;
  });
}

/** Check a bundle file, using `<file>.map` when it exists. */
export function checkBundleFile(file: string): Es5Violation[] {
  const code = readFileSync(file, "utf8");
  const mapFile = file + ".map";
  const map = existsSync(mapFile) ? (JSON.parse(readFileSync(mapFile, "utf8")) as RawSourceMap) : null;
  return checkBundle(code, { file, map });
}

/** One line per violation: construct, source file:line:col, and where in the bundle. */
export function formatViolation(v: Es5Violation): string {
  const why = { syntax: "not ES5 syntax", runtime: "missing on Espruino", helper: "not supported on Espruino; TypeScript helper " + (v.source && v.source.helper), hoisting: "move the declaration above its first use" };
  let text = v.construct.startsWith("not ES5: ") ? v.construct : `${v.construct} (${why[v.kind]})`;
  const s = v.source;
  if (s) {
    text += ` in ${s.file}:${s.line}:${s.column + 1}` + (s.exact ? "" : " (line in its compiled code)");
    if (s.helper && v.kind !== "helper") {
      text += ` inside TypeScript helper ${s.helper}` + (FORBIDDEN_HELPERS[s.helper] ? ` (emitted for ${FORBIDDEN_HELPERS[s.helper]})` : "");
    }
  }
  return `${text} [${v.bundle}:${v.line}:${v.column + 1}]`;
}
