import { describe, expect, it } from 'vitest';
import { RecentKeys } from './recent-keys.js';

describe('RecentKeys', () => {
  it('holds at most perOwner keys per owner and maxOwners owners, whatever is written', () => {
    const keys = new RecentKeys<number>({ perOwner: 4, maxOwners: 3, maxAgeMs: 60_000 });
    for (let owner = 0; owner < 10; owner++) for (let k = 0; k < 100; k++) keys.set(`d${owner}`, k, k, 1_000);
    expect(keys.size()).toBe(12);
    expect(keys.get('d9', 99, 1_000)).toBe(99);
    expect(keys.get('d9', 95, 1_000)).toBeUndefined();
    expect(keys.get('d0', 99, 1_000)).toBeUndefined();
  });

  it('ignores entries older than maxAgeMs and prunes them on the next write of their owner', () => {
    const keys = new RecentKeys<string>({ perOwner: 100, maxOwners: 10, maxAgeMs: 1_000 });
    for (let k = 0; k < 50; k++) keys.set('d', k, 'v', 0);
    expect(keys.get('d', 1, 1_001)).toBeUndefined();
    expect(keys.size()).toBe(50);
    keys.set('d', 'fresh', 'v', 1_001);
    expect(keys.size()).toBe(1);
  });

  it('replaceIf and deleteIf act only while the key still holds the given value', () => {
    const keys = new RecentKeys<string>({ perOwner: 10, maxOwners: 10, maxAgeMs: 1_000 });
    keys.set('d', 1, 'a', 0);
    keys.replaceIf('d', 1, 'x', 'b');
    expect(keys.get('d', 1, 0)).toBe('a');
    keys.replaceIf('d', 1, 'a', 'b');
    expect(keys.get('d', 1, 0)).toBe('b');
    keys.deleteIf('d', 1, 'a');
    expect(keys.get('d', 1, 0)).toBe('b');
    keys.deleteIf('d', 1, 'b');
    expect(keys.get('d', 1, 0)).toBeUndefined();
  });
});
