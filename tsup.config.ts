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
  external: ['rxjs', '@kubernetes/client-node', 'immer', 'prom-client'],
});
