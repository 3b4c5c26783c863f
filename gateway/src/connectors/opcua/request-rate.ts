/**
 * Counts the requests a client sends to one server and says when more than `maxPerSecond` went out within
 * one second. A ring of the last `maxPerSecond + 1` send times: the limit is exceeded exactly when the oldest
 * of them is less than a second old. O(1) per request and bounded memory, even during a storm of thousands
 * of requests a second (node-opcua's republish loop against a server that never ends it).
 */
export class RequestRateLimit {
  private readonly times: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(
    readonly maxPerSecond: number,
    private readonly now: () => number,
  ) {
    this.times = new Float64Array(maxPerSecond + 1);
  }

  /** Record one request; true when this request makes more than `maxPerSecond` within the last second. */
  record(): boolean {
    const now = this.now();
    this.times[this.next] = now;
    this.next = (this.next + 1) % this.times.length;
    if (this.filled < this.times.length) this.filled++;
    if (this.filled < this.times.length) return false;
    const oldest = this.times[this.next]!;
    return now - oldest < 1_000;
  }

  reset(): void {
    this.filled = 0;
    this.next = 0;
  }
}
