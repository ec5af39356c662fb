// The import graph of src/: every import of every src/**/*.ts file (static, dynamic import() and
// `import type` alike: a type names a layer as much as a call does), and its cycles. Used by
// test/layering.test.ts; `node scripts/import-graph.mjs` prints the cycles.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Every .ts file under `dir`, as paths relative to `root` with '/'. */
function sourceFiles(root, dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(root, path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Whether an import or export declaration names types only (`import type`, or every name `type`). */
function typeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false;
    if (clause.isTypeOnly) return true;
    const named = clause.namedBindings;
    return !clause.name && !!named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
  }
  if (node.isTypeOnly) return true;
  const named = node.exportClause;
  return !!named && ts.isNamedExports(named) && named.elements.every((e) => e.isTypeOnly);
}

/** The relative modules a file's text imports, `{ name, type }`: `from '…'`, `import('…')`, `typeof import('…')`. */
function importedNames(text) {
  const names = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      names.push({ name: node.moduleSpecifier.text, type: typeOnly(node) });
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) names.push({ name: arg.text, type: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      names.push({ name: node.argument.literal.text, type: true });
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false));
  return names.filter((n) => n.name.startsWith('.'));
}

/**
 * Each file of src/ (path from the repository root) with the src/ files it imports,
 * `{ file, imports: [{ to, name, type }] }` (`type`: the import names types only).
 */
export function importGraph(root) {
  return sourceFiles(root, 'src').map((file) => ({
    file,
    imports: importedNames(readFileSync(join(root, file), 'utf8')).map(({ name, type }) => ({
      name,
      type,
      to: relative(root, resolve(root, dirname(file), name.replace(/\.js$/, '.ts'))).replace(/\\/g, '/'),
    })),
  }));
}

/** The cycles of the graph: its strongly connected components of more than one file (or a file importing itself). */
export function cycles(graph) {
  const next = new Map(graph.map((f) => [f.file, f.imports.map((i) => i.to)]));
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const connect = (v) => {
    index.set(v, index.size);
    low.set(v, index.get(v));
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!next.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = stack.splice(stack.indexOf(v));
    if (component.length > 1 || next.get(v).includes(v)) found.push(component.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) connect(v);
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = importGraph(resolve(import.meta.dirname, '..'));
  const runtime = graph.map((f) => ({ ...f, imports: f.imports.filter((i) => !i.type) }));
  for (const c of cycles(graph)) console.log(`cycle of ${c.length}: ${c.join(' ')}`);
  for (const c of cycles(runtime)) console.log(`runtime cycle of ${c.length}: ${c.join(' ')}`);
}
