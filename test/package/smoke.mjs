// Smoke test of the BUILT package, ESM side: imports `kube-rx` and `kube-rx/testing` by name, so
// resolution goes through package.json's "exports" map (self-reference), exactly as a consumer's would.
// Plain Node, no vitest. Run after `npm run build`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const expected = {
  'kube-rx': {
    file: 'dist/index.js',
    functions: [
      'listWatch',
      'deltaFifo',
      'indexer',
      'resync',
      'toEvents',
      'informer',
      'parseLabelSelector',
      'objectKey',
    ],
    objects: ['resources'],
  },
  'kube-rx/testing': { file: 'dist/testing/index.js', functions: ['scriptedClient'], objects: [] },
};

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
  } catch (error) {
    failed++;
    console.error(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

console.log(`package smoke (esm) on node ${process.version}`);

// .ci/run sets EXPECT_NODE_MAJOR per leg, to prove which Node binary actually ran this script.
if (process.env.EXPECT_NODE_MAJOR) {
  await check(`runs on Node ${process.env.EXPECT_NODE_MAJOR}`, () => {
    assert.equal(process.versions.node.split('.')[0], process.env.EXPECT_NODE_MAJOR);
  });
}

await check('package.json name is kube-rx (needed for self-reference)', () => {
  assert.equal(pkg.name, 'kube-rx');
});

// Every `types` path named anywhere in the exports map (and the top-level "types") exists on disk.
const typesPaths = [];
(function collect(node) {
  if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'types' && typeof value === 'string') typesPaths.push(value);
      else collect(value);
    }
  }
})(pkg.exports);
if (typeof pkg.types === 'string') typesPaths.push(pkg.types);
await check('exports map names at least one types path', () => {
  assert.ok(typesPaths.length > 0);
});
for (const typesPath of new Set(typesPaths)) {
  await check(`types file ${typesPath} exists`, () => {
    assert.ok(existsSync(join(root, typesPath)), `${typesPath} is missing (did \`npm run build\` run?)`);
  });
}

for (const [specifier, { file, functions, objects }] of Object.entries(expected)) {
  // The name must resolve to this repo's build via the "import" condition, not to some other copy.
  await check(`${specifier} resolves to ./${file}`, () => {
    const resolved = fileURLToPath(import.meta.resolve(specifier));
    assert.equal(relative(root, resolved).split('\\').join('/'), file);
  });

  let mod;
  await check(`import('${specifier}') loads`, async () => {
    mod = await import(specifier);
  });
  if (!mod) continue;
  for (const name of functions) {
    await check(`${specifier} exports function ${name}`, () => {
      assert.equal(typeof mod[name], 'function', `${name} is ${typeof mod[name]}`);
    });
  }
  for (const name of objects) {
    await check(`${specifier} exports object ${name}`, () => {
      assert.equal(typeof mod[name], 'object', `${name} is ${typeof mod[name]}`);
      assert.notEqual(mod[name], null);
    });
  }
}

// Both entry points must share one copy of the library's classes: the reflector in `kube-rx`
// recognises a 410 thrown by the fake cluster in `kube-rx/testing` only if they do.
await check('kube-rx and kube-rx/testing share class identity', async () => {
  const core = await import('kube-rx');
  const testing = await import('kube-rx/testing');
  const error = testing.gone();
  assert.ok(error instanceof core.StatusError, 'gone() is not an instance of kube-rx StatusError');
  assert.equal(core.isResourceExpired(error), true);
});

console.log(`package smoke: ${passed} passed, ${failed} failed`);
if (failed > 0) process.exitCode = 1;
