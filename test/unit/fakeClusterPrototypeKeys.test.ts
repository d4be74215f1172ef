/**
 * Issue 14, fake cluster: a body or patch naming `__proto__`, `constructor` or `prototype` is
 * answered with the API server's 422 Invalid (naming the field), the stored object is unchanged,
 * and nothing in the test process gains a property: `add /__proto__/x` used to write into
 * `Object.prototype`. Every attack runs twice, in-process (`cluster.client`, bodies parsed from
 * JSON so `"__proto__"` is an own key) and over HTTP (`cluster.listen()`, raw `fetch` with the
 * patch content types), each a named test.
 */
import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { PatchType } from '../../src/core/client.js';
import { type KubeStatus, StatusError } from '../../src/core/errors.js';
import type { KubeObject } from '../../src/core/objects.js';
import { PATCH_CONTENT_TYPES } from '../../src/core/protocol.js';
import { resources } from '../../src/core/resources.js';
import { createFakeCluster, type FakeCluster, type FakeServer } from '../../src/testing/index.js';
import { guardPrototypes } from './prototypePollution.js';

/** One hostile request against the ConfigMap `default/cfg`, with the field the 422 must name. */
interface Attack {
  readonly name: string;
  readonly request: 'patch' | 'create' | 'replace';
  readonly patchType?: PatchType;
  /** The body as JSON text, as it crosses the wire. */
  readonly body: string;
  readonly field: string;
}

const CFG = { metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } };

const MERGE_TYPES: PatchType[] = ['merge', 'strategic', 'apply'];

const ATTACKS: Attack[] = [
  {
    name: 'JSON patch add /__proto__/x',
    request: 'patch',
    patchType: 'json',
    body: '[{"op":"add","path":"/__proto__/x","value":"polluted"}]',
    field: '__proto__',
  },
  {
    name: 'JSON patch add /metadata/__proto__/x',
    request: 'patch',
    patchType: 'json',
    body: '[{"op":"add","path":"/metadata/__proto__/x","value":"polluted"}]',
    field: 'metadata.__proto__',
  },
  {
    name: 'JSON patch replace /data/__proto__',
    request: 'patch',
    patchType: 'json',
    body: '[{"op":"replace","path":"/data/__proto__","value":{"x":"polluted"}}]',
    field: 'data.__proto__',
  },
  {
    name: 'JSON patch add /constructor/prototype/x',
    request: 'patch',
    patchType: 'json',
    body: '[{"op":"add","path":"/constructor/prototype/x","value":"polluted"}]',
    field: 'constructor',
  },
  {
    name: 'JSON patch add /metadata/labels/prototype',
    request: 'patch',
    patchType: 'json',
    body: '[{"op":"add","path":"/metadata/labels","value":{}},{"op":"add","path":"/metadata/labels/prototype","value":"x"}]',
    field: 'metadata.labels.prototype',
  },
  {
    name: 'JSON patch copy from /__proto__',
    request: 'patch',
    patchType: 'json',
    body: '[{"op":"copy","from":"/__proto__","path":"/data/copied"}]',
    field: '__proto__',
  },
  {
    name: 'JSON patch move from /metadata/constructor',
    request: 'patch',
    patchType: 'json',
    body: '[{"op":"move","from":"/metadata/constructor","path":"/data/moved"}]',
    field: 'metadata.constructor',
  },
  {
    name: 'JSON patch add of a value holding __proto__',
    request: 'patch',
    patchType: 'json',
    body: '[{"op":"add","path":"/data/v","value":{"__proto__":{"x":"polluted"}}}]',
    field: 'data.v.__proto__',
  },
  ...MERGE_TYPES.flatMap((patchType): Attack[] => [
    {
      name: `${patchType} patch with a top-level __proto__ key`,
      request: 'patch',
      patchType,
      body: '{"__proto__":{"x":"polluted"}}',
      field: '__proto__',
    },
    {
      name: `${patchType} patch with metadata.labels.__proto__`,
      request: 'patch',
      patchType,
      body: '{"metadata":{"labels":{"__proto__":{"x":"polluted"}}}}',
      field: 'metadata.labels.__proto__',
    },
    {
      name: `${patchType} patch with constructor.prototype`,
      request: 'patch',
      patchType,
      body: '{"constructor":{"prototype":{"x":"polluted"}}}',
      field: 'constructor',
    },
  ]),
  {
    name: 'create with data.__proto__',
    request: 'create',
    body: `{"metadata":{"name":"evil","namespace":"default"},"data":{"__proto__":{"x":"polluted"}}}`,
    field: 'data.__proto__',
  },
  {
    name: 'create with metadata.annotations.constructor',
    request: 'create',
    body: `{"metadata":{"name":"evil","namespace":"default","annotations":{"constructor":"x"}}}`,
    field: 'metadata.annotations.constructor',
  },
  {
    name: 'create with a __proto__ key deep in an array',
    request: 'create',
    body: `{"metadata":{"name":"evil","namespace":"default"},"items":[[{"a":{"__proto__":{"x":"polluted"}}}]]}`,
    field: 'items[0][0].a.__proto__',
  },
  {
    name: 'replace with metadata.__proto__',
    request: 'replace',
    body: '{"metadata":{"name":"cfg","namespace":"default","__proto__":{"x":"polluted"}},"data":{"a":"2"}}',
    field: 'metadata.__proto__',
  },
  {
    name: 'replace with data.prototype',
    request: 'replace',
    body: '{"metadata":{"name":"cfg","namespace":"default"},"data":{"prototype":"x"}}',
    field: 'data.prototype',
  },
];

