/**
 * `npm run boundaries`: checks the module boundaries docs/contributing.md promises, so they are enforced rather
 * than hoped for.
 *
 * 1. A module is reached from outside only through its `index.ts` (src/modules/<name>/index.ts).
 * 2. `src/platform` and `src/shared` never import `src/modules` or `src/app` (adapters and basics
 *    know no business rules and no wiring).
 * 3. A module never imports the composition root (`src/app`, `src/main.ts`): wiring flows one way.
 * 4. No import cycles between modules (type-only imports count too: a cycle of types is still two
 *    modules that cannot be understood, or split out, one without the other).
 *
 * A small script rather than dependency-cruiser: the rules are four, they need the module name as a
 * capture (which is awkward in eslint's `no-restricted-imports` patterns), cycle detection between
 * modules (not files) is thirty lines, and it adds no dependency. TypeScript's own pre-processor
 * finds the imports (static, `export ... from`, dynamic `import()`), so comments and strings that
 * merely look like imports are not counted.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export type Violation = Readonly<{ file: string; line: number; rule: string; message: string }>;

/** Where a file sits in the architecture, from its path relative to the repository root. */
type Place =
  | { kind: 'module'; module: string; rest: string }
  | { kind: 'platform' }
  | { kind: 'shared' }
  | { kind: 'web' }
  | { kind: 'app' }
  | { kind: 'other' };

function placeOf(file: string): Place {
  const parts = file.split('/');
  if (parts[0] !== 'src') return { kind: 'other' };
  if (parts[1] === 'modules' && parts.length >= 4) return { kind: 'module', module: parts[2]!, rest: parts.slice(3).join('/') };
  if (parts[1] === 'platform') return { kind: 'platform' };
  if (parts[1] === 'shared') return { kind: 'shared' };
  // The pages (storefront, studio, console): they read modules through their index.ts like app/ does.
  if (parts[1] === 'web') return { kind: 'web' };
  // main.ts is the command line: part of the composition root.
  if (parts[1] === 'app' || (parts.length === 2 && parts[1] === 'main.ts')) return { kind: 'app' };
  return { kind: 'other' };
}

const isTest = (file: string) => /\.test\.[cm]?[jt]sx?$/.test(file);

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

type Edge = { from: string; to: string; file: string; line: number };

/**
 * Checks a set of source files (paths relative to the repository root, with `/` separators)
 * against the rules above. Pure, so the rules can be tested without a file system.
 */
export function checkBoundaries(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  const edges: Edge[] = [];

  for (const [file, text] of files) {
    const from = placeOf(file);
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue; // packages and node: builtins
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.fileName));
      const to = placeOf(target);
      const line = lineAt(text, ref.pos);
      const report = (rule: string, message: string) => violations.push({ file, line, rule, message });

      if ((from.kind === 'platform' || from.kind === 'shared') && (to.kind === 'module' || to.kind === 'app')) {
        report(`${from.kind}-imports-${to.kind === 'module' ? 'modules' : 'app'}`, `src/${from.kind} must not import ${target}`);
      }
      // Pages sit above the modules: no module, adapter or basic may depend on them, and they take
      // what they need from the composition root as arguments instead of importing it.
      if (to.kind === 'web' && from.kind !== 'web' && from.kind !== 'app' && from.kind !== 'other') {
        report(`${from.kind}-imports-web`, `src/${from.kind === 'module' ? 'modules' : from.kind} must not import the pages (${target})`);
      }
      if (from.kind === 'web' && to.kind === 'app' && !isTest(file)) {
        report('web-imports-app', `the pages must not import the composition root (${target}); take what they need as a dependency`);
      }
      if (to.kind === 'module' && !(from.kind === 'module' && from.module === to.module) && to.rest !== 'index.ts') {
        report('module-internals', `${target} is internal to module "${to.module}"; import src/modules/${to.module}/index.ts instead`);
      }
      if (from.kind === 'module' && to.kind === 'app' && !isTest(file)) {
        report(
          'module-imports-app',
          `module "${from.module}" must not import the composition root (${target}); take what it needs as a dependency`,
        );
      }
      if (from.kind === 'module' && to.kind === 'module' && from.module !== to.module && !isTest(file)) {
        edges.push({ from: from.module, to: to.module, file, line });
      }
    }
  }

  for (const cycle of moduleCycles(edges)) {
    const first = edges.find((e) => e.from === cycle[0] && e.to === cycle[1])!;
    violations.push({
      file: first.file,
      line: first.line,
      rule: 'module-cycle',
      message: `import cycle between modules: ${[...cycle, cycle[0]].join(' -> ')}`,
    });
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** One representative cycle per strongly connected group of modules (Tarjan's algorithm). */
function moduleCycles(edges: readonly Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    if (!graph.has(e.to)) graph.set(e.to, new Set());
    graph.get(e.from)!.add(e.to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];

  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);

  // Within a group, walk edges from its smallest member back to itself to name a concrete cycle.
  return groups.map((group) => {
    const members = new Set(group);
    const start = [...group].sort()[0]!;
    const pathTo = (node: string, seen: string[]): string[] | null => {
      for (const next of [...(graph.get(node) ?? [])].sort()) {
        if (next === start) return seen;
        if (members.has(next) && !seen.includes(next)) {
          const found = pathTo(next, [...seen, next]);
          if (found) return found;
        }
      }
      return null;
    };
    return pathTo(start, [start]) ?? group;
  });
}

async function sourceFiles(dir: string, root: string, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') await sourceFiles(full, root, out);
    else if (entry.isFile() && /\.(c|m)?(t|j)sx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return out;
}

/** Every source file under the repository's `src/`, by path relative to the repository root. */
export async function readSources(root = path.resolve(import.meta.dirname, '..')): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of (await sourceFiles(path.join(root, 'src'), root)).sort()) {
    files.set(file, await readFile(path.join(root, file), 'utf8'));
  }
  return files;
}

async function main(): Promise<void> {
  const files = await readSources();
  const violations = checkBoundaries(files);
  for (const v of violations) console.error(`${v.file}:${v.line}  ${v.rule}  ${v.message}`);
  if (violations.length > 0) {
    console.error(
      `\n${violations.length} module boundary violation${violations.length === 1 ? '' : 's'} (see docs/contributing.md, "Habits")`,
    );
    process.exitCode = 1;
  } else {
    console.log(`module boundaries: ${files.size} files checked, no violations`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
