/**
 * Which errors end `kube-rx watch` before its first list, and the one line each one prints.
 * Transient faults (a reset connection, 5xx, 429) are left to the Reflector's retries and the
 * startup deadline; a streaming list rejected with 400 is the Reflector's cue to fall back.
 */
import { describe, expect, it } from 'vitest';
import { CliFailure, failureReason, isFatalAtStartup } from '../../src/cli/failures.js';
import { InvalidSelectorError, statusError } from '../../src/core/errors.js';
import { KubeConfigError, TransportError } from '../../src/transport/transportErrors.js';

const SERVER = 'https://10.0.0.1:6443';
const transport = (code: string) => new TransportError(`GET /api/v1/pods: ${code}`, { code });

describe('kube-rx watch failures', () => {
  it.each([
    [statusError(401, 'Unauthorized'), 'list', true],
    [statusError(403, 'forbidden'), 'list', true],
    [statusError(404, 'not found'), 'list', true],
    [statusError(400, 'bad selector'), 'list', true],
    [statusError(400, 'sendInitialEvents unsupported'), 'streamingList', false],
    [statusError(503, 'unavailable'), 'list', false],
    [statusError(429, 'too many requests'), 'list', false],
    [transport('ECONNREFUSED'), 'list', true],
    [transport('ENOTFOUND'), 'list', true],
    [transport('DEPTH_ZERO_SELF_SIGNED_CERT'), 'list', true],
    [transport('ERR_TLS_CERT_ALTNAME_INVALID'), 'list', true],
    [transport('ECONNRESET'), 'list', false],
    [transport('ETIMEDOUT'), 'watch', false],
    [new KubeConfigError('the kubeconfig has no current cluster'), 'list', true],
    [new InvalidSelectorError('a b', 2, 'expected ","'), 'list', true],
  ] as const)('%s in %s: fatal %s', (error, phase, fatal) => {
    expect(isFatalAtStartup(error, { phase })).toBe(fatal);
  });

  it('reasons name the server and say what went wrong, on one line', () => {
    expect(failureReason(transport('ECONNREFUSED'), SERVER, 'pods.v1')).toBe(
      'cannot reach https://10.0.0.1:6443: ECONNREFUSED',
    );
    expect(failureReason(statusError(401, 'Unauthorized'), SERVER, 'pods.v1')).toBe(
      "https://10.0.0.1:6443 rejected the credentials (401 Unauthorized: Unauthorized); check the kubeconfig's user",
    );
    expect(
      failureReason(statusError(404, 'the server could not find it'), SERVER, 'widgets.v1.example.com'),
    ).toBe(
      'https://10.0.0.1:6443 does not serve widgets.v1.example.com (404 NotFound: the server could not find it)',
    );
    expect(failureReason(transport('CERT_HAS_EXPIRED'), SERVER, 'pods.v1')).toBe(
      'TLS with https://10.0.0.1:6443 failed: CERT_HAS_EXPIRED (GET /api/v1/pods: CERT_HAS_EXPIRED)',
    );
    expect(failureReason(new KubeConfigError('exec plugin failed'), SERVER, 'pods.v1')).toBe(
      'exec plugin failed',
    );
    expect(new CliFailure('first\n  second\n').message).toBe('first second');
  });
});
