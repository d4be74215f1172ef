/**
 * Health probes answered the way Kubernetes components answer them, so a kubelet, a `curl` habit
 * or a dashboard built for kube-apiserver or a controller-runtime operator reads them unchanged:
 *
 * - `/healthz` (liveness) and `/readyz` (readiness) run their named checks and answer `200 ok`,
 *   or `500` listing every check (`[+]name ok`, `[-]name failed: reason`) and ending with
 *   `readyz check failed`; `?verbose` lists them on success too (`readyz check passed`).
 * - `?exclude=name` skips a check (`[+]name excluded: ok`), as kube-apiserver allows.
 * - `/readyz/<name>` runs one check: `200 ok` or `500 internal server error: reason`; 404 for a
 *   check that does not exist.
 *
 * A check is controller-runtime's `healthz.Checker`: a function that passes by returning and fails
 * by throwing (or rejecting); the error's message is the reason. Unlike kube-apiserver, which
 * withholds reasons on its public port, the reasons are shown: a probe port is the kubelet's, and
 * an operator's reasons (a resource name, a status code) are what its on-call needs. Everything
 * here is plain data in, plain data out, so probes are testable without HTTP.
 */
import { KubeRxError } from '../core/errors.js';

/** A named health check: returns to pass, throws (or rejects) with the reason to fail. */
export type HealthCheck = () => void | Promise<void>;

/** The two probe endpoints: liveness (`/healthz`) and readiness (`/readyz`). */
export type ProbeEndpoint = 'healthz' | 'readyz';

/** A probe's answer: the HTTP status and the plain-text body. */
export interface ProbeResponse {
  /** 200 when every check passed, 500 when one failed, 404 for an unknown check. */
  readonly status: 200 | 404 | 500;
  /** `ok`, or one line per check. */
  readonly body: string;
}

/** What a probe request asks for, parsed from its URL. */
export interface ProbeRequest {
  readonly endpoint: ProbeEndpoint;
  /** The one check of `/readyz/<name>`; absent for the whole endpoint. */
  readonly check?: string;
  /** `?verbose`: list every check even when all passed. */
  readonly verbose: boolean;
  /** `?exclude=a&exclude=b`: checks to skip. */
  readonly exclude: readonly string[];
}

/** The named checks of both endpoints, and the answer to a probe URL. */
export interface Probes {
  /** Adds a check to an endpoint; names are unique per endpoint and contain no `/`. */
  add(endpoint: ProbeEndpoint, name: string, check: HealthCheck): void;
  /** The names of an endpoint's checks, in the order they were added (and are listed). */
  names(endpoint: ProbeEndpoint): string[];
  /** Answers a request. */
  answer(request: ProbeRequest): Promise<ProbeResponse>;
  /** Answers a URL such as `/readyz?verbose`; `undefined` when the path is not a probe's. */
  answerUrl(url: string): Promise<ProbeResponse | undefined>;
}

/** The check that always passes (controller-runtime's `healthz.Ping`). */
export const ping: HealthCheck = () => undefined;

/**
 * Parses a probe URL (path and query). `undefined` when the path is neither endpoint, nor one
 * check of one.
 */
export function parseProbeUrl(url: string): ProbeRequest | undefined {
  const parsed = new URL(url, 'http://probe.invalid');
  const match = /^\/(healthz|readyz)(?:\/([^/]+))?\/?$/.exec(parsed.pathname);
  if (!match) return undefined;
  const check = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  return {
    endpoint: match[1] as ProbeEndpoint,
    ...(check === undefined ? {} : { check }),
    verbose: parsed.searchParams.has('verbose'),
    exclude: parsed.searchParams.getAll('exclude').flatMap((names) => names.split(',')),
  };
}

/** The check's failure reason on one line, or `undefined` when it passed. */
async function failureOf(check: HealthCheck): Promise<string | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return reason.replace(/\s*\n\s*/g, ' ').trim() || 'failed';
  }
}

interface Outcome {
  readonly name: string;
  readonly excluded: boolean;
  readonly reason?: string;
}

function line(outcome: Outcome): string {
  if (outcome.excluded) return `[+]${outcome.name} excluded: ok`;
  return outcome.reason === undefined
    ? `[+]${outcome.name} ok`
    : `[-]${outcome.name} failed: ${outcome.reason}`;
}

/** Creates an empty set of probes; a manager adds its own checks and yours. */
export function probes(): Probes {
  const checks: Record<ProbeEndpoint, Map<string, HealthCheck>> = { healthz: new Map(), readyz: new Map() };

  const answer = async (request: ProbeRequest): Promise<ProbeResponse> => {
    const named = checks[request.endpoint];
    if (request.check !== undefined) {
      const check = named.get(request.check);
      if (!check) return { status: 404, body: `no ${request.endpoint} check named ${request.check}\n` };
      const reason = await failureOf(check);
      return reason === undefined
        ? { status: 200, body: 'ok' }
        : { status: 500, body: `internal server error: ${reason}\n` };
    }
    const excluded = new Set(request.exclude);
    const outcomes = await Promise.all(
      [...named].map(async ([name, check]): Promise<Outcome> => {
        if (excluded.delete(name)) return { name, excluded: true };
        const reason = await failureOf(check);
        return reason === undefined ? { name, excluded: false } : { name, excluded: false, reason };
      }),
    );
    const failed = outcomes.some((o) => o.reason !== undefined);
    if (!failed && !request.verbose) return { status: 200, body: 'ok' };
    const lines = outcomes.map(line);
    if (excluded.size > 0)
      lines.push(
        `warn: some health checks cannot be excluded: no matches for ${[...excluded].map((n) => `"${n}"`).join(', ')}`,
      );
    lines.push(`${request.endpoint} check ${failed ? 'failed' : 'passed'}`);
    return { status: failed ? 500 : 200, body: `${lines.join('\n')}\n` };
  };

  return {
    add(endpoint, name, check) {
      if (name === '' || name.includes('/'))
        throw new KubeRxError(
          `probes: a check name must be non-empty and have no "/": ${JSON.stringify(name)}`,
        );
      if (checks[endpoint].has(name))
        throw new KubeRxError(`probes: /${endpoint} already has a check named ${name}`);
      checks[endpoint].set(name, check);
    },
    names: (endpoint) => [...checks[endpoint].keys()],
    answer,
    async answerUrl(url) {
      const request = parseProbeUrl(url);
      return request ? answer(request) : undefined;
    },
  };
}
