/**
 * A bounded memory of recent keys per owner (a device, a client session): at most `perOwner` keys each, the
 * oldest forgotten first, entries older than `maxAgeMs` ignored and pruned on the owner's next write, and at
 * most `maxOwners` owners (the one written to longest ago is forgotten first). Everything it holds is
 * bounded, whatever devices send, and reaches its steady size within `maxAgeMs`.
 */
export class RecentKeys<V> {
  private readonly owners = new Map<string, Map<string | number, { value: V; at: number }>>();

  constructor(private readonly limits: { perOwner: number; maxOwners: number; maxAgeMs: number }) {}

  get(owner: string, key: string | number, now: number): V | undefined {
    const entry = this.owners.get(owner)?.get(key);
    if (!entry || now - entry.at > this.limits.maxAgeMs) return undefined;
    return entry.value;
  }

  set(owner: string, key: string | number, value: V, now: number): void {
    let keys = this.owners.get(owner);
    if (keys) {
      this.owners.delete(owner); // re-inserted below: owners stay in order of last write
    } else {
      keys = new Map();
      if (this.owners.size >= this.limits.maxOwners) {
        const oldest = this.owners.keys().next().value;
        if (oldest !== undefined) this.owners.delete(oldest);
      }
    }
    this.owners.set(owner, keys);
    keys.delete(key);
    keys.set(key, { value, at: now });
    // Insertion order is write order: expired entries are at the front.
    for (const [k, entry] of keys) {
      if (keys.size <= this.limits.perOwner && now - entry.at <= this.limits.maxAgeMs) break;
      keys.delete(k);
    }
  }

  /** Replace the value of `key` only if it still holds `value`, keeping its age (e.g. a settled promise). */
  replaceIf(owner: string, key: string | number, value: V, next: V): void {
    const entry = this.owners.get(owner)?.get(key);
    if (entry?.value === value) entry.value = next;
  }

  /** Forget `key` only if it still holds `value` (a later write of the same key wins). */
  deleteIf(owner: string, key: string | number, value: V): void {
    const keys = this.owners.get(owner);
    if (keys?.get(key)?.value === value) keys.delete(key);
  }

  forget(owner: string): void {
    this.owners.delete(owner);
  }

  /** Entries held (for the soak bench and tests). */
  size(): number {
    let n = 0;
    for (const keys of this.owners.values()) n += keys.size;
    return n;
  }
}
