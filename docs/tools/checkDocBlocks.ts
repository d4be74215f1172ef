/**
 * Type-checks every ```ts block of README.md and docs/ against the BUILT package, as a reader would
 * paste it: each block becomes its own module in .cache/doc-blocks/, importing `kube-rx` and
 * `kube-rx/testing` by name (resolved through package.json's exports map to dist/), compiled with
 * the repo's strict settings. A block that is deliberately partial says so in its info string
 * (```ts partial), as does a block of bare signatures (```ts signature, the operator pages' headers);
 * both are skipped. Every other block must compile as it stands.
 *
 *   npm run build && npx tsx docs/tools/checkDocBlocks.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, '.cache/doc-blocks');

interface Block {
  /** The Markdown file, relative to the repo. */
  readonly file: string;
  /** Line of the block's first code line in the Markdown file (1-based). */
  readonly line: number;
  readonly code: string;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path.endsWith('docs/api') ? [] : markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** The ```ts blocks of one Markdown file, partial and signature blocks left out. */
export function tsBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const info = lines[i]?.match(/^```(\S*)\s*(.*)$/);
    if (!info) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) break;
    if (['ts', 'typescript'].includes(info[1] ?? '') && !/\b(partial|signature)\b/.test(info[2] ?? '')) {
      blocks.push({ file, line: i + 2, code: lines.slice(i + 1, end).join('\n') });
    }
    i = end;
  }
  return blocks;
}

function main(): number {
  for (const built of ['dist/index.d.ts', 'dist/testing/index.d.ts']) {
    if (!existsSync(join(ROOT, built))) {
      console.error(`${built} is missing: run \`npm run build\` first`);
      return 1;
    }
  }
  const files = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];
  const blocks = files.flatMap((path) => tsBlocks(relative(ROOT, path), readFileSync(path, 'utf8')));
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const byModule = new Map<string, Block>();
  blocks.forEach((block, n) => {
    const name = `block${String(n).padStart(3, '0')}.ts`;
    byModule.set(name, block);
    // `export {}` makes each block a module: its own scope, and top-level await allowed.
    writeFileSync(join(OUT, name), `${block.code}\nexport {};\n`);
  });
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      // skipLibCheck: the consumer projects (test/package/consumers.mjs) check the declarations themselves.
      compilerOptions: { noEmit: true, skipLibCheck: true, noUnusedLocals: false },
      include: ['*.ts'],
    }),
  );
  const tsc = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', OUT], { encoding: 'utf8' });
  const output = `${tsc.stdout}${tsc.stderr}`;
  // Report each error at its place in the Markdown file.
  const report = output.replace(
    /(?:\.cache\/doc-blocks\/)?(block\d+\.ts)\((\d+),(\d+)\)/g,
    (all, name, l, c) => {
      const block = byModule.get(name);
      return block ? `${block.file}:${block.line + Number(l) - 1}:${c}` : all;
    },
  );
  if (tsc.status !== 0) {
    console.error(report);
    console.error(`doc code blocks: ${blocks.length} checked, type errors above`);
    return 1;
  }
  console.log(`doc code blocks: ${blocks.length} ts blocks type-check against the built package`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main());
