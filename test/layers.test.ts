// lib/ is built in floors, and no import runs from a lower floor to a higher one: the pure-TS
// kernels know nothing of the API built over them, the API nothing of its entry points, the
// entry points nothing of the CLI. Every relative import in lib/**/*.ts (values and types alike:
// `import type`, `export … from`, `import()`) is read with the TypeScript parser and checked here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const lib = fileURLToPath(new URL('../lib/', import.meta.url));

/**
 * The floors, bottom to top; a file may import from its own floor and the ones below. Paths are
 * relative to lib/: a name, or a folder ending in `/` for everything under it. Every other file
 * directly in lib/ is on the functions floor (validate.ts, softmax.ts, …, parallel.ts, load.ts):
 * new function modules land there without touching this table; anything else must be placed.
 */
const FUNCTIONS = 'validation and the functions';
const floors: { name: string; files: string[] }[] = [
  { name: 'types, sums and the kernel surface', files: ['types.ts', 'sum.ts', 'surface.ts'] },
  { name: 'the kernel interface', files: ['kernels.ts'] },
  { name: 'the pure-TS kernels', files: ['js/'] },
  { name: FUNCTIONS, files: [] },
  { name: 'the API', files: ['api.ts'] },
  { name: 'the entry points', files: ['index.ts', 'js.ts'] },
  { name: 'the CLI', files: ['cli/'] },
];

/** The floor of a file (its path relative to lib/, with `/`), or -1 when none says. */
function floorOf(file: string): number {
  const explicit = floors.findIndex(({ files }) => files.some((f) => (f.endsWith('/') ? file.startsWith(f) : file === f)));
  if (explicit >= 0) return explicit;
  return file.includes('/') ? -1 : floors.findIndex(({ name }) => name === FUNCTIONS);
}

interface Import {
  specifier: string;
  line: number;
}

/** Every module specifier a TypeScript source names: imports, re-exports, `import()` and `import('…').T`. */
function importsOf(source: string, fileName = 'source.ts'): Import[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) {
      found.push({ specifier: node.text, line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** A relative specifier as the lib/ file it names (`./x.js` is written for `./x.ts`), or null outside lib/. */
function target(from: string, specifier: string): string | null {
  const path = relative(lib, resolve(dirname(from), specifier)).split('\\').join('/');
  return path.startsWith('..') ? null : path.replace(/\.js$/, '.ts');
}

const files = sources(lib).map((path) => ({ path, name: relative(lib, path).split('\\').join('/') }));

/** Every relative import from one lib/ file to another. */
const edges = files.flatMap(({ path, name }) =>
  importsOf(readFileSync(path, 'utf8'), path).flatMap(({ specifier, line }) => {
    const to = specifier.startsWith('.') ? target(path, specifier) : null;
    return to === null ? [] : [{ from: name, line, specifier, to }];
  }),
);

/**
 * The files that may import the pure-TS kernels (lib/js/) from outside that folder: the loader,
 * which picks them as the fallback, and the `softmax-simd/js` entry, which builds the API over
 * them. Everything else reaches a backend through the kernel interface (kernels.ts) only.
 */
const BACKEND_USERS = ['load.ts', 'js.ts'];

describe('the floors of lib/', () => {
  it('place every file', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files.filter(({ name }) => floorOf(name) < 0).map(({ name }) => `lib/${name} has no floor: add it to floors in test/layers.test.ts`)).toEqual([]);
  });

  it('have no import from a lower floor to a higher one', () => {
    expect(edges.length).toBeGreaterThan(100);
    const upward = edges
      .filter(({ from, to }) => floorOf(to) > floorOf(from))
      .map(({ from, line, specifier, to }) => {
        return `lib/${from}:${line} (${floors[floorOf(from)].name}) imports '${specifier}' (lib/${to}, ${floors[floorOf(to)].name}), a higher floor`;
      });
    expect(upward).toEqual([]);
  });

  it('reach the pure-TS kernels only through the kernel interface, but for the loader and softmax-simd/js', () => {
    const reaching = edges
      .filter(({ from, to }) => to.startsWith('js/') && !from.startsWith('js/') && !BACKEND_USERS.includes(from))
      .map(({ from, line, specifier }) => `lib/${from}:${line} imports '${specifier}' from the pure-TS backend; use the Kernels it is given, or move what it shares below lib/js/`);
    expect(reaching).toEqual([]);
  });

  it('read every form of import, and nothing in comments or strings', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import './c.js';",
      "import * as d from './d.js';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      "export * from './g.js';",
      "export type * from './h.js';",
      "const i = await import('./i.js');",
      "type J = import('./j.js').J;",
      "// import { k } from './k.js';",
      "const l = \"import { l } from './l.js'\";",
      "import { m } from 'node:m';",
    ].join('\n');
    expect(importsOf(source)).toEqual(
      ['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js', './g.js', './h.js', './i.js', './j.js', 'node:m'].map((specifier, i) => ({
        specifier,
        line: i < 10 ? i + 1 : 13,
      })),
    );
  });
});
