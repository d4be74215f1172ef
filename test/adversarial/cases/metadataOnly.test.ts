/**
 * Metadata-only informers against servers that do not honour the `PartialObjectMetadata` media
 * type (an aggregated API server not built on k8s.io/apiserver, a proxy that drops the media type's
 * parameters). kube-rx asks with plain JSON as the last choice, as client-go's metadata client
 * does, so such a server answers with whole objects; the cache must still hold only
 * `PartialObjectMetadata`: no spec, no status, the whole metadata.
 */
import { expect } from 'vitest';
import type { KubeObject } from '../../../src/core/objects.js';
import type { AdversarialCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { added, modified, pod } from '../support/objects.js';
import { json, okList, watchLines } from '../support/recipes.js';
import type { InformerRun } from '../support/runInformer.js';

/** A whole pod: a spec with a credential in it, a status, annotations and finalizers. */
function wholePod(name: string, resourceVersion: string): KubeObject {
  return {
    ...pod(name, resourceVersion, { annotations: { team: 'a' }, finalizers: ['example.com/f'] }),
    spec: { containers: [{ name: 'c', image: 'x', env: [{ name: 'TOKEN', value: 'not-for-the-cache' }] }] },
    status: { phase: 'Running' },
  } as KubeObject;
}

/** The same pod as the API server encodes it for a metadata-only request (its field order). */
function partialPod(name: string, resourceVersion: string): KubeObject {
  const { metadata } = wholePod(name, resourceVersion);
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata } as KubeObject;
}

const listed = [wholePod('a', '1'), wholePod('b', '2')];
const later = [wholePod('c', '3'), wholePod('a', '4')];

/** Every cached object is a PartialObjectMetadata with the server's whole metadata, and nothing else. */
function cachesOnlyMetadata(run: InformerRun): void {
  const cached = run.snapshot.list();
  expect(cached.length).toBeGreaterThan(0);
  for (const object of cached) {
    expect(Object.keys(object).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(object).toMatchObject({ apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata' });
    expect(object.metadata).toMatchObject({ annotations: { team: 'a' }, finalizers: ['example.com/f'] });
  }
  expect(JSON.stringify(cached)).not.toContain('not-for-the-cache');
}

/** Each list and watch asked for metadata first and plain JSON last. */
function askedForMetadataFirst(run: InformerRun): void {
  const lists = run.server.requestsOf('list');
  const watches = run.server.requestsOf('watch');
  expect(lists.length).toBeGreaterThan(0);
  expect(watches.length).toBeGreaterThan(0);
  for (const r of lists)
    expect(r.accept).toMatch(/^application\/json;as=PartialObjectMetadataList;.*,application\/json$/);
  for (const r of watches)
    expect(r.accept).toMatch(/^application\/json;as=PartialObjectMetadata;.*,application\/json$/);
}

export const metadataOnlyCases: AdversarialCase[] = [
  {
    name: 'a server that answers a metadata-only list and watch with whole pods: each is cached stripped to its metadata',
    defectClass: 'metadataOnly',
    informer: { metadataOnly: true },
    server: {
      list: okList(listed, '2'),
      watch: watchLines([added(later[0]), modified(later[1])], 'hang'),
      valid: [wholePod('b', '2'), ...later],
    },
    check: (run) => {
      cachesOnlyMetadata(run);
      askedForMetadataFirst(run);
    },
  },
  {
    name: 'a server that honours the list but sends whole pods on the watch: both end up as PartialObjectMetadata',
    defectClass: 'metadataOnly',
    informer: { metadataOnly: true },
    server: {
      list: json(200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: '2' },
        items: [partialPod('a', '1'), partialPod('b', '2')],
      }),
      watch: watchLines([added(later[0]), modified(later[1])], 'hang'),
      valid: [wholePod('b', '2'), ...later],
    },
    check: cachesOnlyMetadata,
  },
];

describeCases(
  'metadataOnly: whole objects from a server that ignores the metadata media type',
  metadataOnlyCases,
);
