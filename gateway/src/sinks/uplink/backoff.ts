/**
 * Capped exponential backoff with "equal jitter": the delay for attempt n is half of min(cap, base·2ⁿ)
 * plus a random share of the other half, so a fleet of gateways does not reconnect in lockstep after a
 * cloud outage, yet every delay stays at least half the nominal one.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const nominal = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(nominal / 2 + this.random() * (nominal / 2));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
