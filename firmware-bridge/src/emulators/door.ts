import type { Clock } from '../../../shared/src/clock.js';
import { type CommandName, ErrorCode } from '../protocol/constants.js';
import { type CommandReply, type EmulatorIdentity, ProtocolEmulator } from './protocol-emulator.js';
import { Random } from './random.js';

export interface DoorOptions {
  /** Mean seconds between passers-by (0 = only scripted via pass()). */
  everyS?: number;
  seed?: number;
  countEveryMs?: number;
}

/**
 * Dual-beam door counter: a person entering breaks beam a then b (exiting: b then a); the beams overlap for
 * a moment. Sends each transition and, periodically, the cumulative counters a real counter keeps.
 */
export class DoorEmulator extends ProtocolEmulator {
  private readonly rand: Random;
  private counts = { in: 0, out: 0 };

  constructor(
    identity: EmulatorIdentity,
    private readonly opts: DoorOptions = {},
    clock?: Clock,
  ) {
    super('door', 2, identity, clock);
    this.rand = new Random(opts.seed ?? 3);
  }

  /** One person walks through; `turnBack` breaks the first beam only and leaves. */
  pass(direction: 'in' | 'out', turnBack = false): void {
    const [first, second] = direction === 'in' ? (['a', 'b'] as const) : (['b', 'a'] as const);
    const beam = (b: 'a' | 'b', blocked: boolean) =>
      this.send({ type: 'doorBeam', uptimeMs: this.uptimeMs, beam: b, blocked });
    beam(first, true);
    if (turnBack) {
      this.clock.setTimeout(() => beam(first, false), 250);
      return;
    }
    this.clock.setTimeout(() => beam(second, true), 120);
    this.clock.setTimeout(() => beam(first, false), 220);
    this.clock.setTimeout(() => {
      beam(second, false);
      this.counts[direction]++;
    }, 350);
  }

  protected override onBoot(): void {
    const every = this.opts.everyS ?? 0;
    if (every > 0) {
      this.every(250, () => {
        if (this.rand.next() < 0.25 / every)
          this.pass(this.rand.next() < 0.5 ? 'in' : 'out', this.rand.next() < 0.05);
      });
    }
    this.every(this.opts.countEveryMs ?? 5_000, () =>
      this.send({ type: 'doorCount', uptimeMs: this.uptimeMs, ...this.counts }),
    );
  }

  protected override handleCommand(name: CommandName): CommandReply {
    if (name === 'tare') {
      this.counts = { in: 0, out: 0 };
      return { error: ErrorCode.ok };
    }
    return { error: ErrorCode.unsupported };
  }
}
