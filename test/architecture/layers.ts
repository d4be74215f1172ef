/**
 * The layers of src/, lowest first: what each is for, its main file, and the layers it may import.
 * test/architecture/layers.test.ts enforces it and docs/tools/renderArchitecture.ts draws it, so the
 * rule, the check and the picture in docs/architecture.md cannot drift apart.
 */
export interface Layer {
  readonly name: string;
  /** One line: what the layer is for. */
  readonly purpose: string;
  /** The file whose header comment states the layer's purpose and imports. */
  readonly main: string;
  readonly mayImport: readonly string[];
}

export const LAYERS: readonly Layer[] = [
  {
    name: 'core',
    purpose: 'objects, resources, events, errors, KubeClient',
    main: 'client.ts',
    mayImport: [],
  },
  {
    name: 'store',
    purpose: 'persistent map, snapshots, indexes, selectors',
    main: 'snapshot.ts',
    mayImport: ['core'],
  },
  {
    name: 'transport',
    purpose: 'KubeClient over HTTP, watch decoding',
    main: 'kubeClient.ts',
    mayImport: ['core'],
  },
  {
    name: 'workqueue',
    purpose: 'work queue, rate limiters, queue metrics',
    main: 'workQueue.ts',
    mayImport: ['core'],
  },
  {
    name: 'sources',
    purpose: 'listWatch (the Reflector), backoff',
    main: 'listWatch.ts',
    mayImport: ['core', 'store'],
  },
  {
    name: 'operators',
    purpose: 'deltaFifo, indexer, resync, toEvents, predicates',
    main: 'deltaFifo.ts',
    mayImport: ['core', 'store'],
  },
  {
    name: 'api',
    purpose: 'patchWith, finalizers, discovery',
    main: 'patchWith.ts',
    mayImport: ['core', 'store'],
  },
  {
    name: 'runtime',
    purpose: 'informer, factory, controller, leader election',
    main: 'informer.ts',
    mayImport: ['core', 'store', 'sources', 'operators', 'workqueue', 'api'],
  },
  {
    name: 'testing',
    purpose: 'fake cluster, scripted client, builders, churn',
    main: 'index.ts',
    mayImport: ['core', 'store', 'transport', 'sources', 'operators', 'workqueue', 'api', 'runtime'],
  },
  {
    name: 'cli',
    purpose: 'the kube-rx command',
    main: 'main.ts',
    mayImport: [
      'core',
      'store',
      'transport',
      'sources',
      'operators',
      'workqueue',
      'api',
      'runtime',
      'testing',
    ],
  },
];
