import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { PrincipalCache } from '../../src/auth/principal-cache.js';

const principal = (keyId: string): Principal => ({ keyId, name: keyId, admin: false });

describe('PrincipalCache', () => {
  it('remembers a key for the TTL, then reads it again', () => {
    let now = 0;
    const cache = new PrincipalCache(1_000, 10, () => now);
    cache.set('hash-a', principal('a'), cache.generation);
    now = 999;
    expect(cache.get('hash-a')?.keyId).toBe('a');
    now = 1_000;
    expect(cache.get('hash-a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a changed key under every hash it was cached with, and only that key', () => {
    const cache = new PrincipalCache(60_000, 10, () => 0);
    cache.set('hash-a1', principal('a'), cache.generation);
    cache.set('hash-a2', principal('a'), cache.generation);
    cache.set('hash-b', principal('b'), cache.generation);
    cache.dropKey('a');
    expect(cache.get('hash-a1')).toBeUndefined();
    expect(cache.get('hash-a2')).toBeUndefined();
    expect(cache.get('hash-b')?.keyId).toBe('b');
    cache.clear();
    expect(cache.get('hash-b')).toBeUndefined();
  });

  it('does not store what a lookup read while a key changed', () => {
    const cache = new PrincipalCache(60_000, 10, () => 0);
    // A lookup starts, a revocation is announced, then the lookup's (stale) row arrives.
    const generation = cache.generation;
    cache.dropKey('a');
    cache.set('hash-a', principal('a'), generation);
    expect(cache.get('hash-a')).toBeUndefined();
    // The next lookup, begun after the change, is stored.
    cache.set('hash-a', principal('a'), cache.generation);
    expect(cache.get('hash-a')?.keyId).toBe('a');
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = new PrincipalCache(60_000, 2, () => 0);
    for (const id of ['a', 'b', 'c']) cache.set(`hash-${id}`, principal(id), cache.generation);
    expect(cache.size).toBe(2);
    expect(cache.get('hash-a')).toBeUndefined();
    expect(cache.get('hash-c')?.keyId).toBe('c');
  });
});
