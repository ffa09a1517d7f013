import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import: both ends as paths relative to the repository root (`src/pool/key-pool.ts`). */
export type ImportEdge = { from: string; to: string };

/** Folders that import nothing of ours but other leaves. */
export const leafFolders = ['gemini', 'errors', 'config', 'json', 'secrets', 'auth', 'http'] as const;

/** Which folders a folder may not import (docs/ARCHITECTURE.md, "Import rules"). */
const forbidden: Record<string, readonly string[]> = {
  upstream: ['pool', 'store', 'dispatch', 'surfaces'],
  pool: ['upstream', 'dispatch', 'surfaces'],
  store: ['pool'],
};

/** Every `.ts` file under `directory`, relative to `root`. */
export function listSources(root: string, directory = 'src'): string[] {
  const entries = readdirSync(join(root, directory), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

const specifierPattern =
  /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s*'([^']+)'/g;

/** The relative imports of one file (`import … from`, `export … from`, `import()`), resolved. */
export function importsOf(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const targets: string[] = [];
  for (const match of text.matchAll(specifierPattern)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier?.startsWith('.')) targets.push(relative(root, resolve(root, dirname(file), specifier)));
  }
  return targets;
}

/** `src/pool/key-pool.ts` → `pool`; `src/app.ts` → undefined (a root file). */
function folderOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

/** `src/surfaces/openai/…` → `openai`. */
function surfaceOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[1] === 'surfaces' ? parts[2] : undefined;
}

/** The rule an edge breaks, or undefined. Test files are not checked (they may import test helpers). */
export function brokenRule(edge: ImportEdge): string | undefined {
  const from = folderOf(edge.from);
  const to = folderOf(edge.to);
  if (!edge.to.startsWith('src/')) return 'src/ imports nothing outside src/ (test helpers live in test/)';
  if (edge.to === 'src/app.ts' && edge.from !== 'src/create-service.ts')
    return 'only create-service.ts imports app.ts';
  if (edge.to === 'src/create-service.ts' && edge.from !== 'src/main.ts')
    return 'only main.ts imports create-service.ts';
  if (from === undefined || to === undefined || from === to) {
    if (from === 'surfaces' && surfaceOf(edge.from) !== surfaceOf(edge.to))
      return 'a surface never imports another surface';
    return undefined;
  }
  if ((leafFolders as readonly string[]).includes(from) && !(leafFolders as readonly string[]).includes(to))
    return `${from}/ is a leaf: it imports only other leaves (${leafFolders.join(', ')})`;
  if (forbidden[from]?.includes(to)) return `${from}/ never imports ${to}/`;
  return undefined;
}

/** Every edge of the non-test source files under src/. */
export function sourceEdges(root: string): ImportEdge[] {
  return listSources(root)
    .filter((file) => !file.endsWith('.test.ts'))
    .flatMap((file) => importsOf(root, file).map((to) => ({ from: file, to })));
}

/**
 * Non-test files under src/ that neither src/main.ts nor a benchmark (bench/) reaches: dead code,
 * or code only tests use (which belongs under test/helpers/).
 */
export function unreachedFromMain(root: string): string[] {
  const entries = ['src/main.ts', ...listSources(root, 'bench')];
  const edges = [
    ...sourceEdges(root),
    ...entries.flatMap((file) => importsOf(root, file).map((to) => ({ from: file, to }))),
  ];
  const reached = new Set(entries);
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const edge of edges) {
      if (edge.from === file && !reached.has(edge.to)) {
        reached.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return listSources(root).filter((file) => !file.endsWith('.test.ts') && !reached.has(file));
}
