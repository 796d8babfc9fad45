/**
 * Which property names the firmware bundle may rename (terser `mangle.properties`), decided from
 * the types of the whole program, so the plan follows every rename in the sources.
 *
 * Why: on Espruino a property name longer than ~4 characters costs extra RAM blocks, once per
 * method on a prototype and once per field on every object (see notes/MEMORY.md).
 *
 * Terser renames a property name EVERYWHERE in the bundle, whatever object it is on, so a name is
 * mangled only when it is provably private to the firmware's own classes:
 *  1. every declaration of the name in the program (firmware, lib .d.ts, @types/espruino,
 *     types/*.d.ts, the device models) is a member of a class declared in a bundle source
 *     (firmware/), or a property of an object literal whose contextual type gives it such a
 *     member. A name declared in an interface, type literal, enum or untyped object literal is
 *     kept: that is how the HAL, the options objects, pos.cfg's keys and the rig's records cross.
 *  2. every access to it in the bundle resolves to such declarations (an access on an `any`
 *     value, e.g. JSON.parse's result or `global`, keeps the name);
 *  3. no string in the bundle is exactly the name (`o["name"]`, `"name" in o`, event names);
 *  4. no value of a type that has it escapes into an untyped place (an `any`/`object`/`{}`
 *     parameter such as JSON.stringify, print, for-in, Object.keys, `global.X = ...`), and no
 *     untyped value is taken as such a type (`JSON.parse(s) as Rec`): all property names
 *     reachable from such a type are kept;
 *  5. the other bundle in the same interpreter (the device models, hil/inside) does not reach it;
 *  6. no Node-side string that may be evaluated in the interpreter (hil/, bench/, test/, tools/)
 *     names it as `.name`, `name(` or as the whole string (the rig's `T.state()` and the like).
 *
 * `npx tsx tools/mangle-plan.ts [--list]` prints the plan for tsconfig.json.
 */
import ts from "typescript";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";

export interface ManglePlanOptions {
  /** Project root; default the working directory. */
  root?: string;
  /** The bundle's tsconfig (its files are the program); default "tsconfig.json". */
  tsconfig?: string;
  /** Extra files compiled into the same bundle (bench and test entries). */
  extraFiles?: string[];
  /** Directories (relative to root) whose classes are bundle code; default ["firmware"]. */
  bundleDirs?: string[];
  /** tsconfigs of other bundles loaded in the same interpreter; default the models' one if present. */
  otherBundles?: string[];
  /** Directories of Node-side code whose strings may be evaluated on the interpreter. */
  evalStringDirs?: string[];
  /** Names shorter than this are left alone (already one block); default 3. */
  minLength?: number;
}

export interface KeptName {
  name: string;
  /** The first reason found, e.g. "declared in interface SerialPort (firmware/hal/serial.ts)". */
  reason: string;
}

export interface ManglePlan {
  /** Names terser may rename, sorted. */
  mangle: string[];
  /** Class-member names of the bundle that must stay, with why. */
  kept: KeptName[];
  /** How many source files the program had. */
  files: number;
  /**
   * Names that may be globals at run time beside the bundle's own: `global.X` in either bundle and
   * every identifier in a Node-side string (what the rig, bench and virtual board evaluate or
   * define). A bundle whose top level is the global scope must not give its own names these.
   */
  globals: string[];
}

const DEFAULT_EVAL_DIRS = ["hil", "bench", "test", "tools"];
const MODELS_TSCONFIG = "hil/inside/tsconfig.json";

/**
 * What Espruino's Object.prototype and Function.prototype have (the "class": "Object" and
 * "Function" methods of its jswrap_object.c), some beyond the ES5 lib (on, emit, clone,
 * replaceWith ...): never a renamed property's new name, nor renamed themselves.
 */
export const ESPRUINO_PROTO_NAMES = [
  "length", "valueOf", "toString", "clone", "hasOwnProperty", "on", "addListener", "prependListener", "emit",
  "removeListener", "removeAllListeners", "replaceWith", "call", "apply", "bind", "prototype", "constructor", "__proto__",
  "toJSON", "inspect",
];

function isUnder(file: string, dirs: string[]): boolean {
  for (const d of dirs) if (file === d || file.startsWith(d + sep) || file.startsWith(d + "/")) return true;
  return false;
}

