// Consumer projects built from `npm pack`, the way users install kube-rx: one tarball, installed with
// its peers into fresh projects outside the repo, then type-checked (skipLibCheck off, so a broken or
// missing declaration fails) and run, under each module setup users have:
//   esm-node16   "type": "module", module/moduleResolution node16 (import condition, .d.ts)
//   cjs-node16   "type": "commonjs", module node16 (require condition, .d.cts)
//   cjs-node10   moduleResolution node10 (no exports map: main/types and typesVersions)
//   bundler      moduleResolution bundler, bundled with esbuild, then run
//   no-prom      ESM without the optional peer prom-client installed
// Each compiles and runs consumers/src/example.ts (the README's informer example plus assertions);
// setups with prom-client also run consumers/src/metrics.ts. consumers/src/mutation.ts must fail to
// compile exactly on its lines marked READONLY: mutating a cached object is a type error.
// Run after `npm run build`. Needs the npm registry or a warm npm cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sources = join(root, 'test/package/consumers/src');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dev = pkg.devDependencies;
const work = mkdtempSync(join(tmpdir(), 'kube-rx-consumers-'));

const compiler = {
  strict: true,
  target: 'ES2022',
  lib: ['ES2023'],
  types: ['node'],
  skipLibCheck: false,
  outDir: 'out',
  rootDir: 'src',
};
const setups = [
  {
    name: 'esm-node16',
    install: 'full',
    type: 'module',
    options: { module: 'node16', moduleResolution: 'node16' },
  },
  {
    name: 'cjs-node16',
    install: 'full',
    type: 'commonjs',
    options: { module: 'node16', moduleResolution: 'node16' },
  },
  {
    name: 'cjs-node10',
    install: 'full',
    type: 'commonjs',
    options: {
      module: 'commonjs',
      moduleResolution: 'node10',
      esModuleInterop: true,
    },
  },
  {
    name: 'bundler',
    install: 'full',
    type: 'module',
    bundle: true,
    options: { module: 'preserve', moduleResolution: 'bundler', noEmit: true },
  },
  {
    name: 'no-prom',
    install: 'lean',
    type: 'module',
    options: { module: 'node16', moduleResolution: 'node16' },
  },
];

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.error(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function run(cmd, args, cwd) {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function mustRun(cmd, args, cwd) {
  const { code, output } = run(cmd, args, cwd);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${output}`);
  return output;
}

for (const file of ['dist/index.d.ts', 'dist/index.d.cts', 'dist/testing/index.d.ts', 'dist/index.cjs']) {
  if (!existsSync(join(root, file))) {
    console.error(`${file} is missing: run \`npm run build\` first (and check that it succeeded)`);
    process.exit(1);
  }
}

try {
  console.log(`packing kube-rx into ${work}`);
  const tarball = join(
    work,
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop(),
  );

  // Two installs: every peer, and every peer but prom-client.
  const peers = [`rxjs@${dev.rxjs}`, `@kubernetes/client-node@${dev['@kubernetes/client-node']}`];
  // @types/ws: client-node's own declarations import `ws` (through isomorphic-ws), so any project that
  // type-checks client-node with skipLibCheck off needs it; it says nothing about kube-rx.
  const tools = [`typescript@${dev.typescript}`, `@types/node@${dev['@types/node']}`, '@types/ws@8'];
  const installs = { full: [...peers, `prom-client@${dev['prom-client']}`], lean: peers };
  for (const [name, extra] of Object.entries(installs)) {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true }));
    mustRun(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        tarball,
        ...extra,
        ...tools,
      ],
      dir,
    );
  }
  check('no-prom install has no prom-client', () => {
    if (run('node', ['-e', "require.resolve('prom-client')"], join(work, 'lean')).code === 0) {
      throw new Error('prom-client is resolvable in the lean install');
    }
  });

  const tsc = (dir) => join(dir, '..', 'node_modules', '.bin', 'tsc');
  for (const setup of setups) {
    const dir = join(work, setup.install, setup.name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    const files = setup.install === 'full' ? ['example.ts', 'metrics.ts'] : ['example.ts'];
    for (const file of files) cpSync(join(sources, file), join(dir, 'src', file));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: setup.type }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...compiler, ...setup.options }, include: ['src'] }, null, 2),
    );
    check(`${setup.name}: typechecks with skipLibCheck off`, () => mustRun(tsc(dir), ['-p', '.'], dir));
    for (const file of files) {
      const base = file.replace(/\.ts$/, '');
      check(`${setup.name}: runs ${file}`, () => {
        let entry = join(dir, 'out', `${base}.js`);
        if (setup.bundle) {
          entry = join(dir, 'out', `${base}.mjs`);
          mustRun(
            join(root, 'node_modules', '.bin', 'esbuild'),
            [
              `src/${file}`,
              '--bundle',
              '--platform=node',
              '--format=esm',
              `--outfile=${entry}`,
              '--log-level=error',
              "--banner:js=import { createRequire as consumerRequire } from 'node:module'; const require = consumerRequire(import.meta.url);",
            ],
            dir,
          );
        }
        const output = mustRun('node', [entry], dir);
        if (!/consumer (metrics )?ok/.test(output)) throw new Error(`unexpected output:\n${output}`);
      });
    }
  }

  // Mutating a cached object must not compile: errors on the READONLY lines and nowhere else.
  check('esm-node16: mutating a cached object is a compile error', () => {
    const dir = join(work, 'full', 'mutation');
    mkdirSync(join(dir, 'src'), { recursive: true });
    cpSync(join(sources, 'mutation.ts'), join(dir, 'src', 'mutation.ts'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...compiler, module: 'node16', moduleResolution: 'node16', noEmit: true },
        include: ['src'],
      }),
    );
    const { code, output } = run(tsc(dir), ['-p', '.'], dir);
    if (code === 0) throw new Error('mutation.ts compiled: cached objects are mutable in the types');
    const text = readFileSync(join(sources, 'mutation.ts'), 'utf8').split('\n');
    const expected = text.flatMap((line, i) => (line.includes('// READONLY') ? [i + 1] : []));
    const got = [...output.matchAll(/mutation\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1]));
    if (JSON.stringify([...new Set(got)]) !== JSON.stringify(expected)) {
      throw new Error(`expected errors on lines ${expected}, got:\n${output}`);
    }
  });
} finally {
  if (!process.env.KUBE_RX_KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true });
}

console.log(`consumer projects: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
