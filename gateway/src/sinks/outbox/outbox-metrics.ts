import { Counter, Gauge, type Registry } from 'prom-client';
import { repeat, systemClock } from '../../../../shared/src/clock.js';
import { WATERMARK_RANK } from './disk-guard.js';
import type { Outbox } from './outbox.js';

const CLASSES = ['must_deliver', 'telemetry'] as const;

/** Growth rate smoothing for the time-to-full estimate (a long outage fills at a steady rate). */
const ETA_SAMPLE_MS = 10_000;
const ETA_ALPHA = 0.3;

/**
 * Outbox metrics, computed on scrape from the outbox's in-memory mirror (no database query per scrape
 * except the oldest row, which is an index lookup). Returns a stop function for the ETA sampler.
 */
export function registerOutboxMetrics(outbox: Outbox, registry: Registry): () => void {
  let rate = 0;
  let lastUsed = outbox.usedBytes();
  // Monotonic: a wall-clock step must not turn into a growth spike.
  let lastAt = outbox.options.clock.monotonic();
  // Sampling paces a metric, not domain time: real time (unref'd) even under a FakeClock.
  const stopSampling = repeat(systemClock(), ETA_SAMPLE_MS, () => {
    const now = outbox.options.clock.monotonic();
    const used = outbox.usedBytes();
    const dt = (now - lastAt) / 1000;
    if (dt > 0) rate = ETA_ALPHA * ((used - lastUsed) / dt) + (1 - ETA_ALPHA) * rate;
    lastUsed = used;
    lastAt = now;
  });

  const registers = [registry];
  new Gauge({
    name: 'storegate_outbox_depth',
    help: 'Events waiting in the outbox, by data class',
    labelNames: ['class'],
    registers,
    collect() {
      for (const c of CLASSES) this.set({ class: c }, outbox.totals()[c].count);
    },
  });
  new Gauge({
    name: 'storegate_outbox_bytes',
    help: 'Accounted bytes of events waiting in the outbox, by data class',
    labelNames: ['class'],
    registers,
    collect() {
      for (const c of CLASSES) this.set({ class: c }, outbox.totals()[c].bytes);
    },
  });
  new Gauge({
    name: 'storegate_outbox_budget_bytes',
    help: 'Configured outbox budget (outbox.budget_bytes)',
    registers,
    collect() {
      this.set(outbox.options.budgetBytes);
    },
  });
  new Gauge({
    name: 'storegate_outbox_watermark',
    help: 'Budget watermark: 0 ok, 1 warn, 2 compacting, 3 critical',
    registers,
    collect() {
      this.set(WATERMARK_RANK[outbox.watermark()]);
    },
  });
  new Gauge({
    name: 'storegate_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest event not yet acknowledged by the cloud (0 when empty)',
    registers,
    collect() {
      const oldest = outbox.oldestEnqueuedAt();
      this.set(oldest === null ? 0 : Math.max(0, (outbox.options.clock.now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: 'storegate_outbox_budget_full_eta_seconds',
    help: 'Estimated seconds until the budget is full at the recent growth rate (+Inf when not growing)',
    registers,
    collect() {
      const left = outbox.options.budgetBytes - outbox.usedBytes();
      this.set(rate > 0 ? Math.max(0, left / rate) : Number.POSITIVE_INFINITY);
    },
  });
  new Gauge({
    name: 'storegate_outbox_free_disk_bytes',
    help: 'Free bytes on the data_dir filesystem as last read by the outbox',
    registers,
    collect() {
      this.set(outbox.freeDiskBytes());
    },
  });
  new Gauge({
    name: 'storegate_outbox_available_disk_bytes',
    help: 'What appends may use: free disk + free pages inside outbox.db - released reserve (floor applies to it)',
    registers,
    collect() {
      this.set(outbox.disk().available);
    },
  });
  new Gauge({
    name: 'storegate_outbox_reclaimable_bytes',
    help: 'Free pages inside outbox.db, reused before the file grows',
    registers,
    collect() {
      this.set(outbox.disk().reclaimable);
    },
  });
  new Gauge({
    name: 'storegate_outbox_reserve_bytes',
    help: 'Bytes held by the preallocated disk reserve (outbox.reserve)',
    registers,
    collect() {
      const r = outbox.options.reserve;
      this.set(r ? r.bytes - r.missing() : 0);
    },
  });
  new Gauge({
    name: 'storegate_outbox_refusing',
    help: '1 while the disk is full and every append is refused (devices are not acknowledged)',
    registers,
    collect() {
      this.set(outbox.pressure.isRefusing() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'storegate_outbox_epoch',
    help: 'Stream epoch of the outbox (changes only when an outbox was lost and a fresh one started)',
    registers,
    collect() {
      this.set(outbox.state.epoch);
    },
  });
  for (const [kind, help] of [
    ['compacted', 'Telemetry events folded into coarser rollups, by reason'],
    [
      'dropped',
      'Telemetry events dropped, by reason (only 1 h rollups above the budget; each run has a marker)',
    ],
    ['rejected', 'Events refused at append (caller told), by reason'],
  ] as const) {
    new Counter({
      name: `storegate_outbox_${kind}_events_total`,
      help,
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [name, n] of outbox.state.counters) {
          if (name.startsWith(`${kind}:`)) this.inc({ reason: name.slice(kind.length + 1) }, n);
        }
      },
    });
  }
  return stopSampling;
}