function readConfigFiles(path: string): { files: string[]; options: ts.CompilerOptions } {
  const read = ts.readConfigFile(path, ts.sys.readFile);
  if (read.error) throw new Error("mangle-plan: " + ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(path));
  return { files: parsed.fileNames, options: parsed.options };
}

function propertyNameText(name: ts.PropertyName | ts.BindingName | undefined): string | null {
  if (!name) return null;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && (ts.isStringLiteral(name.expression) || ts.isNumericLiteral(name.expression))) return name.expression.text;
  return null;
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (c) => walk(c, visit));
}

/** Words of a Node-side string the interpreter could be asked to evaluate: `x.name`, `name(`, or the whole string. */
function evalWords(text: string, out: Set<string>): void {
  if (/^[A-Za-z_$][\w$]*$/.test(text)) out.add(text);
  const re = /[\w$)\]]\.([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.add(m[1] || m[2]);
}

function sourceFilesUnder(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) sourceFilesUnder(p, out);
    else if (/\.(ts|js|mjs)$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
}

/** The string literals and template texts of a TypeScript/JavaScript source, by the scanner (no parse). */
export function stringsOf(text: string): string[] {
  const out: string[] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const braces: boolean[] = []; // true: the brace opened a template's ${
  let prev: ts.SyntaxKind = ts.SyntaxKind.Unknown;
  for (let tok = scanner.scan(); tok !== ts.SyntaxKind.EndOfFileToken; tok = scanner.scan()) {
    if (tok === ts.SyntaxKind.CloseBraceToken && braces.pop()) tok = scanner.reScanTemplateToken(false);
    else if ((tok === ts.SyntaxKind.SlashToken || tok === ts.SyntaxKind.SlashEqualsToken) && !endsExpression(prev)) tok = scanner.reScanSlashToken();
    if (tok === ts.SyntaxKind.StringLiteral || tok === ts.SyntaxKind.NoSubstitutionTemplateLiteral || tok === ts.SyntaxKind.TemplateHead || tok === ts.SyntaxKind.TemplateMiddle || tok === ts.SyntaxKind.TemplateTail) out.push(scanner.getTokenValue());
    if (tok === ts.SyntaxKind.TemplateHead || tok === ts.SyntaxKind.TemplateMiddle) braces.push(true);
    else if (tok === ts.SyntaxKind.OpenBraceToken) braces.push(false);
    prev = tok;
  }
  return out;
}

/** Whether a `/` after this token divides (otherwise it starts a regular expression). */
function endsExpression(k: ts.SyntaxKind): boolean {
  return (
    k === ts.SyntaxKind.Identifier || k === ts.SyntaxKind.CloseParenToken || k === ts.SyntaxKind.CloseBracketToken ||
    k === ts.SyntaxKind.NumericLiteral || k === ts.SyntaxKind.StringLiteral || k === ts.SyntaxKind.ThisKeyword ||
    k === ts.SyntaxKind.NoSubstitutionTemplateLiteral || k === ts.SyntaxKind.TemplateTail || k === ts.SyntaxKind.PlusPlusToken || k === ts.SyntaxKind.MinusMinusToken
  );
}

/** Files of Node-side code whose strings may reach the interpreter's console. */
export function evalStringFiles(root: string, dirs: string[]): string[] {
  const files: string[] = [];
  for (const d of dirs) sourceFilesUnder(join(root, d), files);
  return files;
}

/** Words of the string literals and templates of Node-side code that may be evaluated (see evalWords). */
export function nodeSideEvalWords(files: string[], allWords?: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    for (const s of stringsOf(readFileSync(f, "utf8"))) {
      evalWords(s, out);
      if (allWords) for (const w of s.match(/[A-Za-z_$][\w$]*/g) || []) allWords.add(w);
    }
  }
  return out;
}

