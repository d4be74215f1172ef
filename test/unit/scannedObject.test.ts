/**
 * Cells made from a scan of the text instead of a parse (core/scannedObject.ts): the key, the
 * metadata and the captured `byField` values read from one are what the parse of its text has, and
 * a text the scan leaves undecided, or an object the cache would not admit as it is, gets no cell
 * (the caller parses it, which decides and reports as before). test/property/jsonScan.property.test.ts
 * checks the same against any text; these are the cases one by one.
 */
import { describe, expect, it } from 'vitest';
import { captureSlot, FIRST_FIELD_SLOT } from '../../src/core/capturedPaths.js';
import { type EncodedObject, encodedObject, NOT_CAPTURED, readObject } from '../../src/core/encodedObject.js';
import type { KubeObject } from '../../src/core/objects.js';
import { scannedObject } from '../../src/core/scannedObject.js';
import { byField, type IndexFunc } from '../../src/store/indexFuncs.js';
import { Snapshot } from '../../src/store/snapshot.js';
import { cellMetadata } from '../support/cellMetadata.js';
import { forcedGc } from '../support/forcedGc.js';

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-0',
    namespace: 'default',
    resourceVersion: '42',
    uid: 'd9b8c1f0-0000-4000-8000-000000000001',
    labels: { app: 'web', tier: 'front' },
    annotations: { note: 'a "quoted" value' },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-0', controller: true },
    ],
  },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: 'Running' },
};
const POD_TEXT = JSON.stringify(POD);

/** `text` with `metadata` in place of the pod's (a raw JSON text, so keys can repeat or be escaped). */
function podWithMetadata(metadata: string): string {
  return `{"apiVersion":"v1","kind":"Pod","metadata":${metadata},"spec":{"nodeName":"node-a"}}`;
}

