// The one source of the kernel table of the TypeScript side: the `export function`s of assembly/,
// as the compiler sees them. `asc --bindings raw` writes TypeScript typings of the module's exports
// next to the .wasm (the .wasm itself is the same bytes); this reads them and returns the text of
// src/backend/kernels/exports.generated.ts: the `KernelExports` interface (each kernel's parameter
// names and Wasm types) and the list of kernel names that `bind()` walks.
import { readFileSync } from 'node:fs';

/** A function's JSDoc and declaration in the typings; the doc holds no `*\/` of another entry. */
const DECLARATION = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export function (\w+)\(([^)]*)\): (\w+);/g;
/** Functions of assembly/index.ts: what the module is (heap base, features), not kernels. */
const MODULE_INFO_SOURCE = 'index';

/** Each exported function of the typings: name, source file under assembly/, parameters with Wasm types, result. */
function readDeclarations(typings) {
  const declarations = [];
  for (const [, doc, name, params, result] of typings.matchAll(DECLARATION)) {
    const source = doc.match(/assembly\/([\w/]+)\/(\w+)/);
    if (!source || source[2] !== name) throw new Error(`kernel table: no source path in the typings of ${name}`);
    const wasmTypes = Object.fromEntries([...doc.matchAll(/@param (\w+) `(\w+)`/g)].map((m) => [m[1], m[2]]));
    const resultType = doc.match(/@returns `(\w+)`/)?.[1] ?? 'void';
    const parameters = params === '' ? [] : params.split(', ');
    for (const p of parameters) {
      const [, pname] = p.match(/^(\w+)\??: number$/) ?? [];
      if (!pname || !wasmTypes[pname]) {
        throw new Error(`kernel table: ${name}(${params}): every parameter of a kernel must be a Wasm number`);
      }
    }
    if (result !== 'void' && result !== 'number') throw new Error(`kernel table: ${name} returns ${result}`);
    declarations.push({ name, source: source[1], parameters, wasmTypes, resultType, result });
  }
  if (declarations.length === 0) throw new Error('kernel table: no exported function found in the typings');
  return declarations;
}

/** The text of the generated module, from the typings file asc wrote for the module. */
export function kernelTable(typingsFile, header) {
  const all = readDeclarations(readFileSync(typingsFile, 'utf8'));
  const kernels = all.filter((d) => d.source !== MODULE_INFO_SOURCE);
  const info = all.filter((d) => d.source === MODULE_INFO_SOURCE);
  const member = (d) => {
    const types = d.parameters.map((p) => {
      const pname = p.split(/\??:/)[0];
      return `${pname} \`${d.wasmTypes[pname]}\``;
    });
    const returns = d.resultType === 'void' ? '' : ` → \`${d.resultType}\``;
    return [
      `  /** assembly/${d.source}.ts: (${types.join(', ')})${returns}. */`,
      `  ${d.name}: (${d.parameters.join(', ')}) => ${d.result};`,
    ].join('\n');
  };
  const names = (list) => list.map((d) => `  '${d.name}',`).join('\n');
  return `${header}
/**
 * Every kernel the Wasm module exports, with its parameters as declared in assembly/ (all arguments
 * are JS numbers: pointers \`usize\` are byte offsets, counts \`i32\`, scalars \`f32\`, which the call
 * rounds).
 */
export interface KernelExports {
${kernels.map(member).join('\n')}
}

/** The names of the kernels, in the module's export order. */
export const KERNEL_NAMES = [
${names(kernels)}
] as const satisfies ReadonlyArray<keyof KernelExports>;

/** The module's other exported functions (assembly/index.ts): facts about the module, not kernels. */
export const MODULE_INFO_NAMES = [
${names(info)}
] as const;
`;
}
