// What Espruino (2v29) runs differently from a JavaScript engine, seen running the bundles on the
// real interpreter, and a post-minification fix for it (a rollup output plugin, and functions the
// bench and tests apply to dist/firmware.js). Plain JS so rollup.config.js can import it without
// a TypeScript loader; types in espruino-fixes.d.ts.
//
// 1. No hoisting. `var x` creates the local when the statement executes; until then `x` resolves
//    in the enclosing scopes. `function h(c){ if(c){ var s=1 } s=2 }` assigns the OUTER `s` when
//    c is false. A minifier reuses one-letter names in every scope, so the outer `s` is usually a
//    module-level function or class of the bundle, which silently becomes a number ("Expecting
//    function, got Number" far from the cause). Function declarations likewise define their name
//    only when their statement is reached. Terser's hoist_vars does not help (it leaves single
//    declarations, and its inlining adds `...;var s}` after a return).
//    Fix: give each function that uses a var before an unconditional declaration of it a leading
//    `var a,b;` (a no-op in JavaScript, where vars are function-scoped anyway).
// 2. A bare `return` that is the LAST token of a function body (`function(a){if(a)return}`, which
//    terser emits) throws "SyntaxError: Unexpected end of Input" when it runs: Espruino keeps the
//    body without its closing brace and parses `return <end of input>`. Fix: add the `;`.
import { parse } from "acorn";

function isFunction(n) {
  return n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";
}

function children(n, visit) {
  for (const k of Object.keys(n)) {
    const v = n[k];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === "string") visit(c, k);
    } else if (v && typeof v === "object" && typeof v.type === "string") visit(v, k);
  }
}

/** Children that may not run when their parent runs (branches, loop bodies, handlers). */
function conditionalChild(parent, key) {
  switch (parent.type) {
    case "IfStatement":
    case "ConditionalExpression":
      return key === "consequent" || key === "alternate";
    case "ForStatement":
      return key === "body" || key === "test" || key === "update";
    case "ForInStatement":
    case "WhileStatement":
    case "DoWhileStatement":
      return key === "body";
    case "SwitchStatement":
      return key === "cases";
    case "TryStatement":
      return key === "handler" || key === "finalizer" || key === "block";
    case "LogicalExpression":
      return key === "right";
    default:
      return false;
  }
}

/** Declarations made directly in `fn`: name -> [{ at, kind, from, to }] (the code that runs after it). */
function declarations(fn) {
  const out = new Map();
  const add = (name, at, kind, from, to) => {
    if (!out.has(name)) out.set(name, []);
    out.get(name).push({ at, kind, from, to });
  };
  const walk = (n, from, to) => {
    if (n.type === "VariableDeclaration") {
      for (const d of n.declarations) {
        if (d.init) walk(d.init, from, to);
        if (d.id.type === "Identifier") add(d.id.name, d.end, "var", from, to);
      }
      return;
    }
    if (n.type === "FunctionDeclaration") {
      add(n.id.name, n.end, "function", from, to);
      return;
    }
    if (isFunction(n)) return;
    children(n, (c, k) => (conditionalChild(n, k) ? walk(c, c.start, c.end) : walk(c, from, to)));
  };
  walk(fn.body, fn.body.start, fn.body.end);
  return out;
}

