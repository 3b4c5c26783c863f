import { dirname, isAbsolute, resolve } from 'node:path';
import { Counter } from 'prom-client';
import { createLogThrottle, type Logger } from '../../../../shared/src/logger.js';
import type { Reading } from '../../../../shared/src/readings.js';
import type { Feature } from '../../ports/feature.js';
import {
  RECORDABLE_READINGS,
  recordAttendantOf,
  recordLineOf,
  recordTickOf,
} from '../../replay/record-line.js';
import { type RotatingFileStats, RotatingLineFile } from '../../sinks/recording/rotating-file.js';
import type { GatewayContext } from '../context.js';
import { FeatureScope } from '../scope.js';

export interface RecordFeatureDeps {
  /** The lane a scanner/scale/POS device is in (the checkout feature's directory), undefined if none. */
  laneOf(deviceId: string): string | undefined;
}

/**
 * `record:` — every device reading the pipeline receives, as the replay input line that reads back into it
 * (docs/replay.md), so `storegate replay --config` of a recording derives the events the gateway derived.
 * It sits on the pipeline's input side as one more processor that derives nothing; bad-quality readings are
 * left out because no processor uses them. Disk use is bounded by rotation (`max_mb` over `files` parts).
 */
export class RecordFeature implements Feature {
  readonly name = 'record';
  private readonly log: Logger;
  private scope: FeatureScope | null = null;
  private file: RotatingLineFile | null = null;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly deps: RecordFeatureDeps,
  ) {
    this.log = ctx.logger.child({ mod: 'record' });
  }

  /** Lines written and dropped while recording; null when not recording. */
  get stats(): RotatingFileStats | null {
    return this.file?.stats ?? null;
  }

  /** Where the recording goes, or null when `record:` is absent. */
  get path(): string | null {
    const cfg = this.ctx.config.record;
    if (!cfg) return null;
    const { configFile } = this.ctx.config;
    return isAbsolute(cfg.path) || !configFile ? resolve(cfg.path) : resolve(dirname(configFile), cfg.path);
  }

  async start(): Promise<void> {
    const cfg = this.ctx.config.record;
    const path = this.path;
    if (!cfg || !path) return;
    const scope = new FeatureScope(this.log);
    this.scope = scope;
    const file = new RotatingLineFile({
      path,
      partBytes: Math.max(4096, Math.floor((cfg.max_mb * 1024 * 1024) / cfg.files)),
      files: cfg.files,
    });
    this.file = file;
    let unreplayable = 0;
    scope.metric(
      this.ctx.metrics,
      new Counter({
        name: 'storegate_record_lines_total',
        help: 'Device readings seen by the recorder, by outcome (written, dropped on a write failure, not replayable)',
        labelNames: ['outcome'],
        registers: [this.ctx.metrics],
        collect() {
          this.reset();
          this.inc({ outcome: 'written' }, file.stats.written);
          this.inc({ outcome: 'dropped' }, file.stats.dropped);
          this.inc({ outcome: 'not_replayable' }, unreplayable);
        },
      }),
    );
    const shelfHz = this.ctx.config.shelves.sample_hz;
    const record = (reading: Reading) => {
      if (reading.quality === 'bad') return [];
      const line = recordLineOf(reading, { laneOf: this.deps.laneOf, shelfHz });
      if (line) file.write(JSON.stringify(line));
      else unreplayable++;
      return [];
    };
    const failures = createLogThrottle({ now: () => this.ctx.clock.now(), burst: 1 });
    const flush = () => {
      try {
        file.flush();
      } catch (err) {
        const gate = failures.allow('write');
        if (gate.log)
          this.log.error({ err, path, suppressed: gate.suppressed }, 'recording not written; retrying');
      }
    };
    scope.defer(() => {
      try {
        file.close();
      } catch (err) {
        this.log.error({ err, path, lost: file.discardPending() }, 'recording not written at stop');
      }
      this.file = null;
    });
    file.open(); // a path that cannot be written fails the feature at start, visibly in /healthz
    // Ticks too: what a tick decides (timeouts, confirmations) then replays at the live tick's time.
    const tick = (now: number) => {
      file.write(JSON.stringify(recordTickOf(now)));
      return [];
    };
    scope.defer(
      this.ctx.pipeline.add({ name: 'record', handles: RECORDABLE_READINGS, process: record, tick }),
    );
    // Attendant actions come from the API, not a device; their cleared events say what replay must apply.
    scope.listen(this.ctx.live, 'events', (events) => {
      for (const e of events) {
        const line = recordAttendantOf(e);
        if (line) file.write(JSON.stringify(line));
      }
    });
    scope.every(this.ctx.clock, cfg.flush_ms, flush, 'recording flush');
    this.log.info({ path, max_mb: cfg.max_mb, files: cfg.files }, 'recording device inputs');
  }

  async stop(): Promise<void> {
    await this.scope?.release();
    this.scope = null;
  }
}