/** The plan for the bundle built from `tsconfig` (+ extraFiles). */
export function computeManglePlan(opts: ManglePlanOptions = {}): ManglePlan {
  const root = resolve(opts.root || process.cwd());
  const bundleDirs = (opts.bundleDirs || ["firmware"]).map((d) => resolve(root, d));
  const minLength = opts.minLength === undefined ? 3 : opts.minLength;
  const main = readConfigFiles(resolve(root, opts.tsconfig || "tsconfig.json"));
  const extra = (opts.extraFiles || []).map((f) => resolve(root, f));
  const others = opts.otherBundles || (existsSync(join(root, MODELS_TSCONFIG)) ? [MODELS_TSCONFIG] : []);
  const otherRoots: string[] = [];
  for (const o of others) for (const f of readConfigFiles(resolve(root, o)).files) otherRoots.push(resolve(f));
  const norm = (f: string) => resolve(f);
  const extraSet = new Set(extra);

  // The bundle's own program first (parsed, not checked): its files are the bundle's; then, with
  // the same parsed files, the program that adds the other bundle (the device models).
  const options: ts.CompilerOptions = { ...main.options, noEmit: true };
  const host = ts.createCompilerHost(options, true);
  const parsed = new Map<string, ts.SourceFile | undefined>();
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!parsed.has(fileName)) parsed.set(fileName, getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate));
    return parsed.get(fileName);
  };
  const mainProgram = ts.createProgram(Array.from(new Set(main.files.map(norm).concat(extra))), options, host);
  const mainSet = new Set(mainProgram.getSourceFiles().map((sf) => norm(sf.fileName)));
  const program = otherRoots.length ? ts.createProgram(Array.from(mainSet).concat(otherRoots), options, host, mainProgram) : mainProgram;

  /** Files of the bundle's own program: its sources, its .d.ts and the libraries' (not the other bundle's own files). */
  const inMainProgram = (sf: ts.SourceFile) => mainSet.has(norm(sf.fileName));
  const inBundle = (sf: ts.SourceFile) => !sf.isDeclarationFile && inMainProgram(sf) && (extraSet.has(norm(sf.fileName)) || isUnder(norm(sf.fileName), bundleDirs));
  const rel = (sf: ts.SourceFile) => relative(root, sf.fileName).split(sep).join("/");
  const where = (n: ts.Node) => {
    const sf = n.getSourceFile();
    return rel(sf) + ":" + (sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1);
  };

  // names either bundle puts on or reads from `global` (syntax alone)
  const globals = new Set<string>();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile) continue;
    walk(sf, (n) => {
      if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && (n.expression.text === "global" || n.expression.text === "globalThis")) globals.add(n.name.text);
    });
  }

  /** A member of a class declared in bundle code (the only declarations that may be renamed). */
  const isBundleClassMember = (d: ts.Declaration): boolean => {
    const sf = d.getSourceFile();
    if (!inBundle(sf)) return false;
    if (ts.isPropertyDeclaration(d) || ts.isMethodDeclaration(d) || ts.isGetAccessorDeclaration(d) || ts.isSetAccessorDeclaration(d)) {
      return (ts.isClassDeclaration(d.parent) || ts.isClassExpression(d.parent)) && ts.isIdentifier(d.name);
    }
    if (ts.isParameter(d)) return ts.isParameterPropertyDeclaration(d, d.parent) && ts.isIdentifier(d.name);
    return false;
  };

  // 1. candidates: names of bundle class members
  const candidates = new Set<string>();
  for (const sf of program.getSourceFiles()) {
    if (!inBundle(sf)) continue;
    walk(sf, (n) => {
      if ((ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n) || ts.isParameter(n)) && isBundleClassMember(n)) {
        const name = propertyNameText(n.name);
        if (name !== null && name.length >= minLength) candidates.add(name);
      }
    });
  }

  const evalFiles = evalStringFiles(root, opts.evalStringDirs || DEFAULT_EVAL_DIRS);
  if (candidates.size === 0) {
    // nothing to rename (a bundle without classes): no type-checking, only the globals
    nodeSideEvalWords(evalFiles, globals);
    return { mangle: [], kept: [], files: program.getSourceFiles().length, globals: Array.from(globals).sort() };
  }
  const checker = program.getTypeChecker();
  const kept = new Map<string, string>();
  const keep = (name: string, reason: string) => {
    if (candidates.has(name) && !kept.has(name)) kept.set(name, reason);
  };

  /** Whether every declaration of `sym` is a bundle class member. */
  const onlyBundleMembers = (sym: ts.Symbol | undefined): boolean => {
    const decls = sym && sym.declarations;
    if (!decls || decls.length === 0) return false;
    for (const d of decls) if (!isBundleClassMember(d)) return false;
    return true;
  };

  const describe = (d: ts.Node): string => {
    const sf = d.getSourceFile();
    const file = sf.isDeclarationFile && /node_modules|[\\/]typescript[\\/]lib/.test(sf.fileName) ? sf.fileName.replace(/^.*node_modules[\\/]/, "") : rel(sf);
    let owner = d.parent;
    while (owner && !ts.isInterfaceDeclaration(owner) && !ts.isClassDeclaration(owner) && !ts.isTypeLiteralNode(owner) && !ts.isObjectLiteralExpression(owner) && !ts.isEnumDeclaration(owner) && !ts.isSourceFile(owner)) owner = owner.parent;
    let what = "a declaration";
    if (owner && ts.isInterfaceDeclaration(owner)) what = "interface " + owner.name.text;
    else if (owner && ts.isClassDeclaration(owner)) what = "class " + (owner.name ? owner.name.text : "(anonymous)");
    else if (owner && ts.isTypeLiteralNode(owner)) what = "a type literal";
    else if (owner && ts.isObjectLiteralExpression(owner)) what = "an object literal";
    else if (owner && ts.isEnumDeclaration(owner)) what = "enum " + owner.name.text;
    return "declared in " + what + " (" + (sf.isDeclarationFile ? file : file + ":" + (sf.getLineAndCharacterOfPosition(d.getStart(sf)).line + 1)) + ")";
  };

  // 2. every property-like declaration in the program that is not a bundle class member
  for (const sf of program.getSourceFiles()) {
    if (!inMainProgram(sf)) continue;
    walk(sf, (n) => {
      let name: string | null = null;
      if (ts.isPropertySignature(n) || ts.isMethodSignature(n) || ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n) || ts.isEnumMember(n) || ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) name = propertyNameText(n.name);
      else if (ts.isParameter(n) && ts.isParameterPropertyDeclaration(n, n.parent)) name = propertyNameText(n.name);
      else if (ts.isBindingElement(n)) name = propertyNameText(n.propertyName || n.name);
      if (name === null || !candidates.has(name) || kept.has(name)) return;
      if (isBundleClassMember(n as ts.Declaration)) return;
      // an object literal in bundle code whose contextual type makes the property a class member's
      if ((ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n) || ts.isMethodDeclaration(n)) && inBundle(sf) && ts.isObjectLiteralExpression(n.parent)) {
        const ct = checker.getContextualType(n.parent);
        if (ct && !(ct.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) && onlyBundleMembers(ct.getProperty(name))) return;
      }
      keep(name, describe(n));
    });
  }

  const isOpaque = (t: ts.Type): boolean => {
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.NonPrimitive | ts.TypeFlags.TypeParameter)) return true;
    if (t.isUnion()) return t.types.some(isOpaque);
    if (t.flags & ts.TypeFlags.Object) {
      const sym = t.getSymbol();
      if (sym && (sym.name === "Object" || sym.name === "Function")) return true;
      if (checker.getPropertiesOfType(t).length === 0 && t.getCallSignatures().length === 0 && t.getConstructSignatures().length === 0 && !checker.getIndexInfosOfType(t).length) return true;
    }
    return false;
  };

  // 4. escapes: every name reachable from a type that crosses into untyped code is kept
  const seenTypes = new Set<ts.Type>();
  const escape = (t: ts.Type | undefined, why: string, depth: number) => {
    if (!t || seenTypes.has(t) || depth > 12) return;
    seenTypes.add(t);
    if (t.isUnionOrIntersection()) {
      for (const c of t.types) escape(c, why, depth + 1);
      return;
    }
    if (!(t.flags & ts.TypeFlags.Object)) return;
    const args = (t as ts.TypeReference).typeArguments;
    if (args) for (const a of args) escape(a, why, depth + 1);
    for (const info of checker.getIndexInfosOfType(t)) escape(info.type, why, depth + 1);
    // a lib/.d.ts type (Uint8Array, Pin ...): its own names are declared there, so kept already;
    // only what it carries (type arguments, elements) can hold bundle classes
    const sym = t.getSymbol();
    if (sym && sym.declarations && sym.declarations.length && sym.declarations.every((d) => d.getSourceFile().isDeclarationFile)) return;
    for (const p of checker.getPropertiesOfType(t)) {
      keep(p.name, why);
      escape(checker.getTypeOfSymbol(p), why, depth + 1);
    }
    for (const s of t.getCallSignatures().concat(t.getConstructSignatures())) {
      escape(s.getReturnType(), why, depth + 1);
      for (const p of s.getParameters()) escape(checker.getTypeOfSymbol(p), why, depth + 1);
    }
  };

  const isValuePosition = (n: ts.Node): boolean => {
    const p = n.parent;
    if (!p) return false;
    if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments && p.arguments.indexOf(n as ts.Expression) >= 0) return true;
    if (ts.isReturnStatement(p) || ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p)) return true;
    if ((ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isParameter(p)) && p.initializer === n) return true;
    if (ts.isPropertyAssignment(p) && p.initializer === n) return true;
    if (ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
    if (ts.isArrowFunction(p) && p.body === n) return true;
    return false;
  };

  // 2b, 3, 4, 5: walk the code
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile) continue;
    const bundle = inBundle(sf);
    const other = !inMainProgram(sf);
    if (!bundle && !other) continue;
    walk(sf, (n) => {
      if (ts.isPropertyAccessExpression(n) && candidates.has(n.name.text)) {
        const sym = checker.getSymbolAtLocation(n.name);
        if (other) {
          if (sym && sym.declarations && sym.declarations.some(isBundleClassMember)) keep(n.name.text, "used by the other bundle at " + where(n));
        } else if (!onlyBundleMembers(sym)) keep(n.name.text, "accessed on an untyped or foreign value at " + where(n));
        return;
      }
      if (!bundle) return;
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
        keep(n.text, "a string in " + where(n));
        return;
      }
      if (ts.isForInStatement(n)) {
        escape(checker.getTypeAtLocation(n.expression), "iterated with for-in at " + where(n), 0);
        return;
      }
      if (ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) {
        // `x as unknown as T` is still x: only a value that was untyped to begin with escapes
        let inner: ts.Expression = n.expression;
        while (ts.isAsExpression(inner) || ts.isTypeAssertionExpression(inner) || ts.isParenthesizedExpression(inner)) inner = inner.expression;
        if (isOpaque(checker.getTypeAtLocation(inner))) escape(checker.getTypeAtLocation(n.type), "an untyped value asserted to this type at " + where(n), 0);
      }
      if (ts.isExpression(n) && isValuePosition(n)) {
        const ct = checker.getContextualType(n);
        if (!ct) return;
        const t = checker.getTypeAtLocation(n);
        if (isOpaque(ct)) escape(t, "passed where the type is " + checker.typeToString(ct) + " at " + where(n), 0);
        else if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) escape(ct, "an untyped value taken as this type at " + where(n), 0);
      }
    });
  }

  // 6. strings the Node side may evaluate on the interpreter
  const words = nodeSideEvalWords(evalFiles, globals);
  for (const w of words) keep(w, "named in a Node-side string (may be evaluated on the interpreter)");
  for (const w of ESPRUINO_PROTO_NAMES) keep(w, "an Espruino built-in prototype's property");

  const mangle: string[] = [];
  for (const c of candidates) if (!kept.has(c)) mangle.push(c);
  mangle.sort();
  const keptList: KeptName[] = [];
  for (const [name, reason] of kept) keptList.push({ name, reason });
  keptList.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { mangle, kept: keptList, files: program.getSourceFiles().length, globals: Array.from(globals).sort() };
}

