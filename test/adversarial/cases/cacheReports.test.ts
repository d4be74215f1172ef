/**
 * What the cache reports about the one object it cannot hold or index (issue 14), over HTTP: the
 * error is typed and names the resource and the object's key, and nothing else is lost. The
 * shapes themselves (deep nesting, odd namespaces, owner references, index failures) are the
 * cases of `malformedObjects.test.ts` and `identity.test.ts`; these check the reports.
 */
import { expect } from 'vitest';
import { InvalidObjectError } from '../../../src/core/errors.js';
import type { KubeObject } from '../../../src/core/objects.js';
import { UncacheableObjectError } from '../../../src/store/cacheAdmission.js';
import { byLabel, type IndexFunc } from '../../../src/store/indexFuncs.js';
import { IndexFunctionError } from '../../../src/store/snapshot.js';
import type { InformerCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { added, pod, pods } from '../support/objects.js';
import { okList, rawBody, sequence, watchLines } from '../support/recipes.js';
import type { InformerRun } from '../support/runInformer.js';

const listed = pods(3);

/** The only report of the run, which must be of `type`. */
function onlyReport<E>(run: InformerRun, type: new (...args: never[]) => E): E {
  expect(run.reported.map((r) => r.error.name)).toHaveLength(1);
  const error = run.reported[0]?.error;
  expect(error).toBeInstanceOf(type);
  return error as E;
}

const deepPod = (name: string, resourceVersion: string, depth: number) =>
  `{"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"default","name":"${name}","resourceVersion":"${resourceVersion}"},"spec":${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}}`;

const throwsForPod1: IndexFunc<KubeObject> = (object) => {
  if (object.metadata?.name === 'pod-1') throw new Error('cannot index pod-1');
  return [String(object.metadata?.name)];
};

export const cacheReportCases: InformerCase[] = [
  {
    name: 'a watched object nested 2,000 levels deep is reported as UncacheableObjectError naming pods.v1 and default/deep',
    defectClass: 'malformedObject',
    server: (() => {
      const after = pod('after', '7');
      return {
        list: okList(listed, '5'),
        watch: sequence(
          watchLines([`{"type":"ADDED","object":${deepPod('deep', '6', 2000)}}`, added(after)], 'hang'),
          watchLines([], 'hang'),
        ),
        valid: [...listed, after],
      };
    })(),
    check: (run) => {
      const error = onlyReport(run, UncacheableObjectError);
      expect([error.resource, error.key]).toEqual(['pods.v1', 'default/deep']);
      expect(error.message).toContain('pods.v1 default/deep');
      expect(error).toBeInstanceOf(InvalidObjectError);
    },
  },
  {
    name: 'an object nested exactly 1,000 levels below the object is cached (the limit is not off by one)',
    defectClass: 'malformedObject',
    server: (() => {
      // spec is one level below the object, its chain of 999 {"a": ...} ends in {} at level 1,000
      const edge = JSON.parse(deepPod('edge', '4', 999)) as KubeObject;
      return {
        list: rawBody(
          200,
          `{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[${[...listed, edge].map((o) => JSON.stringify(o)).join(',')}]}`,
        ),
        watch: watchLines([], 'hang'),
        valid: [...listed, edge],
      };
    })(),
    check: (run) => expect(run.reported).toEqual([]),
  },
  {
    name: 'an index function that throws for one object is reported as IndexFunctionError naming the index, pods.v1 and default/pod-1',
    defectClass: 'malformedObject',
    informer: { indexers: { name: throwsForPod1, app: byLabel('app') } },
    server: { list: okList(listed, '5'), watch: watchLines([], 'hang'), valid: listed },
    check: (run) => {
      const error = onlyReport(run, IndexFunctionError);
      expect([error.index, error.key, error.resource]).toEqual(['name', 'default/pod-1', 'pods.v1']);
      expect(run.snapshot.indexValues('name').sort()).toEqual(['pod-0', 'pod-2']);
      expect(run.snapshot.indexKeys('namespace', 'default')).toContain('default/pod-1');
    },
  },
  {
    name: 'a watched name that is a number or empty is reported as InvalidObjectError and nothing is cached under it',
    defectClass: 'identity',
    server: (() => {
      const after = pod('after', '9');
      return {
        list: okList(listed, '5'),
        watch: sequence(
          watchLines([added(pod(5 as unknown as string, '6')), added(pod('', '7')), added(after)], 'hang'),
          watchLines([], 'hang'),
        ),
        valid: [...listed, after],
      };
    })(),
    check: (run) => {
      expect(run.reported.map((r) => r.error)).toHaveLength(2);
      for (const r of run.reported) expect(r.error).toBeInstanceOf(InvalidObjectError);
      expect(run.snapshot.get('default/5')).toBeUndefined();
    },
  },
];

describeCases('cache reports: typed, naming the resource and the key', cacheReportCases);
