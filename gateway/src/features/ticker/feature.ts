import type { Clock, TimerHandle } from '../../../../shared/src/clock.js';
import type { Logger } from '../../../../shared/src/logger.js';
import type { Feature } from '../../ports/feature.js';
import type { Pipeline } from '../../ports/pipeline.js';

/** Drives processors' tick() once a second on the gateway clock (replay drives it on virtual time instead). */
export class PipelineTicker implements Feature {
  readonly name = 'pipeline-ticker';
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(
    private readonly pipeline: Pick<Pipeline, 'tick'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.pipeline.tick(this.clock.now()).then(
        () => this.schedule(),
        (err) => {
          this.logger.error({ err }, 'pipeline tick failed; events of this tick were not stored');
          this.schedule();
        },
      );
    }, this.intervalMs);
  }
}
