// Kills the e2e control plane if the process that started it (vitest's main process) dies without
// tearing it down (SIGKILL, crash): every half second it checks the parent; once the parent is
// gone it SIGKILLs the PIDs listed in the pids file, deletes the work dir and exits. It exits
// quietly as soon as the pids file disappears (a normal teardown removed it).
// Usage: node reaper.mjs <parent pid> <pids file> <work dir>
import { existsSync, readFileSync, rmSync } from 'node:fs';

const [parent, pidsFile, workDir] = [Number(process.argv[2]), process.argv[3], process.argv[4]];

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const timer = setInterval(() => {
  if (!existsSync(pidsFile)) {
    clearInterval(timer);
    return;
  }
  if (alive(parent)) return;
  clearInterval(timer);
  for (const pid of readFileSync(pidsFile, 'utf8').split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  setTimeout(() => rmSync(workDir, { recursive: true, force: true }), 500);
}, 500);
