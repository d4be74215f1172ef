/**
 * The table columns of `kube-rx watch` against what `kubectl get` prints: AGE's rounding, a pod's
 * READY / STATUS / RESTARTS in the states people meet (pending, crash-looping, init containers,
 * sidecars, completed, terminating), deployment and config map columns, label columns, and the
 * `-o name` form.
 */
import { describe, expect, it } from 'vitest';
import { age, humanDuration } from '../../src/cli/age.js';
import { kindColumns, LABELS, labelColumn } from '../../src/cli/columns.js';
import { documentPrinter, objectName } from '../../src/cli/documents.js';
import { type PodShape, podReady, podRestarts, podStatus } from '../../src/cli/podColumns.js';
import { resources } from '../../src/index.js';
import { addEvent, deleteEvent } from '../../src/testing/index.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('AGE', () => {
  it.each([
    [-5 * S, '<invalid>'],
    [-1 * S, '0s'],
    [0, '0s'],
    [59 * S, '59s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 12 * S, '3m12s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [5 * H + 10 * M, '5h10m'],
    [8 * H + 10 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [3 * D + 4 * H, '3d4h'],
    [8 * D + 4 * H, '8d'],
    [729 * D, '729d'],
    [2 * 365 * D + 30 * D, '2y30d'],
    [9 * 365 * D, '9y'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('from a creationTimestamp; <unknown> without one', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    expect(age('2025-03-01T11:55:30Z', now)).toBe('4m30s');
    expect(age(undefined, now)).toBe('<unknown>');
    expect(age('not a time', now)).toBe('<unknown>');
  });
});

const NOW = Date.parse('2025-03-01T12:00:00Z');

function podWith(status: PodShape['status'], spec: PodShape['spec'] = {}, deleted = false): PodShape {
  return {
    metadata: {
      name: 'web-1',
      namespace: 'default',
      ...(deleted ? { deletionTimestamp: '2025-03-01T11:59:00Z' } : {}),
    },
    spec: { containers: [{ name: 'app' }, { name: 'proxy' }], ...spec },
    status,
  };
}

const running = { running: { startedAt: '2025-03-01T10:00:00Z' } };
const columns = (pod: PodShape) => [podReady(pod), podStatus(pod), podRestarts(pod, NOW)];

describe('pod READY, STATUS, RESTARTS', () => {
  it('running and ready', () => {
    const pod = podWith({
      phase: 'Running',
      containerStatuses: [
        { name: 'app', ready: true, restartCount: 0, state: running },
        { name: 'proxy', ready: true, restartCount: 0, state: running },
      ],
    });
    expect(columns(pod)).toEqual(['2/2', 'Running', '0']);
  });

  it('pending while images are pulled: the waiting reason', () => {
    const pod = podWith({
      phase: 'Pending',
      containerStatuses: [
        { name: 'app', ready: false, state: { waiting: { reason: 'ContainerCreating' } } },
        { name: 'proxy', ready: false, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    });
    expect(columns(pod)).toEqual(['0/2', 'ContainerCreating', '0']);
  });

  it('crash-looping: the first container with a reason wins; restarts with the age of the last one', () => {
    const pod = podWith({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2025-03-01T11:55:00Z' } },
        },
        {
          name: 'proxy',
          ready: true,
          restartCount: 1,
          state: running,
          lastState: { terminated: { exitCode: 137, finishedAt: '2025-03-01T10:00:00Z' } },
        },
      ],
    });
    expect(columns(pod)).toEqual(['1/2', 'CrashLoopBackOff', '5 (5m ago)']);
  });

  it('terminated without a reason: the signal or the exit code', () => {
    const signal = podWith({
      phase: 'Running',
      containerStatuses: [{ name: 'app', state: { terminated: { signal: 9, exitCode: 137 } } }],
    });
    expect(podStatus(signal)).toBe('Signal:9');
    const exit = podWith({
      phase: 'Failed',
      containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 3 } } }],
    });
    expect(podStatus(exit)).toBe('ExitCode:3');
  });

  it('a completed container beside a running one: Running when the pod is Ready, else NotReady', () => {
    const status = (ready: boolean) => ({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        { name: 'app', ready: true, state: running },
        { name: 'proxy', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    });
    expect(columns(podWith(status(true)))).toEqual(['1/2', 'Running', '0']);
    expect(podStatus(podWith(status(false)))).toBe('NotReady');
  });

  it('init containers: Init:i/n, Init:<waiting reason>, Init:<terminated reason>', () => {
    const spec = { initContainers: [{ name: 'migrate' }, { name: 'seed' }] };
    const progress = podWith(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'migrate', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'seed', state: { running: {} } },
        ],
        containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
      },
      spec,
    );
    expect(columns(progress)).toEqual(['0/2', 'Init:1/2', '0']);
    const backoff = podWith(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'migrate', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
      spec,
    );
    expect(columns(backoff)).toEqual(['0/2', 'Init:CrashLoopBackOff', '3']);
    const failed = podWith(
      {
        phase: 'Failed',
        initContainerStatuses: [{ name: 'migrate', state: { terminated: { exitCode: 2, reason: 'Error' } } }],
      },
      spec,
    );
    expect(podStatus(failed)).toBe('Init:Error');
  });

  it('a started sidecar counts as a container and does not hold the pod in Init', () => {
    const pod = podWith(
      {
        phase: 'Running',
        initContainerStatuses: [
          { name: 'mesh', started: true, ready: true, restartCount: 2, state: running },
        ],
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 1, state: running },
          { name: 'proxy', ready: true, state: running },
        ],
      },
      { initContainers: [{ name: 'mesh', restartPolicy: 'Always' }] },
    );
    expect(columns(pod)).toEqual(['3/3', 'Running', '3']);
  });

  it('scheduling gates, terminating, and an unreachable node', () => {
    expect(
      podStatus(
        podWith({ phase: 'Pending', conditions: [{ type: 'PodScheduled', reason: 'SchedulingGated' }] }),
      ),
    ).toBe('SchedulingGated');
    expect(podStatus(podWith({ phase: 'Running' }, {}, true))).toBe('Terminating');
    expect(podStatus(podWith({ phase: 'Succeeded' }, {}, true))).toBe('Succeeded');
    expect(podStatus(podWith({ phase: 'Running', reason: 'NodeLost' }, {}, true))).toBe('Unknown');
    expect(podStatus(podWith({ phase: 'Failed', reason: 'Evicted' }))).toBe('Evicted');
  });
});

