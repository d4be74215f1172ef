import { defineConfig } from 'tsup';

// ESM and CommonJS builds with declarations for both entry points of the exports map.
export default defineConfig({
  // `cli/main` is the `kube-rx` command, run through bin/kube-rx.mjs.
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Shared chunks: kube-rx and kube-rx/testing must share one copy of the classes (instanceof checks).
  splitting: true,
  // Rollup, not sucrase, turns the shared ESM chunks into CommonJS: sucrase downlevels `?.`/`??` and
  // renames classes with static fields (`StatusError.name === '_class2'`).
  treeshake: true,
  // esbuild binds self-referencing classes as `_Snapshot`; keep the names users see in logs and stacks.
  keepNames: true,
  external: ['rxjs', '@kubernetes/client-node', 'immer', 'prom-client'],
});