/** What a test checks after an attack: the Status and the cluster's state. */
async function expectRejected(
  cluster: FakeCluster,
  attack: Attack,
  status: KubeStatus,
  expectNoPollution: () => void,
): Promise<void> {
  expectNoPollution();
  expect(status).toMatchObject({ kind: 'Status', status: 'Failure', code: 422, reason: 'Invalid' });
  expect(status.message).toContain(`${attack.field}: Forbidden`);
  expect(status.details?.causes).toEqual([expect.objectContaining({ field: attack.field })]);
  // A body names its object as the API server does; a patch names the field in the patch.
  if (attack.request === 'create') expect(status.message).toMatch(/^ConfigMap "evil" is invalid: /);
  if (attack.request === 'replace') expect(status.message).toMatch(/^ConfigMap "cfg" is invalid: /);
  const stored = (await cluster.admin.get(resources.configMaps, 'cfg', {
    namespace: 'default',
  })) as KubeObject;
  expect(stored).toMatchObject({ data: { a: '1' }, metadata: { resourceVersion: '1' } });
  expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
  await expect(
    cluster.admin.get(resources.configMaps, 'evil', { namespace: 'default' }),
  ).rejects.toMatchObject({
    code: 404,
  });
  expect(cluster.resourceVersion).toBe('1');
}

describe('prototype keys through cluster.client', () => {
  const expectNoPollution = guardPrototypes();

  async function attempt(cluster: FakeCluster, attack: Attack): Promise<KubeStatus> {
    const body: unknown = JSON.parse(attack.body);
    const namespace = { namespace: 'default' };
    try {
      if (attack.request === 'create') await cluster.client.create(resources.configMaps, body as KubeObject);
      else if (attack.request === 'replace')
        await cluster.client.replace(resources.configMaps, body as KubeObject);
      else
        await cluster.client.patch(resources.configMaps, 'cfg', body, attack.patchType as PatchType, {
          ...namespace,
          fieldManager: 'test',
        });
    } catch (error) {
      expect(error).toBeInstanceOf(StatusError);
      return (error as StatusError).status;
    }
    throw new Error(`${attack.name} was accepted`);
  }

  for (const attack of ATTACKS) {
    it(`${attack.name}: 422 Invalid naming ${attack.field}, nothing stored, no prototype touched`, async () => {
      const cluster = createFakeCluster();
      await cluster.admin.create(resources.configMaps, CFG);
      await expectRejected(cluster, attack, await attempt(cluster, attack), expectNoPollution);
    });
  }

  it('a merge patch with ordinary keys still applies', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.configMaps, CFG);
    const patched = await cluster.client.patch(
      resources.configMaps,
      'cfg',
      JSON.parse('{"data":{"proto":"p","constructors":"c"}}'),
      'merge',
      { namespace: 'default' },
    );
    expect((patched as KubeObject & { data: unknown }).data).toEqual({
      a: '1',
      proto: 'p',
      constructors: 'c',
    });
    expectNoPollution();
  });

  it('a field selector does not read inherited members such as metadata.constructor', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.configMaps, CFG);
    // An absent field reads as '', so the object matches; an inherited Object would not.
    const list = await firstValueFrom(
      from(cluster.client.list(resources.configMaps, { fieldSelector: 'metadata.constructor=' })),
    );
    expect(list.items).toHaveLength(1);
  });
});

describe('prototype keys over HTTP', () => {
  const expectNoPollution = guardPrototypes();
  const TOKEN = 'fake-cluster-token';

  async function attempt(server: FakeServer, attack: Attack): Promise<KubeStatus> {
    const collection = `${server.url}/api/v1/namespaces/default/configmaps`;
    const [method, url, contentType] =
      attack.request === 'create'
        ? ['POST', collection, 'application/json']
        : attack.request === 'replace'
          ? ['PUT', `${collection}/cfg`, 'application/json']
          : [
              'PATCH',
              `${collection}/cfg?fieldManager=test`,
              PATCH_CONTENT_TYPES[attack.patchType as PatchType],
            ];
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType },
      body: attack.body,
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/json');
    return (await response.json()) as KubeStatus;
  }

  for (const attack of ATTACKS) {
    it(`${attack.name}: HTTP 422 Invalid naming ${attack.field}, no prototype touched`, async () => {
      const cluster = createFakeCluster();
      await cluster.admin.create(resources.configMaps, CFG);
      const server = await cluster.listen({ token: TOKEN });
      try {
        await expectRejected(cluster, attack, await attempt(server, attack), expectNoPollution);
      } finally {
        await server.close();
      }
    });
  }
});
