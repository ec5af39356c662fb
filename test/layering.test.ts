// The floors of src/: every file imports only from the floors below its own (or from its own
// folder), and no files import each other in a loop. Imports are read with TypeScript's parser
// (test/helpers/import-graph.ts): static, dynamic import() and type-only imports alike, because a
// type names a layer as much as a call does (a storage handler that names `Sequential`, even as a
// type, knows the model). README.md's Design section draws the same floors.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, type SourceFile } from './helpers/import-graph.js';

/**
 * The floors, bottom up: a folder of src/ (ending in '/') or a file of src/ itself. Each one
 * stands on the lowest floor its imports allow, so that the test also forbids what it must not
 * know: data/, datasets/ and io/'s handlers stand below models/ (they never see a model),
 * reference/ beside ops/ (the oracles share no code with what they check).
 */
const FLOORS: readonly (readonly string[])[] = [
  ['errors.ts'],
  ['backend/', 'random.ts', 'lazy-import.ts'],
  ['reference/', 'ops/'],
  // text/: TextVectorization, the preprocessing stage before a model (nn.layers exports it)
  ['text/'],
  // io/'s handlers know only ModelArtifacts; data/ holds data utilities (CSV, scalers, splits)
  ['io/', 'layers/', 'optimizers/', 'data/'],
  ['training/', 'datasets/'],
  ['models/'],
  // what builds on models: the layers format (model <-> artifacts), model selection, the worker
  ['format/', 'selection/', 'worker/'],
  // what builds on models and is loaded on first use: int8 copies, explanations, surrogate models
  ['quantize/', 'explain/', 'surrogate/'],
  // pictures of explanations and surrogate trees (neurasm/plot): types from below, code only from errors.ts
  ['plot/'],
  // the chunk loaded on first use: it holds the bodies of io, format, selection and worker
  ['lazy.ts'],
  ['index.ts'],
  ['browser/', 'cli/'],
];

/** The room of a src/ file: its folder under src/ ('ops/'), or the file itself ('index.ts'). */
function roomOf(file: string): string {
  const [, first, ...rest] = file.split('/');
  return rest.length > 0 ? `${first}/` : first;
}

function floorOf(room: string): number {
  return FLOORS.findIndex((floor) => floor.includes(room));
}

/** Each import that does not go down the floors: `file imports 'name' (room, floor n → m)`. */
function upwardImports(graph: readonly SourceFile[]): string[] {
  return graph.flatMap(({ file, imports }) =>
    imports
      .filter(({ to }) => roomOf(to) !== roomOf(file) && floorOf(roomOf(to)) >= floorOf(roomOf(file)))
      .map(
        ({ name, to }) =>
          `${file} imports '${name}' (${roomOf(to)} on floor ${floorOf(roomOf(to)) + 1}, not below ${roomOf(file)} on floor ${floorOf(roomOf(file)) + 1})`,
      ),
  );
}

/** Each cycle as the imports that tie its files: `file imports 'name'`, one list a cycle. */
function cycleImports(graph: readonly SourceFile[]): string[][] {
  return cycles([...graph]).map((files) =>
    graph
      .filter(({ file }) => files.includes(file))
      .flatMap(({ file, imports }) =>
        imports.filter(({ to }) => files.includes(to)).map(({ name }) => `${file} imports '${name}'`),
      ),
  );
}

describe('layering of src/', () => {
  const graph = importGraph(resolve(import.meta.dirname, '..'));

  it('reads the imports of every file, type-only and dynamic ones too', () => {
    const index = graph.find((f) => f.file === 'src/index.ts');
    expect(graph.length).toBeGreaterThan(150);
    expect(index?.imports).toContainEqual({ name: './lazy.js', to: 'src/lazy.ts', type: false });
    expect(index?.imports).toContainEqual({ name: './io/handlers.js', to: 'src/io/handlers.ts', type: true });
  });

  it('gives every folder and top-level file of src/ a floor', () => {
    const rooms = new Set(graph.map((f) => roomOf(f.file)));
    expect([...rooms].filter((r) => floorOf(r) < 0)).toEqual([]);
    expect(FLOORS.flat().filter((r) => !rooms.has(r))).toEqual([]);
  });

  it('imports only from the floors below (or from the same folder)', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('has no files that import each other in a loop', () => {
    expect(cycleImports(graph)).toEqual([]);
  });

  it('names an import that runs up the floors, and a cycle', () => {
    const planted: SourceFile[] = [
      {
        file: 'src/io/router.ts',
        imports: [{ name: '../models/sequential.js', to: 'src/models/sequential.ts', type: true }],
      },
      { file: 'src/models/sequential.ts', imports: [{ name: '../io/router.js', to: 'src/io/router.ts', type: false }] },
    ];
    expect(upwardImports(planted)).toEqual([
      "src/io/router.ts imports '../models/sequential.js' (models/ on floor 7, not below io/ on floor 5)",
    ]);
    expect(cycleImports(planted)).toEqual([
      ["src/io/router.ts imports '../models/sequential.js'", "src/models/sequential.ts imports '../io/router.js'"],
    ]);
  });
});
