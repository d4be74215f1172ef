// Checks that node_modules holds exactly what package-lock.json says (what `npm ci` guarantees), by
// comparing npm's record of the installed tree (node_modules/.package-lock.json) with the lockfile.
// .ci/run needs it because `npm ci` can reject this lockfile (see install_from_lockfile there).
import { readFileSync } from 'node:fs';

const read = (path) => JSON.parse(readFileSync(path, 'utf8')).packages;
const locked = read('package-lock.json');
const installed = read('node_modules/.package-lock.json');

const problems = [];
for (const [path, entry] of Object.entries(installed)) {
  if (path === '') continue;
  const want = locked[path];
  if (!want) {
    problems.push(`installed but not in package-lock.json: ${path}@${entry.version}`);
  } else if (want.version !== entry.version) {
    problems.push(`${path}: lockfile ${want.version}, installed ${entry.version}`);
  } else if (want.integrity && entry.integrity && want.integrity !== entry.integrity) {
    problems.push(`${path}: integrity differs from the lockfile`);
  }
}
for (const [path, entry] of Object.entries(locked)) {
  // Optional packages (platform binaries such as @esbuild/darwin-arm64) are skipped on other platforms.
  if (path === '' || path in installed || entry.optional || entry.devOptional) continue;
  problems.push(`in package-lock.json but not installed: ${path}@${entry.version}`);
}

if (problems.length > 0) {
  console.error(`node_modules does not match package-lock.json:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const count = Object.keys(installed).filter((path) => path !== '').length;
console.log(`node_modules matches package-lock.json (${count} packages)`);
