import { describe, expect, it } from 'vitest';
import { assignmentOf } from '../../src/runtime/sharding/assignment.js';
import { hashRing } from '../../src/runtime/sharding/ring.js';

const live = new Set(['a', 'b']);
const ring = hashRing(live);
const key = 'default/x';
const owner = ring.ownerOf(key) as string;
const other = owner === 'a' ? 'b' : 'a';

describe('assignmentOf', () => {
  it('assigns an unassigned object, or one of a dead member, without draining', () => {
    expect(assignmentOf(key, undefined, false, live, ring)).toEqual({ kind: 'assign', to: owner });
    expect(assignmentOf(key, 'gone', true, live, ring)).toEqual({ kind: 'assign', to: owner });
  });
  it('drains an object held by a live member that is not its owner', () => {
    expect(assignmentOf(key, other, false, live, ring)).toEqual({ kind: 'drain', from: other });
  });
  it('waits while a drain is under way, and keeps an object in place', () => {
    expect(assignmentOf(key, other, true, live, ring)).toEqual({ kind: 'keep' });
    expect(assignmentOf(key, owner, false, live, ring)).toEqual({ kind: 'keep' });
  });
  it('does nothing on an empty ring', () => {
    expect(assignmentOf(key, undefined, false, new Set(), hashRing([]))).toEqual({ kind: 'keep' });
  });
});
