import type { Clock } from '../../../shared/src/clock.js';
import { type CommandName, ErrorCode } from '../protocol/constants.js';
import { type CommandReply, type EmulatorIdentity, ProtocolEmulator } from './protocol-emulator.js';
import { ScaleModel } from './scale-model.js';

/** Bagging scale speaking the Storegate protocol: a scaleReading every `everyMs` and on every change. */
export class ScaleEmulator extends ProtocolEmulator {
  readonly model: ScaleModel;

  constructor(
    identity: EmulatorIdentity,
    private readonly opts: { everyMs?: number } = {},
    clock?: Clock,
  ) {
    super('scale', 1, identity, clock);
    this.model = new ScaleModel(this.clock);
  }

  protected override onBoot(): void {
    this.every(this.opts.everyMs ?? 200, () => {
      const { grams, status } = this.model.status();
      this.send({
        type: 'scaleReading',
        uptimeMs: this.uptimeMs,
        status,
        milligrams: Math.round(grams * 1000),
      });
    });
  }

  protected override handleCommand(name: CommandName): CommandReply {
    if (name === 'tare') return { error: this.model.zero() ? ErrorCode.ok : ErrorCode.notStable };
    return { error: ErrorCode.unsupported };
  }
}
