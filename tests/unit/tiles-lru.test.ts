import { describe, expect, it } from 'vitest';
import { Lru } from '../../server/tiles/lru.ts';

describe('tile cache (LRU)', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const lru = new Lru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.size]).toEqual([1, 3, 2]);
  });

  it('replaces a value without growing', () => {
    const lru = new Lru<string>(2);
    lru.set('a', 'old');
    lru.set('a', 'new');
    expect([lru.get('a'), lru.size]).toEqual(['new', 1]);
  });
});
