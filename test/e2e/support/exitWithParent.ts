/**
 * vitest setup file of the e2e project: a test worker whose parent (vitest's main process) died
 * exits instead of running on against a control plane that the reaper already killed. The
 * children it spawned (leader-election candidates) exit when their stdin closes.
 */
process.once('disconnect', () => process.exit(1));
