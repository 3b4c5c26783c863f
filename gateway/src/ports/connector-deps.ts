import type { Registry as MetricsRegistry } from 'prom-client';
import type { Clock } from '../../../shared/src/clock.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { DeviceRegistry } from './device-registry.js';
import type { DeviceStats } from './device-stats.js';
import type { ReadingIngest } from './pipeline.js';

/**
 * What a connector may use: it hands readings to `pipeline`, notes devices as seen in `registry` and
 * `deviceStats`, and counts in `metrics`. A connector never sees HTTP, sinks or other features.
 */
export interface ConnectorDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly registry: DeviceRegistry;
  readonly deviceStats: DeviceStats;
  readonly pipeline: ReadingIngest;
}
