/**
 * The hot-path guard: inside every function or method whose leading comment contains `@hot`
 * (in the files listed in tools/hot-files.json) nothing may allocate or throw, because on
 * Espruino each allocation costs blocks from a 5100-block pool and a GC pause (RULES.md):
 * object/array literals, `new`, closures, string concatenation and template literals,
 * regular-expression literals, spread, `throw`, and calls to allocating built-ins. It also
 * refuses `===` between two typed arrays, there and (checkBufferEquality) in every firmware file:
 * Espruino compares them by their contents, as strings.
 *
 * Usage: `checkHotPaths()` checks the listed files; `checkHotPaths([file])` checks others.
 * test/guards/hot-path.test.ts runs it in `npm test`; bench/ prints the function count.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The one list of timing-critical files. */
export const HOT_FILES_LIST = resolve(ROOT, "tools/hot-files.json");

export interface HotPathViolation {
  file: string;
  /** 1-based line and column. */
  line: number;
  col: number;
  /** The construct, e.g. "object literal", "call to .slice() (allocates)". */
  what: string;
  /** The hot function it is in ("" for file-level problems). */
  fn: string;
}

export interface HotPathReport {
  /** How many @hot functions were checked. */
  functions: number;
  violations: HotPathViolation[];
}

/** Methods that return a new string/array/function (or grow one): they allocate on Espruino. */
const ALLOCATING_METHODS = new Set([
  "slice", "substr", "substring", "concat", "split", "map", "filter", "reduce", "join", "toString", "subarray",
  "charAt", "toUpperCase", "toLowerCase", "trim", "replace", "padStart", "padEnd", "repeat", "toFixed",
  "splice", "push", "unshift", "bind",
]);
/** Static calls that allocate: `Owner.method(...)`. */
const ALLOCATING_STATICS: Record<string, string[]> = {
  JSON: ["stringify", "parse"],
  String: ["fromCharCode"],
  Object: ["keys", "values", "entries", "create"],
  E: ["toString", "toUint8Array", "toArrayBuffer"],
};
/** Globals that allocate when called as functions. */
const ALLOCATING_FUNCTIONS = new Set(["Array", "String", "Object", "Function", "RegExp"]);

/** The files listed in tools/hot-files.json, as absolute paths. */
export function listedHotFiles(): string[] {
  const json = JSON.parse(readFileSync(HOT_FILES_LIST, "utf8")) as { files: string[] };
  if (!Array.isArray(json.files)) throw new Error("tools/hot-files.json: expected { files: [...] }");
  return json.files.map((f) => resolve(ROOT, f));
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = resolve(ROOT, "tsconfig.json");
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error("hot-path guard: " + ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
  return { ...parsed.options, noEmit: true };
}

function declarationFiles(): string[] {
  const configPath = resolve(ROOT, "tsconfig.json");
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
  return parsed.fileNames.filter((f) => f.endsWith(".d.ts"));
}

function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** The node whose leading comments belong to this function (a `const f = function` takes its statement's). */
function commentHolder(fn: ts.Node): ts.Node {
  const p = fn.parent;
  if ((ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) && p) {
    if (ts.isVariableDeclaration(p) && p.parent && ts.isVariableDeclarationList(p.parent) && p.parent.declarations.length === 1 && ts.isVariableStatement(p.parent.parent)) return p.parent.parent;
    if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || (ts.isBinaryExpression(p) && ts.isExpressionStatement(p.parent))) {
      return ts.isBinaryExpression(p) ? p.parent : p;
    }
  }
  return fn;
}

function isHot(fn: ts.Node, text: string): boolean {
  const holder = commentHolder(fn);
  const ranges = ts.getLeadingCommentRanges(text, holder.getFullStart()) || [];
  return ranges.some((r) => /@hot\b/.test(text.slice(r.pos, r.end)));
}

type FunctionLike = ts.FunctionDeclaration | ts.MethodDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.GetAccessorDeclaration | ts.SetAccessorDeclaration | ts.ConstructorDeclaration;

function isFunctionLike(n: ts.Node): n is FunctionLike {
  return ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n) || ts.isConstructorDeclaration(n);
}

