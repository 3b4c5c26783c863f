/**
 * Per-device publish rate (accepted readings per second) from successive samples of the accepted counter,
 * averaged over the last health interval.
 */
export class PublishRates {
  private readonly last = new Map<string, { at: number; accepted: number }>();
  private readonly rates = new Map<string, number>();

  sample(now: number, counts: Iterable<readonly [string, number]>): void {
    const seen = new Set<string>();
    for (const [id, accepted] of counts) {
      seen.add(id);
      const prev = this.last.get(id);
      if (prev && now > prev.at) {
        // Counters restart at 0 with the process; a smaller value means a restart, not a negative rate.
        const delta = accepted >= prev.accepted ? accepted - prev.accepted : accepted;
        this.rates.set(id, (delta * 1000) / (now - prev.at));
      }
      this.last.set(id, { at: now, accepted });
    }
    for (const id of this.last.keys()) {
      if (!seen.has(id)) {
        this.last.delete(id);
        this.rates.delete(id);
      }
    }
  }

  /** Readings per second over the last interval, or null before two samples exist. */
  get(id: string): number | null {
    return this.rates.get(id) ?? null;
  }
}
