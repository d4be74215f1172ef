/**
 * Failures that end `kube-rx watch` with exit code 1 and a one-line reason on stderr, like
 * kubectl's `error: ...`: the kubeconfig cannot be used, the server cannot be reached, rejects the
 * credentials or the request. Usage errors (exit 2) are {@link UsageError}s instead.
 *
 * The library's Reflector retries most errors forever, which is right for a controller that must
 * outlive an API server restart. A command someone just typed should rather say at once that it
 * cannot work: before the first list completes, the errors below end the run.
 */
import { isStatusError } from '../core/errors.js';
import type { ListWatchErrorContext } from '../sources/listWatch.js';

/** Ends the run with exit code 1; the message is the one line printed after `kube-rx: `. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(message: string, options?: { cause?: unknown }) {
    // One line: a reason split over lines would interleave with the rows of a live terminal.
    super(message.replace(/\s*\n\s*/g, ' ').trim(), options);
  }
}

/** Node's codes for a connection that could not be opened at all. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/** The `code` of a transport error (`TransportError`, or Node's own), if any. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** TLS verification failures: the server is there, but not the one the kubeconfig trusts. */
function isTlsFailure(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') || code.includes('CERT') || code.startsWith('UNABLE_TO_') || code === 'EPROTO'
  );
}

/** Errors that retrying cannot fix, by name, so a copy from another build of kube-rx counts too. */
const UNRECOVERABLE = new Set(['KubeConfigError', 'InvalidSelectorError', 'ClientNodeUnavailableError']);

/**
 * True when an error the Reflector reports before the first list completes should end the run:
 * the server cannot be reached or verified, it rejects the credentials (401), the permissions
 * (403), the request (400 on a list: a selector the server cannot parse) or does not serve the
 * resource (404); the kubeconfig cannot make a request. A streaming list rejected with 400 is not
 * fatal: the Reflector falls back to paginated lists.
 */
export function isFatalAtStartup(error: unknown, context: Pick<ListWatchErrorContext, 'phase'>): boolean {
  if (isStatusError(error)) {
    if (error.code === 400) return context.phase === 'list';
    return error.code === 401 || error.code === 403 || error.code === 404;
  }
  const code = codeOf(error);
  if (code !== undefined && (UNREACHABLE.has(code) || isTlsFailure(code))) return true;
  return error instanceof Error && UNRECOVERABLE.has(error.name);
}

/**
 * The one-line reason for an error on the way to `server` while listing `what`.
 *
 * @example
 * ```ts
 * failureReason(connectionRefused, 'https://10.0.0.1:6443', 'pods.v1'); // 'cannot reach https://10.0.0.1:6443: ECONNREFUSED'
 * ```
 */
export function failureReason(error: unknown, server: string, what: string): string {
  if (isStatusError(error)) {
    switch (error.code) {
      case 401:
        return `${server} rejected the credentials (${error.message}); check the kubeconfig's user`;
      case 403:
        return `${server} forbids listing ${what} (${error.message})`;
      case 400:
        return `${server} rejected the request for ${what} (${error.message})`;
      case 404:
        return `${server} does not serve ${what} (${error.message})`;
      default:
        return `${server} answered ${error.message}`;
    }
  }
  const code = codeOf(error);
  if (code !== undefined && UNREACHABLE.has(code)) return `cannot reach ${server}: ${code}`;
  if (code !== undefined && isTlsFailure(code))
    return `TLS with ${server} failed: ${code} (${error instanceof Error ? error.message : String(error)})`;
  if (error instanceof Error)
    return UNRECOVERABLE.has(error.name) ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