function functionName(fn: FunctionLike): string {
  if (ts.isConstructorDeclaration(fn)) return nameOfClass(fn.parent) + " constructor";
  const name = fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name)) ? fn.name.text : "";
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return nameOfClass(fn.parent) + "." + name;
  if (name) return name;
  const holder = commentHolder(fn);
  if (ts.isVariableStatement(holder)) return holder.declarationList.declarations[0].name.getText();
  return "(anonymous)";
}

function nameOfClass(n: ts.Node): string {
  return (ts.isClassDeclaration(n) || ts.isClassExpression(n)) && n.name ? n.name.text : "(class)";
}

function stringish(checker: ts.TypeChecker, e: ts.Expression): boolean {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isTemplateExpression(e)) return true;
  const t = checker.getTypeAtLocation(e);
  return (t.flags & ts.TypeFlags.StringLike) !== 0;
}

/**
 * Whether `x.name(...)` calls a built-in (declared in a lib or .d.ts file) rather than one of the
 * project's own methods (an EventRing's `push` does not allocate). Unknown receivers count as built-in.
 */
function isBuiltinMethod(program: ts.Program, checker: ts.TypeChecker, callee: ts.PropertyAccessExpression): boolean {
  const sym = checker.getSymbolAtLocation(callee.name);
  const decls = sym && sym.declarations;
  if (!decls || decls.length === 0) return true;
  return decls.some((d) => {
    const f = d.getSourceFile();
    return program.isSourceFileDefaultLibrary(f) || f.isDeclarationFile || f.fileName.indexOf("/node_modules/") >= 0;
  });
}

const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
const BUFFER_TYPE = /^(Uint8Array|Uint8ClampedArray|Int8Array|Uint16Array|Int16Array|Uint32Array|Int32Array|Float32Array|Float64Array|ArrayBuffer|DataView)\b/;

function bufferish(checker: ts.TypeChecker, t: ts.Type): boolean {
  if (t.isUnion()) return t.types.some((u) => bufferish(checker, u));
  return BUFFER_TYPE.test(checker.typeToString(t));
}

/**
 * `a === b` with two typed arrays: Espruino does not compare them by reference but converts both
 * to strings ("1,2,3...") and compares those (jsvMathsOp): millions of instructions and a
 * transient string as long as the buffers, and two different buffers with the same contents
 * are "equal". Keep a flag or an index instead.
 */
function isBufferEquality(checker: ts.TypeChecker, n: ts.Node): n is ts.BinaryExpression {
  return ts.isBinaryExpression(n) && EQUALITY.has(n.operatorToken.kind) && bufferish(checker, checker.getTypeAtLocation(n.left)) && bufferish(checker, checker.getTypeAtLocation(n.right));
}
const BUFFER_EQUALITY = "typed arrays compared with === (Espruino compares their contents as strings)";

