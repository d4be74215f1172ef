import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/transport/lineSplitter.js';

/** Feeds `bytes` cut at `cuts` and returns every line plus the unterminated rest. */
function splitAt(bytes: Buffer, cuts: number[]): string[] {
  const splitter = new LineSplitter();
  const out: string[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    out.push(...splitter.write(bytes.subarray(start, cut)));
    start = cut;
  }
  out.push(...splitter.write(bytes.subarray(start)));
  out.push(splitter.end());
  return out;
}

describe('LineSplitter', () => {
  it('returns completed lines and keeps the partial one', () => {
    const s = new LineSplitter();
    expect(s.write(Buffer.from('a\nb'))).toEqual(['a']);
    expect(s.hasPartialLine).toBe(true);
    expect(s.write(Buffer.from('c\n\nd'))).toEqual(['bc', '']);
    expect(s.end()).toBe('d');
    expect(s.hasPartialLine).toBe(false);
  });

  it('holds back an incomplete UTF-8 sequence until its last byte arrives', () => {
    const bytes = Buffer.from('€\n', 'utf8'); // 3 bytes + newline
    const s = new LineSplitter();
    expect(s.write(bytes.subarray(0, 1))).toEqual([]);
    expect(s.write(bytes.subarray(1, 2))).toEqual([]);
    expect(s.write(bytes.subarray(2))).toEqual(['€']);
  });

  it('a line assembled from many pieces is joined once', () => {
    const s = new LineSplitter();
    for (const piece of ['{"a"', ':', '1', '}']) expect(s.write(Buffer.from(piece))).toEqual([]);
    expect(s.write(Buffer.from('\n'))).toEqual(['{"a":1}']);
  });

  test.prop([
    fc.array(fc.string({ unit: 'binary' }), { maxLength: 8 }),
    fc.array(fc.nat(), { maxLength: 12 }),
  ])('any cutting of the bytes yields the same lines as splitting the whole text', (lines, rawCuts) => {
    const text = lines.join('\n');
    const bytes = Buffer.from(text, 'utf8');
    const cuts = rawCuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1)));
    // Lone surrogates do not survive UTF-8; compare with what the bytes decode to.
    expect(splitAt(bytes, cuts)).toEqual(bytes.toString('utf8').split('\n'));
  });
});
