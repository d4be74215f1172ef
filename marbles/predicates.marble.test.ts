import type { V1Deployment } from '@kubernetes/client-node';
import type { MonoTypeOperatorFunction } from 'rxjs';
import { describe, it } from 'vitest';
import {
  annotationsChanged,
  generationChanged,
  type InformerEvent,
  labelsChanged,
  resourceVersionChanged,
} from '../src/index.js';
import { newScheduler } from './support.js';

type Event = InformerEvent<V1Deployment>;

interface DeploymentShape {
  rv: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  replicas?: number;
  ready?: number;
}

function deployment(s: DeploymentShape): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      resourceVersion: s.rv,
      ...(s.generation !== undefined ? { generation: s.generation } : {}),
      ...(s.labels ? { labels: s.labels } : {}),
      ...(s.annotations ? { annotations: s.annotations } : {}),
    },
    spec: { replicas: s.replicas ?? 1, selector: {}, template: {} },
    ...(s.ready !== undefined ? { status: { readyReplicas: s.ready } } : {}),
  };
}

const add = (object: V1Deployment): Event => ({ type: 'add', object, isInInitialList: false });
const del = (object: V1Deployment): Event => ({ type: 'delete', object, finalStateUnknown: false });
const update = (oldObject: V1Deployment, object: V1Deployment, resync = false): Event => ({
  type: 'update',
  oldObject,
  object,
  resync,
});

const base = deployment({ rv: '1', generation: 1, labels: { app: 'web' }, annotations: { note: 'a' } });
const statusOnly = deployment({
  rv: '2',
  generation: 1,
  labels: { app: 'web' },
  annotations: { note: 'a' },
  ready: 1,
});
const specChange = deployment({
  rv: '3',
  generation: 2,
  labels: { app: 'web' },
  annotations: { note: 'a' },
  replicas: 3,
});
const labelAdded = deployment({
  rv: '4',
  generation: 1,
  labels: { app: 'web', tier: 'front' },
  annotations: { note: 'a' },
});
const labelValue = deployment({ rv: '5', generation: 1, labels: { app: 'api' }, annotations: { note: 'a' } });
const labelsGone = deployment({ rv: '6', generation: 1, annotations: { note: 'a' } });
const annotationValue = deployment({
  rv: '7',
  generation: 1,
  labels: { app: 'web' },
  annotations: { note: 'b' },
});
const annotationsGone = deployment({ rv: '8', generation: 1, labels: { app: 'web' } });
/** A new resourceVersion with equal labels and annotations in fresh maps: no label/annotation change. */
const equalMaps: V1Deployment = {
  ...base,
  metadata: { ...base.metadata, resourceVersion: '9', labels: { app: 'web' }, annotations: { note: 'a' } },
};

/** Every kind of event, in one stream; each predicate must say which updates it keeps. */
const values = {
  a: add(base),
  s: update(base, statusOnly),
  g: update(statusOnly, specChange),
  l: update(base, labelAdded),
  v: update(base, labelValue),
  x: update(base, labelsGone),
  n: update(base, annotationValue),
  m: update(base, annotationsGone),
  o: update(base, equalMaps),
  r: update(base, base, true),
  d: del(specChange),
};
const source = 'a-s-g-l-v-x-n-m-o-r-d|';

function expectKept(operator: MonoTypeOperatorFunction<Event>, expected: string): void {
  newScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold<Event>(source, values).pipe(operator)).toBe(expected, values);
  });
}

describe('predicates marbles: add and delete always pass, updates are filtered', () => {
  it('generationChanged keeps spec changes only (generation bump)', () => {
    expectKept(generationChanged(), 'a---g---------------d|');
  });

  it('labelsChanged keeps added, changed and removed labels; not equal copies or resyncs', () => {
    expectKept(labelsChanged(), 'a-----l-v-x---------d|');
  });

  it('annotationsChanged keeps changed and removed annotations', () => {
    expectKept(annotationsChanged(), 'a-----------n-m-----d|');
  });

  it('resourceVersionChanged drops only resyncs (same resourceVersion)', () => {
    expectKept(resourceVersionChanged(), 'a-s-g-l-v-x-n-m-o---d|');
  });

  it('resync updates (a fresh copy of the same object) are dropped by every predicate', () => {
    const copy = deployment({ rv: '1', generation: 1, labels: { app: 'web' }, annotations: { note: 'a' } });
    const resync = update(base, copy, true);
    for (const operator of [
      generationChanged(),
      labelsChanged(),
      annotationsChanged(),
      resourceVersionChanged(),
    ]) {
      newScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold<Event>('r-a|', { r: resync, a: add(base) }).pipe(operator)).toBe('--a|', {
          a: add(base),
        });
      });
    }
  });

  it('labels compared as maps: an empty map equals no map; errors and completion pass through', () => {
    const none = deployment({ rv: '1', generation: 1 });
    const empty = deployment({ rv: '2', generation: 1, labels: {}, annotations: {} });
    newScheduler().run(({ cold, expectObservable }) => {
      const events = cold<Event>('u-#', { u: update(none, empty) });
      expectObservable(events.pipe(labelsChanged())).toBe('--#');
      expectObservable(events.pipe(annotationsChanged())).toBe('--#');
      expectObservable(events.pipe(resourceVersionChanged())).toBe('u-#', { u: update(none, empty) });
    });
  });
});