/** What in a hot body allocates or throws; nested functions are reported, not entered. */
function checkBody(fn: FunctionLike, sf: ts.SourceFile, program: ts.Program, checker: ts.TypeChecker, report: (n: ts.Node, what: string) => void): void {
  const visit = (n: ts.Node): void => {
    if (n !== fn && isFunctionLike(n)) {
      report(n, ts.isArrowFunction(n) ? "closure (arrow function)" : ts.isFunctionDeclaration(n) ? "closure (nested function)" : "closure (function expression)");
      return;
    }
    if (ts.isClassExpression(n) || ts.isClassDeclaration(n)) {
      report(n, "class (allocates)");
      return;
    }
    if (ts.isObjectLiteralExpression(n)) report(n, "object literal");
    else if (ts.isArrayLiteralExpression(n)) report(n, "array literal");
    else if (ts.isNewExpression(n)) report(n, "new " + n.expression.getText(sf));
    else if (ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
      report(n, "template literal");
      return;
    } else if (ts.isTaggedTemplateExpression(n)) report(n, "tagged template");
    else if (ts.isRegularExpressionLiteral(n)) report(n, "regular expression literal");
    else if (ts.isSpreadElement(n) || ts.isSpreadAssignment(n)) report(n, "spread (allocates)");
    else if (ts.isThrowStatement(n)) report(n, "throw (hot code returns an error code)");
    else if (isBufferEquality(checker, n)) report(n.operatorToken, BUFFER_EQUALITY);
    else if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      if ((op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.PlusEqualsToken) && (stringish(checker, n.left) || stringish(checker, n.right))) {
        report(n.operatorToken, "string concatenation (" + (op === ts.SyntaxKind.PlusToken ? "+" : "+=") + ")");
      }
    } else if (ts.isCallExpression(n)) {
      const callee = n.expression;
      if (ts.isPropertyAccessExpression(callee)) {
        const name = callee.name.text;
        const owner = ts.isIdentifier(callee.expression) ? callee.expression.text : null;
        if (owner && ALLOCATING_STATICS[owner] && ALLOCATING_STATICS[owner].indexOf(name) >= 0) report(callee.name, `call to ${owner}.${name}() (allocates)`);
        else if (ALLOCATING_METHODS.has(name) && isBuiltinMethod(program, checker, callee)) report(callee.name, `call to .${name}() (allocates)`);
      } else if (ts.isIdentifier(callee) && ALLOCATING_FUNCTIONS.has(callee.text)) {
        report(callee, `call to ${callee.text}() (allocates)`);
      }
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  // an expression-bodied arrow: the body itself is the expression
  if (fn.body && !ts.isBlock(fn.body)) visit(fn.body);
}

/** Check the @hot functions of `files` (default: tools/hot-files.json). */
export function checkHotPaths(files?: string[]): HotPathReport {
  const targets = (files || listedHotFiles()).map((f) => resolve(f));
  const violations: HotPathViolation[] = [];
  const existing = targets.filter((f) => {
    if (existsSync(f)) return true;
    violations.push({ file: shortPath(f), line: 1, col: 1, what: "hot file not found (fix tools/hot-files.json)", fn: "" });
    return false;
  });
  const program = ts.createProgram(existing.concat(declarationFiles()), compilerOptions());
  const checker = program.getTypeChecker();
  let functions = 0;
  for (const file of existing) {
    const sf = program.getSourceFile(file);
    if (!sf) continue;
    const text = sf.getFullText();
    let inFile = 0;
    const visit = (n: ts.Node): void => {
      if (isFunctionLike(n) && n.body && isHot(n, text)) {
        inFile++;
        const name = functionName(n);
        checkBody(n, sf, program, checker, (node, what) => {
          const p = sf.getLineAndCharacterOfPosition(node.getStart(sf));
          violations.push({ file: shortPath(file), line: p.line + 1, col: p.character + 1, what, fn: name });
        });
        return; // functions inside a hot function were reported as closures
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    functions += inFile;
    if (inFile === 0) violations.push({ file: shortPath(file), line: 1, col: 1, what: "listed as a hot file but has no @hot function", fn: "" });
  }
  violations.sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1));
  return { functions, violations };
}

/**
 * Equality between two typed arrays anywhere in `files` (not only @hot functions): on Espruino it
 * is a content comparison through strings (see isBufferEquality), a performance trap and a bug.
 */
export function checkBufferEquality(files: string[]): HotPathViolation[] {
  const program = ts.createProgram(files.concat(declarationFiles()), compilerOptions());
  const checker = program.getTypeChecker();
  const out: HotPathViolation[] = [];
  for (const file of files) {
    const sf = program.getSourceFile(resolve(file));
    if (!sf) continue;
    const visit = (n: ts.Node): void => {
      if (isBufferEquality(checker, n)) {
        const p = sf.getLineAndCharacterOfPosition(n.operatorToken.getStart(sf));
        out.push({ file: shortPath(file), line: p.line + 1, col: p.character + 1, what: BUFFER_EQUALITY, fn: "" });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

export function formatHotViolation(v: HotPathViolation): string {
  return `${v.file}:${v.line}:${v.col}: ${v.what}` + (v.fn ? ` in @hot ${v.fn}` : "");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = checkHotPaths(process.argv.length > 2 ? process.argv.slice(2) : undefined);
  for (const v of r.violations) console.error(formatHotViolation(v));
  console.log(`hot-path guard: ${r.functions} @hot function(s) checked, ${r.violations.length} problem(s)`);
  process.exit(r.violations.length ? 1 : 0);
}
