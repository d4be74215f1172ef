import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * V8's `gc()` without starting Node with `--expose-gc`, for tests that check what a piece of code
 * lets the collector free: the flag is set at run time and a new context picks the function up.
 */
export function forcedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
