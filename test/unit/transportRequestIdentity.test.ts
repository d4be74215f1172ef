/**
 * Identity on the wire (issue 14): a resourceVersion, continue token, name or namespace that is not
 * a string is refused with an InvalidRequestError before anything is sent; it is never stringified
 * into `[object Object]`.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListOptions, WatchOptions } from '../../src/core/client.js';
import type { KubeObject } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { listQuery, queryString, resourcePath, watchQuery } from '../../src/transport/paths.js';
import { InvalidRequestError } from '../../src/transport/transportErrors.js';
import { kubeConfigFor, rejectionOf, sendJson, startServer, type TestServer } from './transportHarness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Values a malformed list or object may carry where a string belongs. */
const notStrings: [string, unknown][] = [
  ['an object', { v: 3 }],
  ['an array', ['3']],
  ['null', null],
  ['a function', () => '3'],
  ['a symbol', Symbol('rv')],
  ['a bigint', 3n],
];

describe('paths refuse values that are not of their type', () => {
  it.each(notStrings)('a resourceVersion that is %s', (_what, value) => {
    const list = { resourceVersion: value } as unknown as ListOptions;
    const watch = { resourceVersion: value } as unknown as WatchOptions;
    expect(() => listQuery(list)).toThrow(InvalidRequestError);
    expect(() => watchQuery(watch)).toThrow(InvalidRequestError);
    expect(() => listQuery(list)).toThrow(/resourceVersion must be a string/);
  });

  it.each(notStrings)('a continue token that is %s', (_what, value) => {
    expect(() => listQuery({ continue: value } as unknown as ListOptions)).toThrow(InvalidRequestError);
  });

  it('numbers that are not finite are refused; finite numbers and booleans are sent', () => {
    expect(() => queryString({ limit: Number.NaN })).toThrow(/limit .* not the number NaN/);
    expect(() => queryString({ timeoutSeconds: Number.POSITIVE_INFINITY })).toThrow(InvalidRequestError);
    expect(queryString({ limit: 500, watch: true })).toBe('?limit=500&watch=true');
  });

  it.each(notStrings.filter(([, value]) => value !== null))(
    'a name or namespace that is %s',
    (_what, value) => {
      expect(() => resourcePath(resources.pods, { namespace: 'ns', name: value as string })).toThrow(
        InvalidRequestError,
      );
      expect(() => resourcePath(resources.pods, { namespace: value as string })).toThrow(InvalidRequestError);
    },
  );

  it('a name or namespace of . or .. is refused (it would address another path)', () => {
    expect(() => resourcePath(resources.pods, { namespace: 'ns', name: '..' })).toThrow(InvalidRequestError);
    expect(() => resourcePath(resources.pods, { namespace: '.' })).toThrow(InvalidRequestError);
    expect(resourcePath(resources.pods, { namespace: 'ns', name: '...' })).toBe(
      '/api/v1/namespaces/ns/pods/...',
    );
  });

  it('a null namespace is absent (YAML namespace: ~), not "null"', () => {
    expect(resourcePath(resources.nodes, { namespace: null as unknown as string, name: 'n' })).toBe(
      '/api/v1/nodes/n',
    );
  });

  it('messages name the parameter, never the value', () => {
    const error = rejectionOfSync(() =>
      listQuery({ resourceVersion: { secret: 'x-y-z' } } as unknown as ListOptions),
    );
    expect((error as Error).message).not.toContain('x-y-z');
    expect((error as Error).message).not.toContain('[object Object]');
  });
});

function rejectionOfSync(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('kubeClient sends nothing for such a request', () => {
  async function client() {
    server = await startServer((_req, res) =>
      sendJson(res, 200, { kind: 'PodList', metadata: {}, items: [] }),
    );
    return kubeClient(kubeConfigFor(server.url));
  }

  it('list with a resourceVersion or continue token that is an object rejects', async () => {
    const c = await client();
    const rv = { resourceVersion: { v: 3 } } as unknown as ListOptions;
    const token = { continue: { next: 2 } } as unknown as ListOptions;
    expect(await rejectionOf(c.list(resources.pods, rv))).toBeInstanceOf(InvalidRequestError);
    expect(await rejectionOf(c.list(resources.pods, token))).toBeInstanceOf(InvalidRequestError);
    expect(server?.requests).toHaveLength(0);
  });

  it('watch with a resourceVersion that is an object errors the stream (it does not throw at the call)', async () => {
    const c = await client();
    const watch = c.watch(resources.pods, { resourceVersion: { v: 3 } } as unknown as WatchOptions);
    expect(await rejectionOf(firstValueFrom(watch))).toBeInstanceOf(InvalidRequestError);
    expect(server?.requests).toHaveLength(0);
  });

  it('writes addressing a name that is not a string reject', async () => {
    const c = await client();
    const odd = { metadata: { name: { n: 1 }, namespace: 'ns' } } as unknown as KubeObject;
    expect(await rejectionOf(c.replace(resources.pods, odd))).toBeInstanceOf(InvalidRequestError);
    expect(
      await rejectionOf(c.get(resources.pods, 7 as unknown as string, { namespace: 'ns' })),
    ).toBeInstanceOf(InvalidRequestError);
    expect(server?.requests).toHaveLength(0);
  });
});
