import { describe, expect, it } from 'vitest';
import { StatusError } from '../../src/core/errors.js';
import { redactor, secretsOf } from '../../src/transport/redact.js';
import { bodySnippet, statusErrorFromBody } from '../../src/transport/statusErrors.js';

const none = redactor();

describe('statusErrorFromBody', () => {
  it('keeps a Status as is, filling a missing code from HTTP', () => {
    const body = JSON.stringify({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: 'pods "x" not found',
      code: 404,
    });
    const error = statusErrorFromBody(404, body, none);
    expect(error).toBeInstanceOf(StatusError);
    expect(error).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: '404 NotFound: pods "x" not found',
    });
    expect(statusErrorFromBody(500, JSON.stringify({ kind: 'Status', message: 'm' }), none)).toMatchObject({
      code: 500,
      reason: 'InternalError',
    });
  });

  it('turns JSON that is not a Status, text and empty bodies into a Status with the HTTP code', () => {
    expect(statusErrorFromBody(400, '{"error":"bad"}', none).status).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'HTTP 400: {"error":"bad"}',
    });
    expect(statusErrorFromBody(504, 'upstream timed out\n', none).message).toBe(
      '504 Timeout: HTTP 504: upstream timed out',
    );
    expect(statusErrorFromBody(503, '', none).message).toBe(
      '503 ServiceUnavailable: HTTP 503 with an empty body',
    );
  });

  it('snippets strip tags, scripts and styles, collapse whitespace and truncate', () => {
    expect(
      bodySnippet('<html><script>var x=1</script><style>a{}</style><p>Hello\n\n  <b>world</b></p></html>'),
    ).toBe('Hello world');
    expect(bodySnippet('y'.repeat(500))).toBe(`${'y'.repeat(200)}...`);
  });

  it('redacts before parsing, so neither message nor status shows a secret', () => {
    const redact = redactor(['tok-abcdef']);
    const error = statusErrorFromBody(
      401,
      JSON.stringify({ kind: 'Status', message: 'bad tok-abcdef' }),
      redact,
    );
    expect(JSON.stringify(error)).not.toContain('tok-abcdef');
    expect(error.message).toBe('401 Unauthorized: bad [redacted]');
  });
});

describe('redactor', () => {
  it('replaces known secrets, longest first, and any Bearer/Basic value', () => {
    const redact = redactor(['abcd', 'abcdefgh']);
    expect(redact('x abcdefgh y abcd')).toBe('x [redacted] y [redacted]');
    expect(redactor()('Authorization: Bearer eyJhbGciOi.x-y_z and basic QWxhZGRpbjpvcGVu')).toBe(
      'Authorization: Bearer [redacted] and basic [redacted]',
    );
  });

  it('collects the Authorization value, its credential and basic-auth user:password', () => {
    expect(secretsOf({ headers: { Authorization: 'Bearer t0ken' }, auth: 'me:pw' })).toEqual([
      'Bearer t0ken',
      't0ken',
      'me:pw',
      Buffer.from('me:pw').toString('base64'),
      'pw',
    ]);
    expect(secretsOf({ headers: { accept: 'x' } })).toEqual([]);
  });
});
