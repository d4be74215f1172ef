/**
 * `metadataOnlyObject`: what a metadata-only Reflector caches from whatever the server sent. A
 * `PartialObjectMetadata` passes as it is (a cell stays encoded when its text starts the way
 * servers write one); a whole object, or a list item without its kind, becomes one with the same
 * metadata and nothing else.
 */
import { describe, expect, it, vi } from 'vitest';
import { EncodedObject } from '../../src/core/encodedObject.js';
import { scannedObject } from '../../src/core/scannedObject.js';
import { metadataOnlyObject } from '../../src/sources/metadataOnlyObjects.js';
import { cellOf } from '../support/cells.js';

const metadata = {
  name: 'web-0',
  namespace: 'default',
  resourceVersion: '7',
  uid: 'u-1',
  labels: { app: 'web' },
  annotations: { note: 'kept' },
  finalizers: ['example.com/f'],
};
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata,
  spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'PASSWORD', value: 's3cret' }] }] },
  status: { phase: 'Running' },
};
const stripped = { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata };

/** A cell over `text` as the transport makes one (scanned), or from its parse where the scan is unsure. */
const cell = (text: string): EncodedObject => scannedObject(text) ?? cellOf(text);

describe('metadataOnlyObject', () => {
  it('passes a PartialObjectMetadata through as the same object', () => {
    const partial = { ...stripped };
    expect(metadataOnlyObject(partial)).toBe(partial);
  });

  it('strips a whole object to its apiVersion, kind and full metadata', () => {
    const out = metadataOnlyObject(pod);
    expect(out).toEqual(stripped);
    expect(JSON.stringify(out)).not.toContain('s3cret');
  });

  it('strips a list item that names no kind (a whole list answered for a metadata one)', () => {
    const { apiVersion: _a, kind: _k, ...item } = pod;
    expect(metadataOnlyObject(item)).toEqual(stripped);
  });

  it('keeps a PartialObjectMetadata of another apiVersion out: it is stripped into meta.k8s.io/v1', () => {
    expect(metadataOnlyObject({ ...stripped, apiVersion: 'meta.k8s.io/v1beta1' })).toEqual(stripped);
  });

  it.each([
    [
      'the API server order (kind first)',
      { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata },
    ],
    ['the fake cluster order (apiVersion first)', stripped],
  ])('keeps a cell written in %s as the same cell, without parsing it', (_order, value) => {
    const encoded = cell(JSON.stringify(value));
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(metadataOnlyObject(encoded)).toBe(encoded);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    expect(encoded.encoded).toBe(true);
  });

  it('keeps a cell whose PartialObjectMetadata is written in another order, read from a parse', () => {
    const encoded = cell(
      JSON.stringify({ metadata, kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' }),
    );
    expect(metadataOnlyObject(encoded)).toBe(encoded);
    expect(encoded.decode()).toEqual(stripped);
  });

  it('strips a cell of a whole object into a plain PartialObjectMetadata', () => {
    const out = metadataOnlyObject(cell(JSON.stringify(pod)));
    expect(out).not.toBeInstanceOf(EncodedObject);
    expect(out).toEqual(stripped);
  });

  it('strips a decoded cell of a whole object too', () => {
    const encoded = cell(JSON.stringify(pod));
    encoded.decode();
    expect(metadataOnlyObject(encoded)).toEqual(stripped);
  });
});
