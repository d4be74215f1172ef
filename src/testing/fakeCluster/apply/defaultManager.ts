/**
 * The manager of a write that names none: the API server uses the client's user agent up to the
 * first `/` (`kubectl/v1.34.0 (linux/amd64)` -> `kubectl`); in-process writes carry no user agent
 * and are recorded as kube-rx's default one, `kube-rx`. An apply never gets a default: it must
 * name its manager.
 */
export const IN_PROCESS_MANAGER = 'kube-rx';

/** The default manager for a request with this `user-agent` header. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return prefix === '' ? 'unknown' : prefix;
}