/** Identifiers used directly in `fn` (not in nested functions): (name, offset). */
function references(fn, out) {
  const visit = (n, parent, key) => {
    if (n !== fn.body && isFunction(n)) return;
    if (n.type === "Identifier") {
      if (parent.type === "MemberExpression" && key === "property" && !parent.computed) return;
      if (parent.type === "Property" && key === "key" && !parent.computed) return;
      if (parent.type === "VariableDeclarator" && key === "id") return;
      if (parent.type === "CatchClause" && key === "param") return;
      if (parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement") return;
      out(n.name, n.start);
      return;
    }
    children(n, (c, k) => visit(c, n, k));
  };
  visit(fn.body, fn, "body");
}

function functionsOf(ast) {
  const fns = [];
  const find = (n) => {
    if (isFunction(n)) fns.push(n);
    children(n, find);
  };
  find(ast);
  return fns;
}

/** Names each function uses before an unconditional declaration of its own: [{ fn, at, name, kind }]. */
export function hoistingHazards(code) {
  return hazardsIn(parse(code, { ecmaVersion: "latest", sourceType: "script" }));
}

/**
 * The program's own top level counts as a function too: a bundle whose top level is the global
 * scope (no IIFE) runs its statements in order there, as a function body.
 */
function programScope(ast) {
  return { type: "Program", body: ast, params: [], isProgram: true };
}

function hazardsIn(ast) {
  const hazards = [];
  for (const fn of [programScope(ast)].concat(functionsOf(ast))) {
    const decl = declarations(fn);
    if (decl.size === 0) continue;
    const params = new Set();
    for (const p of fn.params) if (p.type === "Identifier") params.add(p.name);
    if (fn.type === "FunctionExpression" && fn.id) params.add(fn.id.name);
    references(fn, (name, at) => {
      if (params.has(name) || !decl.has(name)) return;
      const ds = decl.get(name);
      if (ds.some((d) => d.at <= at && d.from <= at && at < d.to)) return;
      hazards.push({ fn, at, name, kind: ds.some((d) => d.kind === "function") ? "function" : "var" });
    });
  }
  return hazards;
}

/** Offsets just after each bare `return` that ends a function body. */
export function trailingBareReturns(code) {
  return trailingReturnsIn(code, parse(code, { ecmaVersion: "latest", sourceType: "script" }));
}

function trailingReturnsIn(code, ast) {
  const closing = new Set();
  const returns = [];
  const walk = (n) => {
    if (isFunction(n) && n.body.type === "BlockStatement") closing.add(n.body.end - 1);
    else if (n.type === "ReturnStatement" && n.argument === null) returns.push(n.end);
    children(n, walk);
  };
  walk(ast);
  const out = [];
  for (const end of returns) {
    let i = end;
    while (i < code.length && /\s/.test(code[i])) i++;
    if (code[end - 1] !== ";" && closing.has(i)) out.push(end);
  }
  return out;
}

/**
 * `code` fixed for Espruino: leading `var` lists where a var is used before its declaration,
 * `;` after trailing bare returns. Returns the counts; `functionHazards` are uses of a function
 * declaration before its statement, which this cannot fix (none in the bundles so far).
 */
export function fixForEspruino(code) {
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script" });
  const hazards = hazardsIn(ast);
  const byFn = new Map();
  let functionHazards = 0;
  for (const h of hazards) {
    if (h.kind === "function") {
      functionHazards++;
      continue;
    }
    if (!byFn.has(h.fn)) byFn.set(h.fn, new Set());
    byFn.get(h.fn).add(h.name);
  }
  const inserts = [];
  for (const [fn, names] of byFn) {
    const body = fn.body.body;
    let at = fn.isProgram ? fn.body.start : fn.body.start + 1;
    if (body.length > 0 && body[0].directive !== undefined) at = body[0].end; // after "use strict"
    inserts.push({ at, text: "var " + Array.from(names).join(",") + ";" });
  }
  const returns = trailingReturnsIn(code, ast);
  for (const at of returns) inserts.push({ at, text: ";" });
  inserts.sort((a, b) => a.at - b.at);
  let out = "";
  let from = 0;
  for (const ins of inserts) {
    out += code.slice(from, ins.at) + ins.text;
    from = ins.at;
  }
  out += code.slice(from);
  return { code: out, hoisted: byFn.size, trailingReturns: returns.length, functionHazards };
}

/** Rollup output plugin: list it after terser. Fails the build on a hazard it cannot fix. */
export function espruinoFixes() {
  return {
    name: "espruino-fixes",
    renderChunk(code, chunk) {
      const r = fixForEspruino(code);
      // Function hazards cannot be fixed here; tools/es5-guard.ts reports them with their source.
      return r.hoisted + r.trailingReturns > 0 ? { code: r.code, map: null } : null;
    },
  };
}