/**
 * computeManglePlan, remembered in node_modules/.cache/mangle-plan/ under a hash of everything it
 * reads (the program's sources, the Node-side files, the options, this tool and the TypeScript
 * version): type-checking the program takes seconds, and the build, the bench and the tests each
 * need the same plan.
 */
export function cachedManglePlan(opts: ManglePlanOptions = {}): ManglePlan & { cached: boolean } {
  const root = resolve(opts.root || process.cwd());
  const h = createHash("sha256");
  h.update(JSON.stringify({ opts, ts: ts.version }));
  h.update(readFileSync(new URL(import.meta.url)));
  const files = new Set<string>();
  const tsconfigs = [opts.tsconfig || "tsconfig.json"].concat(opts.otherBundles || (existsSync(join(root, MODELS_TSCONFIG)) ? [MODELS_TSCONFIG] : []));
  for (const c of tsconfigs) {
    files.add(resolve(root, c));
    for (const f of readConfigFiles(resolve(root, c)).files) files.add(resolve(f));
  }
  for (const f of opts.extraFiles || []) files.add(resolve(root, f));
  for (const f of evalStringFiles(root, opts.evalStringDirs || DEFAULT_EVAL_DIRS)) files.add(f);
  // the other bundle's imports (hil/models ...) are read through its roots; hash their directories too
  for (const d of ["hil", "types"].concat(opts.bundleDirs || ["firmware"])) {
    const more: string[] = [];
    sourceFilesUnder(join(root, d), more);
    for (const f of more) files.add(f);
  }
  if (existsSync(join(root, "package-lock.json"))) files.add(join(root, "package-lock.json"));
  for (const f of Array.from(files).sort()) {
    h.update(f + "\0");
    if (existsSync(f)) h.update(readFileSync(f));
  }
  const dir = join(root, "node_modules", ".cache", "mangle-plan");
  const file = join(dir, h.digest("hex").slice(0, 32) + ".json");
  if (existsSync(file)) {
    try {
      return { ...(JSON.parse(readFileSync(file, "utf8")) as ManglePlan), cached: true };
    } catch (e) {
      // a torn write: compute it again
    }
  }
  const plan = computeManglePlan(opts);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = file + "." + process.pid + ".tmp";
    writeFileSync(tmp, JSON.stringify(plan));
    renameSync(tmp, file);
    // keep the newest few (each edit of a source makes a new one)
    const old = readdirSync(dir)
      .filter((f) => /^[0-9a-f]{32}\.json$/.test(f))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const o of old.slice(16)) rmSync(join(dir, o.f), { force: true });
  } catch (e) {
    // no cache: fine, the next build computes it again
  }
  return { ...plan, cached: false };
}

