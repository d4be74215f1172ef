/**
 * The layers of src/ (./layers.ts) and the direction of their imports, as docs/architecture.md draws them.
 * A layer may import only the layers listed for it, so nothing imports a layer above it; each
 * layer's main file says so in its header, and no source file sits loose in src/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYERS } from './layers.js';

const SRC = resolve(import.meta.dirname, '../../src');

const LAYER_BY_NAME = new Map(LAYERS.map((layer) => [layer.name, layer]));

/** Files allowed directly in src/: the package entry point only. */
const TOP_LEVEL_FILES = ['index.ts'];
const PACKAGE_JSON = resolve(SRC, '../package.json');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic `import()`s. */
function relativeImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm)) {
    specifiers.push(m[2] as string);
  }
  return specifiers;
}

function layerOf(path: string): string | undefined {
  const rel = relative(SRC, path);
  return rel.includes('/') ? rel.split('/')[0] : undefined;
}

const files = sourceFiles(SRC);

describe('src/ layout', () => {
  it('has no source file loose in src/ beside the entry point', () => {
    const loose = readdirSync(SRC).filter(
      (name) => statSync(join(SRC, name)).isFile() && !TOP_LEVEL_FILES.includes(name),
    );
    expect(loose).toEqual([]);
  });

  it('has a folder for every layer and no folder that is not a layer', () => {
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    expect(folders.sort()).toEqual(LAYERS.map((layer) => layer.name).sort());
  });

  it('imports only from the same layer or the layers below it', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      if (from === undefined) continue; // src/index.ts re-exports every layer
      const allowed = new Set([from, ...(LAYER_BY_NAME.get(from)?.mayImport ?? [])]);
      for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), specifier);
        if (target === PACKAGE_JSON) continue; // the version the CLI prints
        const to = layerOf(target);
        if (!target.startsWith(SRC) || to === undefined || !allowed.has(to)) {
          violations.push(`${relative(SRC, file)} imports ${specifier} (${to ?? 'outside the layers'})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it.each(LAYERS.map((layer) => [layer.name, layer] as const))(
    '%s: its main file says what the layer is for and what it may import',
    (layer, spec) => {
      const header =
        readFileSync(join(SRC, layer, spec.main), 'utf8').match(/^\/\*\*[\s\S]*?\*\//)?.[0] ?? '';
      expect(header, `${layer}/${spec.main} starts with a doc comment`).not.toBe('');
      const declared = header.match(/Layer `(\w+)`[\s\S]*?May import:([^.]*)\./);
      expect(declared?.[1]).toBe(layer);
      const text = (declared?.[2] ?? '').replace(/\n\s*\*/g, ' ').trim();
      const list = text === 'nothing' ? [] : text.split(/,\s*/).map((s) => s.replace(/`/g, '').trim());
      expect(list).toEqual(spec.mayImport);
    },
  );

  it('finds violations (the checker itself)', () => {
    expect(relativeImports("import { a } from '../runtime/informer.js';\nexport * from './x.js';")).toEqual([
      '../runtime/informer.js',
      './x.js',
    ]);
    expect(relativeImports("const m = await import('../transport/http.js');")).toEqual([
      '../transport/http.js',
    ]);
    expect(layerOf(join(SRC, 'store', 'snapshot.ts'))).toBe('store');
    expect(layerOf(join(SRC, 'index.ts'))).toBeUndefined();
  });
});