describe('kind columns', () => {
  const cells = (resource: Parameters<typeof kindColumns>[0], wide: boolean, object: object) =>
    Object.fromEntries(kindColumns(resource, wide).map((c) => [c.header, c.cell(object, NOW)]));

  it('pods: NAME READY STATUS RESTARTS AGE, wide adds IP NODE', () => {
    const pod = {
      metadata: { name: 'web-1', creationTimestamp: '2025-03-01T11:00:00Z' },
      spec: { nodeName: 'node-a', containers: [{ name: 'app' }] },
      status: { phase: 'Running', podIP: '10.0.0.7' },
    };
    expect(cells(resources.pods, false, pod)).toEqual({
      NAME: 'web-1',
      READY: '0/1',
      STATUS: 'Running',
      RESTARTS: '0',
      AGE: '60m',
    });
    expect(Object.keys(cells(resources.pods, true, pod))).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
    ]);
    expect(cells(resources.pods, true, pod)).toMatchObject({ IP: '10.0.0.7', NODE: 'node-a' });
    expect(cells(resources.pods, true, { metadata: { name: 'new' } })).toMatchObject({
      IP: '<none>',
      NODE: '<none>',
    });
  });

  it('deployments: NAME READY UP-TO-DATE AVAILABLE AGE, wide adds CONTAINERS IMAGES SELECTOR', () => {
    const deployment = {
      metadata: { name: 'web', creationTimestamp: '2025-02-27T12:00:00Z' },
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }],
        },
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:2' },
              { name: 'log', image: 'fluent:1' },
            ],
          },
        },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(cells(resources.deployments, true, deployment)).toEqual({
      NAME: 'web',
      READY: '2/3',
      'UP-TO-DATE': '3',
      AVAILABLE: '2',
      AGE: '2d',
      CONTAINERS: 'web,log',
      IMAGES: 'web:2,fluent:1',
      SELECTOR: 'app=web,tier in (a,b)',
    });
    // Freshly created: no status yet, and replicas defaulted by the server to 1.
    expect(cells(resources.deployments, false, { metadata: { name: 'new' }, spec: {} })).toMatchObject({
      READY: '0/1',
      'UP-TO-DATE': '0',
      AVAILABLE: '0',
    });
  });

  it('config maps count data and binaryData keys; namespaces show their phase; others NAME AGE', () => {
    expect(
      cells(resources.configMaps, false, {
        metadata: { name: 'c' },
        data: { a: '1', b: '2' },
        binaryData: { c: '' },
      }),
    ).toEqual({ NAME: 'c', DATA: '3', AGE: '<unknown>' });
    expect(
      cells(resources.namespaces, false, { metadata: { name: 'shop' }, status: { phase: 'Active' } }),
    ).toEqual({
      NAME: 'shop',
      STATUS: 'Active',
      AGE: '<unknown>',
    });
    expect(kindColumns(resources.services, true).map((c) => c.header)).toEqual(['NAME', 'AGE']);
  });

  it('-L columns are headed by the last segment of the key; --show-labels lists them sorted', () => {
    const object = { metadata: { name: 'web', labels: { tier: 'front', 'app.kubernetes.io/name': 'web' } } };
    const column = labelColumn('app.kubernetes.io/name');
    expect([column.header, column.cell(object, NOW)]).toEqual(['NAME', 'web']);
    expect(labelColumn('team').cell(object, NOW)).toBe('');
    expect(LABELS.cell(object, NOW)).toBe('app.kubernetes.io/name=web,tier=front');
    expect(LABELS.cell({ metadata: { name: 'bare' } }, NOW)).toBe('<none>');
  });
});

describe('-o name, json, yaml', () => {
  const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } };

  it('name is kind[.group]/name, as kubectl prints it', () => {
    expect(objectName(resources.pods, { metadata: { name: 'web-1' } })).toBe('pod/web-1');
    expect(objectName(resources.deployments, web)).toBe('deployment.apps/web');
    const name = documentPrinter('name', resources.deployments);
    expect(name(addEvent(web)) + name(deleteEvent(web))).toBe('deployment.apps/web\ndeployment.apps/web\n');
  });

  it('json prints each object indented by 4; yaml separates the documents with ---', () => {
    const json = documentPrinter('json', resources.deployments);
    expect(json(addEvent(web))).toBe(`${JSON.stringify(web, null, 4)}\n`);
    const yaml = documentPrinter('yaml', resources.deployments);
    const first = yaml(addEvent(web));
    const second = yaml(deleteEvent(web));
    expect(first).toBe('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n');
    expect(second).toBe(`---\n${first}`);
  });
});
