import type { Clock } from '../../../shared/src/clock.js';
import type { ScaleStatusName } from '../protocol/messages.js';
import { Random } from './random.js';

/**
 * A bagging-area scale's physics: items placed settle over ~400 ms (motion), readings are quantised to the
 * display division, and the load cell has a capacity. Shared by the Storegate-protocol and MT-SICS emulators.
 */
export class ScaleModel {
  private grams = 0;
  private tareG = 0;
  private settleUntil = 0;
  private readonly rand: Random;

  constructor(
    private readonly clock: Clock,
    readonly capacityG = 15_000,
    readonly divisionG = 1,
    seed = 11,
  ) {
    this.rand = new Random(seed);
  }

  place(grams: number, settleMs = 400): void {
    this.grams += grams;
    this.settleUntil = this.clock.now() + settleMs;
  }

  zero(): boolean {
    if (this.status().status === 'motion') return false;
    this.tareG = this.grams;
    return true;
  }

  status(): { grams: number; status: ScaleStatusName } {
    const moving = this.clock.now() < this.settleUntil;
    const raw = this.grams - this.tareG + (moving ? this.rand.between(-40, 40) : this.rand.gauss() * 0.2);
    const grams = Math.round(raw / this.divisionG) * this.divisionG;
    if (this.grams > this.capacityG) return { grams, status: 'over' };
    if (grams < -20 * this.divisionG) return { grams, status: 'under' };
    if (moving) return { grams, status: 'motion' };
    if (Math.abs(grams) < this.divisionG / 2 + 1e-9) return { grams: 0, status: 'zero' };
    return { grams, status: 'stable' };
  }
}
