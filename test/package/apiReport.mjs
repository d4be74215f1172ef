// The public API as a list: every name exported by each entry point of the exports map, with whether it
// is a value (function, class, constant) or only a type. `--check` compares it with the committed
// api-report.txt and fails on any difference, so a move or a refactor cannot drop or add an export
// unnoticed; without `--check` it rewrites the file (do that on purpose, when the API changes).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const reportPath = resolve(root, 'test/package/api-report.txt');
const entries = { 'kube-rx': 'src/index.ts', 'kube-rx/testing': 'src/testing/index.ts' };

const config = ts.getParsedCommandLineOfConfigFile(
  resolve(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const program = ts.createProgram(
  Object.values(entries).map((p) => resolve(root, p)),
  config.options,
);
const checker = program.getTypeChecker();

function kindOf(symbol) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const f = target.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Variable) return 'const';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  return 'other';
}

const lines = [];
for (const [name, path] of Object.entries(entries)) {
  const file = program.getSourceFile(resolve(root, path));
  const moduleSymbol = file && checker.getSymbolAtLocation(file);
  if (!moduleSymbol) throw new Error(`cannot read the exports of ${path}`);
  lines.push(`# ${name}`);
  const exports = checker.getExportsOfModule(moduleSymbol).map((s) => `${kindOf(s)} ${s.getName()}`);
  lines.push(...exports.sort((a, b) => a.split(' ')[1].localeCompare(b.split(' ')[1])), '');
}
const report = lines.join('\n');

if (process.argv.includes('--check')) {
  const committed = readFileSync(reportPath, 'utf8');
  if (committed !== report) {
    const was = new Set(committed.split('\n'));
    const now = new Set(report.split('\n'));
    const gone = [...was].filter((l) => l && !now.has(l)).map((l) => `  - ${l}`);
    const added = [...now].filter((l) => l && !was.has(l)).map((l) => `  + ${l}`);
    console.error(`public API differs from test/package/api-report.txt:\n${[...gone, ...added].join('\n')}`);
    console.error('If the change is intended, run `node test/package/apiReport.mjs` and commit the report.');
    process.exit(1);
  }
  console.log(`public API matches test/package/api-report.txt (${countExports(report)} exports)`);
} else {
  writeFileSync(reportPath, report);
  console.log(`wrote test/package/api-report.txt (${countExports(report)} exports)`);
}

function countExports(text) {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).length;
}
