// Runs after tsup (`npm run build`). @kubernetes/client-node is an ES module, and kube-rx's CommonJS
// declarations (dist/**/*.d.cts) import its types. Under `"module": "node16"` TypeScript reads a
// .d.cts as CommonJS and rejects a plain import of an ES module there (TS1479), so every CommonJS
// consumer would fail to type-check. A type-only import with `resolution-mode: import` (TypeScript
// 5.3+) is the declared way for CommonJS types to reference an ES module's types; nothing is
// required at run time (kube-rx loads client-node with a dynamic import()).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PEER = '@kubernetes/client-node';
const importLine = /^import (?:type )?\{ ([^}]*) \} from '@kubernetes\/client-node';$/gm;

function declarations(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return declarations(path);
    return name.endsWith('.d.cts') ? [path] : [];
  });
}

let patched = 0;
for (const file of declarations('dist')) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(importLine, (_, names) => {
    patched++;
    return `import type { ${names} } from '${PEER}' with { 'resolution-mode': 'import' };`;
  });
  if (next !== text) writeFileSync(file, next);
}
if (patched === 0) {
  console.error(
    `patchCjsDeclarations: no import of ${PEER} found in dist/**/*.d.cts; has the build changed?`,
  );
  process.exit(1);
}
console.log(
  `patchCjsDeclarations: ${patched} type imports of ${PEER} in .d.cts files use resolution-mode: import`,
);
