/**
 * Reads of labels, annotations and owner references tolerate what a hostile or buggy server sends
 * (issue 14): own properties only, `null` and non-maps as empty, malformed owner entries left out.
 * The predicates that compare labels and annotations read them the same way.
 */
import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { annotationsChanged, type InformerEvent, type KubeObject, labelsChanged } from '../../src/index.js';
import { annotationsOf, labelsOf, labelValue, ownerReferencesOf } from '../../src/store/metadataFields.js';

const withMetadata = (metadata: Record<string, unknown>) => ({ metadata }) as unknown as KubeObject;
const update = (oldObject: KubeObject, object: KubeObject): InformerEvent<KubeObject> => ({
  type: 'update',
  oldObject,
  object,
  resync: false,
});

describe('metadata field reads', () => {
  it('labels and annotations that are null, a string, an array or a number read as empty maps', () => {
    for (const value of [null, undefined, 'app=web', ['web'], 5]) {
      expect(labelsOf(withMetadata({ labels: value }))).toEqual({});
      expect(annotationsOf(withMetadata({ annotations: value }))).toEqual({});
    }
    expect(labelsOf({})).toEqual({});
  });

  it('labelValue reads own string values only', () => {
    const object = withMetadata({ labels: { app: 'web', n: 5 } });
    expect(labelValue(object, 'app')).toBe('web');
    expect(labelValue(object, 'n')).toBeUndefined();
    expect(labelValue(object, 'constructor')).toBeUndefined();
    expect(labelValue(object, 'hasOwnProperty')).toBeUndefined();
    expect(labelValue(withMetadata({ labels: JSON.parse('{"__proto__":"own"}') }), '__proto__')).toBe('own');
  });

  it('ownerReferencesOf keeps entries with string apiVersion, kind, name and uid, and returns the entries themselves', () => {
    const good = { apiVersion: 'v1', kind: 'K', name: 'n', uid: 'u' };
    const all = [good, { ...good }];
    const object = withMetadata({ ownerReferences: all });
    expect(ownerReferencesOf(object)).toBe(all);
    expect(ownerReferencesOf(withMetadata({ ownerReferences: [null, good, { ...good, uid: 1 }] }))).toEqual([
      good,
    ]);
    expect(ownerReferencesOf(withMetadata({ ownerReferences: {} }))).toEqual([]);
  });
});

describe('labelsChanged / annotationsChanged on malformed maps', () => {
  const run = async (operator: typeof labelsChanged, events: InformerEvent<KubeObject>[]) =>
    (await firstValueFrom(from(events).pipe(operator(), toArray()))).length;

  it('null and absent labels are the same (no change); null to a label is a change', async () => {
    const none = withMetadata({ name: 'a' });
    const nullLabels = withMetadata({ name: 'a', labels: null });
    const labelled = withMetadata({ name: 'a', labels: { app: 'web' } });
    expect(await run(labelsChanged, [update(none, nullLabels), update(nullLabels, none)])).toBe(0);
    expect(await run(labelsChanged, [update(nullLabels, labelled)])).toBe(1);
  });

  it('an own label named constructor is compared as a label, not against Object.prototype', async () => {
    const a = withMetadata({ labels: { constructor: 'x' } });
    const b = withMetadata({ labels: { other: 'x' } });
    expect(await run(labelsChanged, [update(a, b)])).toBe(1);
    expect(
      await run(annotationsChanged, [update(withMetadata({ annotations: 'a' }), withMetadata({}))]),
    ).toBe(0);
  });
});
