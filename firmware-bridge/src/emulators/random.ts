/** Seeded PRNG (xorshift32) so emulated noise is reproducible in tests and benchmarks. */
export class Random {
  private s: number;
  private spare: number | null = null;
  constructor(seed = 1) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s >>> 0;
    return this.s / 0x1_0000_0000;
  }
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  /** Standard normal (Box–Muller). */
  gauss(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
