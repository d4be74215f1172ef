/**
 * Malformed objects (issue 14): one object the cache, an index or a controller cannot handle must
 * not stop anything. An object that cannot be cached (nested too deep, a namespace that is not a
 * string) is reported and skipped (not in `valid`); an object only one index cannot file stays
 * cached and is left out of that index (in `valid`); a controller's owner mapping skips what it
 * cannot read. Odd but harmless objects are cached as they are, and readers keep working.
 */
import { map, type Observable } from 'rxjs';
import { expect } from 'vitest';
import type { KubeObject } from '../../../src/core/objects.js';
import { controller } from '../../../src/runtime/controller.js';
import type { Informer } from '../../../src/runtime/informer.js';
import { byLabel, byOwner, type IndexFunc } from '../../../src/store/indexFuncs.js';
import type { AdversarialCase, InformerCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { added, pod, pods } from '../support/objects.js';
import { okList, rawBody, sequence, watchLines } from '../support/recipes.js';

const listed = pods(3);

/** Lists by label selector on every snapshot, as a reader of the cache would. */
const selectorReader = (informer: Informer<KubeObject>): Observable<unknown> =>
  informer.store$.pipe(map((snapshot) => snapshot.list('app=web')));

/** The listed pods plus `odd`, all cached. */
const cachedAlongside = (odd: KubeObject) => listedWith(odd, [...listed, odd]);

export const harmlessOddObjects: AdversarialCase[] = [
  {
    name: 'labels: null is cached as no labels, and a selector list over the cache does not throw',
    defectClass: 'malformedObject',
    server: cachedAlongside(pod('unlabelled', '4', { labels: null })),
    consumers: selectorReader,
    check: (run) => expect(run.snapshot.list('app=web')).toEqual([]),
  },
  {
    name: 'labels that are a string match no selector and do not stop a selector reader',
    defectClass: 'malformedObject',
    server: cachedAlongside(pod('stringly', '4', { labels: 'app=web' })),
    consumers: selectorReader,
  },
  {
    name: 'odd fields the cache does not read (annotations null, finalizers a string, generation a string) are cached as they are',
    defectClass: 'malformedObject',
    server: cachedAlongside(
      pod('odd', '4', { annotations: null, finalizers: 'x', generation: 'two', deletionTimestamp: 7 }),
    ),
    check: (run) => expect(run.snapshot.get('default/odd')?.metadata?.finalizers).toBe('x'),
  },
  {
    name: 'an object with a 1 MiB annotation, arriving in many socket reads, is cached whole',
    defectClass: 'malformedObject',
    server: (() => {
      const big = pod('big', '6', { annotations: { blob: 'x'.repeat(1024 * 1024) } });
      return { list: okList(listed, '5'), watch: watchLines([added(big)], 'hang'), valid: [...listed, big] };
    })(),
    check: (run) =>
      expect(run.snapshot.get('default/big')?.metadata?.annotations?.blob).toHaveLength(1024 * 1024),
  },
];

/**
 * A pod whose spec nests `{"a": ...}` 10,000 levels deep, as JSON text: building it as an object
 * and stringifying it would overflow the test's own stack.
 */
const deepJson = `{"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"default","name":"deep","resourceVersion":"4"},"spec":${'{"a":'.repeat(10_000)}{}${'}'.repeat(10_000)}}`;

/** Lists `extra` with the listed pods; the cache must end up with `valid`. */
function listedWith(extra: KubeObject, valid: readonly KubeObject[]) {
  return { list: okList([...listed, extra], '5'), watch: watchLines([], 'hang'), valid };
}

/** The listed pods, then a watch that sends `extra` and a good pod after it. */
function watchedWith(extra: KubeObject, valid: readonly KubeObject[]) {
  const after = pod('after', '7');
  return {
    list: okList(listed, '5'),
    watch: sequence(watchLines([added(extra), added(after)], 'hang'), watchLines([], 'hang')),
    valid: [...valid, after],
  };
}

/** A controller that owns its own resource: every event goes through `controllerOwnerKeys`. */
const ownerMapping = (pods: Informer<KubeObject>): Observable<unknown> =>
  controller({ for: pods, owns: [pods], reconcile: () => undefined });

export const deeplyNestedListedObject: InformerCase = {
  name: 'a listed object nested 10,000 levels deep is reported and skipped; the informer keeps running',
  defectClass: 'malformedObject',
  server: {
    list: rawBody(
      200,
      `{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[${[...listed.map((o) => JSON.stringify(o)), deepJson].join(',')}]}`,
    ),
    watch: watchLines([], 'hang'),
    valid: listed,
  },
};

export const deeplyNestedWatchedObject: InformerCase = {
  name: 'a watched object nested 10,000 levels deep is reported and skipped; later events apply',
  defectClass: 'malformedObject',
  server: (() => {
    const after = pod('after', '7');
    return {
      list: okList(listed, '5'),
      watch: sequence(
        watchLines([`{"type":"ADDED","object":${deepJson}}`, added(after)], 'hang'),
        watchLines([], 'hang'),
      ),
      valid: [...listed, after],
    };
  })(),
};

export const namespaceIsANumber: InformerCase = {
  name: 'metadata.namespace that is a number is reported and skipped',
  defectClass: 'malformedObject',
  server: listedWith(pod('numbered', '4', { namespace: 5 }), listed),
};

export const namespaceIsAnObject: InformerCase = {
  name: 'metadata.namespace that is an object is reported and skipped, not keyed "[object Object]/..."',
  defectClass: 'malformedObject',
  server: watchedWith(pod('objected', '6', { namespace: { name: 'default' } }), listed),
};

export const ownerReferencesIsAnObjectInByOwner: InformerCase = {
  name: 'ownerReferences that is {} is left out of the byOwner index; the object stays cached',
  defectClass: 'malformedObject',
  informer: { indexers: { owner: byOwner } },
  server: (() => {
    const odd = pod('odd-owners', '4', { ownerReferences: {} });
    return listedWith(odd, [...listed, odd]);
  })(),
};

export const nullOwnerReferenceInByOwner: InformerCase = {
  name: 'ownerReferences [null] is left out of the byOwner index; the object stays cached',
  defectClass: 'malformedObject',
  informer: { indexers: { owner: byOwner } },
  server: (() => {
    const odd = pod('null-owner', '6', { ownerReferences: [null] });
    return watchedWith(odd, [...listed, odd]);
  })(),
};

export const ownerReferencesIsAnObjectInController: InformerCase = {
  name: 'ownerReferences that is {} does not stop a controller that owns the resource',
  defectClass: 'malformedObject',
  server: (() => {
    const odd = pod('odd-owners', '4', { ownerReferences: {} });
    return listedWith(odd, [...listed, odd]);
  })(),
  consumers: ownerMapping,
};

export const nullOwnerReferenceInController: InformerCase = {
  name: 'ownerReferences [null] does not stop a controller that owns the resource',
  defectClass: 'malformedObject',
  server: (() => {
    const odd = pod('null-owner', '6', { ownerReferences: [null] });
    return watchedWith(odd, [...listed, odd]);
  })(),
  consumers: ownerMapping,
};

export const byLabelConstructor: InformerCase = {
  name: "byLabel('constructor') does not read Object.prototype.constructor from an object's labels",
  defectClass: 'malformedObject',
  informer: { indexers: { c: byLabel('constructor') } },
  server: (() => {
    const plain = pod('plain', '4', { labels: { app: 'web' } });
    return listedWith(plain, [...listed, plain]);
  })(),
  check: (run) => {
    const values = run.snapshot.indexValues('c');
    if (values.length !== 0) throw new Error(`index 'c' holds ${JSON.stringify(values)}`);
  },
};

export const labelValueNotAStringInByLabel: InformerCase = {
  name: 'a label value that is a number is left out of a byLabel index; the object stays cached',
  defectClass: 'malformedObject',
  informer: { indexers: { app: byLabel('app') } },
  server: (() => {
    const numeric = pod('numeric', '4', { labels: { app: 5, tier: 'web' } });
    return listedWith(numeric, [...listed, numeric]);
  })(),
};

const throwsForOne: IndexFunc<KubeObject> = (object) => {
  if (object.metadata?.name === 'pod-1') throw new Error('cannot index pod-1');
  return [object.metadata?.name ?? ''];
};

export const throwingIndexFunction: InformerCase = {
  name: 'an index function that throws for one object skips that object in that index only',
  defectClass: 'malformedObject',
  informer: { indexers: { name: throwsForOne } },
  server: {
    list: okList(listed, '5'),
    watch: watchLines([added(pod('later', '8'))], 'hang'),
    valid: [...listed, pod('later', '8')],
  },
  check: (run) => {
    if (run.snapshot.byIndex('name', 'later').length !== 1)
      throw new Error('the index stopped after the failure');
  },
};

const notAnArray = ((object: KubeObject) =>
  object.metadata?.name === 'pod-2'
    ? 'pod-2'
    : [object.metadata?.name ?? '']) as unknown as IndexFunc<KubeObject>;

export const indexFunctionReturningAString: InformerCase = {
  name: 'an index function returning a string instead of an array skips that object in that index only',
  defectClass: 'malformedObject',
  informer: { indexers: { name: notAnArray } },
  server: { list: okList(listed, '5'), watch: watchLines([], 'hang'), valid: listed },
};

describeCases('odd objects: cached as they are, readers keep working', harmlessOddObjects);
describeCases('malformed objects: reported and skipped, never fatal', [
  deeplyNestedListedObject,
  deeplyNestedWatchedObject,
  namespaceIsANumber,
  namespaceIsAnObject,
  ownerReferencesIsAnObjectInByOwner,
  nullOwnerReferenceInByOwner,
  ownerReferencesIsAnObjectInController,
  nullOwnerReferenceInController,
  byLabelConstructor,
  labelValueNotAStringInByLabel,
  throwingIndexFunction,
  indexFunctionReturningAString,
]);
