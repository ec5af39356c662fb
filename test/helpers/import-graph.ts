// The import graph of src/: every import of every src/**/*.ts file (static, dynamic import() and
// `import type` alike: a type names a layer as much as a call does), and its cycles. Used by
// test/layering.test.ts; `npx tsx test/helpers/import-graph.ts` prints the cycles.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Every .ts file under `dir`, as paths relative to `root` with '/'. */
function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(root, path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Whether an import or export declaration names types only (`import type`, or every name `type`). */
function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
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
function importedNames(text: string): { name: string; type: boolean }[] {
  const names: { name: string; type: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      names.push({ name: (node.moduleSpecifier as ts.StringLiteral).text, type: typeOnly(node) });
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) names.push({ name: arg.text, type: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      names.push({ name: (node.argument.literal as ts.StringLiteral).text, type: true });
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false));
  return names.filter((n) => n.name.startsWith('.'));
}

/** One import of a src/ file: the module name as written, the file it names, whether it names types only. */
export interface Import {
  name: string;
  to: string;
  type: boolean;
}

/** A src/ file (path from the repository root, with '/') and its imports of other src/ files. */
export interface SourceFile {
  file: string;
  imports: Import[];
}

/**
 * Each file of src/ (path from the repository root) with the src/ files it imports,
 * `{ file, imports: [{ to, name, type }] }` (`type`: the import names types only).
 */
export function importGraph(root: string): SourceFile[] {
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
export function cycles(graph: SourceFile[]): string[][] {
  const next = new Map(graph.map((f) => [f.file, f.imports.map((i) => i.to)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.size - 1);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!next.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = stack.splice(stack.indexOf(v));
    if (component.length > 1 || next.get(v)?.includes(v)) found.push(component.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) connect(v);
  return found;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const graph = importGraph(resolve(import.meta.dirname, '../..'));
  const runtime = graph.map((f) => ({ ...f, imports: f.imports.filter((i) => !i.type) }));
  for (const c of cycles(graph)) console.log(`cycle of ${c.length}: ${c.join(' ')}`);
  for (const c of cycles(runtime)) console.log(`runtime cycle of ${c.length}: ${c.join(' ')}`);
}