describe('scannedObject', () => {
  it('makes a cell for a pod, keyed namespace/name, with the metadata the parse has', () => {
    const cell = scannedObject(POD_TEXT);
    expect(cell?.key).toBe('default/web-0');
    expect(cell?.encoded).toBe(true);
    const { metadata } = POD;
    expect(cellMetadata(cell!)).toStrictEqual({
      name: metadata.name,
      namespace: metadata.namespace,
      resourceVersion: metadata.resourceVersion,
      uid: metadata.uid,
      labels: metadata.labels,
      ownerReferences: metadata.ownerReferences,
    });
    // What the parse-based cell has, too.
    expect(cellMetadata(cell!)).toStrictEqual(cellMetadata(encodedObject(POD_TEXT, JSON.parse(POD_TEXT))!));
  });

  it('keys a cluster-scoped object by its name alone', () => {
    expect(scannedObject('{"metadata":{"name":"node-a"}}')?.key).toBe('node-a');
    expect(scannedObject('{"metadata":{"name":"node-a","namespace":""}}')?.key).toBe('node-a');
    expect(scannedObject('{"metadata":{"name":"node-a","namespace":null}}')?.key).toBe('node-a');
  });

  it('reads labels and owner references when first read, without decoding the cell', () => {
    const cell = scannedObject(POD_TEXT)!;
    const { labels, ownerReferences } = cell.metadata;
    expect(labels).toStrictEqual(POD.metadata.labels);
    expect(ownerReferences).toStrictEqual(POD.metadata.ownerReferences);
    expect(cell.metadata.labels).toBe(labels);
    expect(cell.metadata.ownerReferences).toBe(ownerReferences);
    expect(cell.encoded).toBe(true);
  });

  it('reads absent labels and owner references as undefined, and null ones as null', () => {
    const bare = scannedObject('{"metadata":{"name":"a"}}')!;
    expect(bare.metadata.labels).toBeUndefined();
    expect(bare.metadata.ownerReferences).toBeUndefined();
    const nulls = scannedObject('{"metadata":{"name":"a","labels":null,"ownerReferences":null}}')!;
    expect(nulls.metadata.labels).toBeNull();
    expect(nulls.metadata.ownerReferences).toBeNull();
  });

  it('captures a byField path registered before the scan, and reports slots it did not scan for', () => {
    const before = scannedObject(POD_TEXT)!;
    const slot = captureSlot('spec.nodeName');
    expect(slot).toBeGreaterThanOrEqual(FIRST_FIELD_SLOT);
    // Scanned before the path was registered: read a parse for it.
    expect(before.capturedField(slot!)).toBe(NOT_CAPTURED);
    const cell = scannedObject(POD_TEXT)!;
    expect(cell.capturedField(slot!)).toBe('node-a');
    expect(cell.capturedField(slot! + 1)).toBe(NOT_CAPTURED);
    // Absent in the object: captured as absent, not "not captured".
    expect(scannedObject('{"metadata":{"name":"a"},"spec":{}}')!.capturedField(slot!)).toBeUndefined();
    expect(
      scannedObject('{"metadata":{"name":"a"},"spec":{"nodeName":"n\\u0031"}}')!.capturedField(slot!),
    ).toBe('n1');
    expect(
      scannedObject('{"metadata":{"name":"a"},"spec":{"nodeName":"x","nodeName":"y"}}')!.capturedField(slot!),
    ).toBe('y');
  });

  it('keeps the value of every captured path, also once decoded and given its type', () => {
    const node = captureSlot('spec.nodeName') as number;
    const scheduler = captureSlot('spec.schedulerName') as number;
    const phase = captureSlot('status.phase') as number;
    expect(new Set([node, scheduler, phase]).size).toBe(3);
    const text =
      '{"metadata":{"name":"a","resourceVersion":"7"},"spec":{"nodeName":"n1","schedulerName":"s1"},"status":{"phase":"Running"}}';
    const cell = scannedObject(text) as EncodedObject;
    const values = () => [node, scheduler, phase].map((slot) => cell.capturedField(slot));
    expect(values()).toEqual(['n1', 's1', 'Running']);
    expect(cell.resourceVersion).toBe('7');
    readObject(cell);
    const typed = cell.withTypeMeta('v1', 'Pod');
    expect(typed).not.toBe(cell);
    expect([node, scheduler, phase].map((slot) => typed.capturedField(slot))).toEqual([
      'n1',
      's1',
      'Running',
    ]);
    expect(typed.resourceVersion).toBe('7');
    expect(cell.capturedField(phase + 1)).toBe(NOT_CAPTURED);
  });

  it('makes no cell for an object the cache would not admit', () => {
    for (const text of [
      podWithMetadata('{"name":"a/b","namespace":"default"}'),
      podWithMetadata('{"name":"a","namespace":"x/y"}'),
      podWithMetadata('{"name":""}'),
      podWithMetadata('{"name":5}'),
      podWithMetadata('{"namespace":"default"}'),
      podWithMetadata('{"name":"a","resourceVersion":""}'),
      podWithMetadata('{"name":"a","resourceVersion":7}'),
      podWithMetadata('{"name":"a","resourceVersion":null}'),
      podWithMetadata('null'),
      '{"kind":"Pod"}',
    ]) {
      expect(scannedObject(text), text).toBeUndefined();
      // The parse turns it away as well.
      expect(encodedObject(text, JSON.parse(text)), text).toBeUndefined();
    }
  });

  it('makes no cell for a text the scan leaves to the parse, even where the parse would make one', () => {
    for (const text of [
      // A key with an escape on a captured path: decoded, it is `name`.
      podWithMetadata('{"na\\u006de":"a"}'),
      `{"meta\\u0064ata":{"name":"a"}}`,
      // Repeated metadata: the parse keeps the last.
      '{"metadata":{"name":"a"},"metadata":{"name":"b"}}',
      // Whitespace a Go server does not write.
      '{"metadata":{"name":"a"}}\n',
      '{\t"metadata":{"name":"a"}}',
    ]) {
      expect(scannedObject(text), text).toBeUndefined();
      expect(encodedObject(text, JSON.parse(text))?.key, text).toMatch(/^[ab]$/);
    }
  });

  it('makes no cell for a text that is not JSON', () => {
    for (const text of [
      '{"metadata":{"name":"a"},}',
      '{"metadata":{"name":"a"}',
      '{"metadata":{"name":"a\u0001"}}',
      '',
    ]) {
      expect(scannedObject(text), text).toBeUndefined();
      expect(() => JSON.parse(text), text).toThrow();
    }
  });

  it('takes the last of a repeated name, as the parse does', () => {
    const cell = scannedObject(podWithMetadata('{"name":"a","name":"b"}'));
    expect(cell?.key).toBe('b');
    expect(cell?.metadata.name).toBe('b');
  });

  it('reads a long name (a copy, not a view of the text) and an escaped one as the parse has them', () => {
    const long = 'a-rather-long-pod-name-0123456789';
    expect(long.length).toBeGreaterThanOrEqual(14);
    const text = podWithMetadata(`{"name":"${long}","namespace":"kube-system","uid":"0123456789abcdef0123"}`);
    const cell = scannedObject(text)!;
    const parsed = JSON.parse(text) as KubeObject;
    expect(cell.metadata.name).toBe(parsed.metadata?.name);
    expect(cell.metadata.uid).toBe(parsed.metadata?.uid);
    expect(cell.key).toBe(`kube-system/${long}`);
    const escaped = podWithMetadata('{"name":"caf\\u00e9-\\"quoted\\"-name","namespace":"default"}');
    expect(scannedObject(escaped)?.key).toBe(`default/${(JSON.parse(escaped) as KubeObject).metadata?.name}`);
    expect(scannedObject(escaped)?.metadata.name).toBe('café-"quoted"-name');
  });

  it('decodes to the parse, and then reads metadata from the decoded object', () => {
    const cell = scannedObject(POD_TEXT)!;
    const view = cell.metadata;
    const decoded = readObject(cell) as KubeObject;
    expect(decoded).toStrictEqual(POD);
    expect(cell.encoded).toBe(false);
    expect(cell.metadata).not.toBe(view);
    expect(cell.metadata).toBe(decoded.metadata);
    expect(cell.metadata.labels).toBe(decoded.metadata?.labels);
    expect(readObject(cell)).toBe(decoded);
    expect(cell.key).toBe('default/web-0');
  });

  it('hands out keys and index values that do not keep the text alive once the cell is gone', () => {
    // V8 makes a slice of 13 or more characters a view of the whole text; what outlives the cell
    // (the key in the store, a namespace or field value as an index key) must be a copy, and the
    // name is cut out of the key.
    const gc = forcedGc();
    const slot = captureSlot('spec.nodeName') as number;
    const pad = 'x'.repeat(50_000);
    const count = 200;
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const text = JSON.stringify({
        metadata: {
          name: `a-rather-long-pod-name-${i}`,
          // Every other object cluster-scoped: its key is its name.
          namespace: i % 2 === 0 ? `a-long-namespace-${i}` : undefined,
          uid: `uid-${i}-0123456789`,
        },
        spec: { nodeName: `worker-node-number-${i}`, pad },
      });
      const cell = scannedObject(text) as EncodedObject;
      kept.push(
        cell.key,
        cell.metadata.name,
        cell.metadata.namespace,
        cell.capturedField(slot),
        cell.metadata.uid,
      );
    }
    gc();
    const perObject = (process.memoryUsage().heapUsed - before) / count;
    expect(kept).toHaveLength(5 * count);
    // Views would keep every 50 KB text: about 50,000 bytes per object.
    expect(perObject).toBeLessThan(5_000);
  });

  it('is filed under a byField index by the value the scan captured, without being decoded', () => {
    const node = byField('spec.nodeName') as IndexFunc<KubeObject>;
    const texts = ['a', 'b', 'c'].map((name, i) =>
      JSON.stringify({ metadata: { name, namespace: 'default' }, spec: { nodeName: `node-${i % 2}` } }),
    );
    const cells = texts.map((text) => scannedObject(text) as EncodedObject);
    let snapshot = Snapshot.empty<KubeObject>({ node });
    for (const cell of cells)
      snapshot = snapshot.apply({
        deltas: [{ type: 'Added', key: cell.key, object: cell as never }],
        resourceVersion: '1',
        synced: true,
        initialList: false,
      });
    expect(snapshot.indexKeys('node', 'node-0').sort()).toEqual(['default/a', 'default/c']);
    expect(snapshot.indexKeys('node', 'node-1')).toEqual(['default/b']);
    expect(cells.every((cell) => cell.encoded)).toBe(true);
  });
});