/** terser `mangle.properties` for a plan (false when there is nothing to rename). */
export function propertyMangleOptions(plan: ManglePlan): false | { regex: RegExp; reserved: string[]; keep_quoted: boolean; builtins: boolean } {
  if (plan.mangle.length === 0) return false;
  const esc = plan.mangle.map((n) => n.replace(/\$/g, "\\$"));
  // builtins: true, or terser would silently keep every name a browser's DOM uses (state, pending,
  // title, check ...): the plan already keeps every name the libraries declare
  return { regex: new RegExp("^(?:" + esc.join("|") + ")$"), reserved: ESPRUINO_PROTO_NAMES.slice(), keep_quoted: true, builtins: true };
}

/** One line for the build log, and the kept names grouped by kind of reason. */
export function summarisePlan(plan: ManglePlan): string {
  const groups = new Map<string, number>();
  for (const k of plan.kept) {
    const g = k.reason.replace(/ \(.*$| at .*$|:\d+$/, "").replace(/^(declared in (?:interface|class|enum)) .*/, "$1").replace(/^a string in .*/, "a string");
    groups.set(g, (groups.get(g) || 0) + 1);
  }
  const parts: string[] = [];
  for (const [g, n] of Array.from(groups).sort((a, b) => b[1] - a[1])) parts.push(n + " " + g);
  return `mangle-plan: ${plan.mangle.length} property names renamed (bundle class members only); ${plan.kept.length} class-member names kept: ${parts.join("; ")}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const t0 = Date.now();
  const plan = process.argv.indexOf("--no-cache") >= 0 ? computeManglePlan() : cachedManglePlan();
  console.log(summarisePlan(plan) + ` (${plan.files} files, ${Date.now() - t0} ms)`);
  if (process.argv.indexOf("--list") >= 0) {
    console.log("\nrenamed: " + plan.mangle.join(" "));
    console.log("\nkept:");
    for (const k of plan.kept) console.log(`  ${k.name}: ${k.reason}`);
  }
}
