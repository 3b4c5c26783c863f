import type { StoreEventMap, StoreEventOf } from '../../core/events.js';

/**
 * Events the outbox writes about itself, in-band with the data, so the cloud learns of a refusal, a loss or
 * a clock step from the same stream it reads everything else from. All are must-deliver.
 */
export const OUTBOX_STREAM = 'gateway/outbox';
export const CLOCK_STREAM = 'gateway/clock';

export const DISK_FULL_TYPE = 'gateway.disk_full' as const;
export const DATA_LOSS_TYPE = 'gateway.data_loss' as const;
export const CLOCK_STEP_TYPE = 'clock.step' as const;

export interface RefusedCounts {
  must_deliver: number;
  telemetry: number;
  by_type: Record<string, number>;
}

export interface DiskFigures {
  available_bytes: number;
  free_bytes: number;
  reclaimable_bytes: number;
  floor_bytes: number;
}

/** The outbox started refusing appends: devices are not acknowledged and keep their readings. */
export type DiskFullCause = Extract<StoreEventMap['gateway.disk_full'], { state: 'refusing' }>['cause'];

export function diskRefusingEvent(
  t: number,
  cause: DiskFullCause,
  disk: DiskFigures,
): StoreEventOf<'gateway.disk_full'> {
  return {
    type: DISK_FULL_TYPE,
    t,
    stream: OUTBOX_STREAM,
    dataClass: 'must_deliver',
    data: { state: 'refusing', cause, since: t, ...disk },
  };
}

/** Space is back: what was refused meanwhile (callers were told; devices resend theirs). */
export function diskRecoveredEvent(
  t: number,
  since: number,
  refused: RefusedCounts,
  disk: DiskFigures,
): StoreEventOf<'gateway.disk_full'> {
  return {
    type: DISK_FULL_TYPE,
    t,
    stream: OUTBOX_STREAM,
    dataClass: 'must_deliver',
    data: { state: 'recovered', since, until: t, refused, ...disk },
  };
}

export interface ClockStep {
  /** Wall time the clock should have shown (previous offset + monotonic time elapsed). */
  expected: number;
  /** Wall time it shows. */
  actual: number;
}

export function clockStepEvent(step: ClockStep): StoreEventOf<'clock.step'> {
  const delta = step.actual - step.expected;
  return {
    type: CLOCK_STEP_TYPE,
    t: step.actual,
    stream: CLOCK_STREAM,
    dataClass: 'must_deliver',
    data: {
      direction: delta < 0 ? 'back' : 'forward',
      delta_ms: Math.round(delta),
      expected_ms: Math.round(step.expected),
      actual_ms: step.actual,
    },
  };
}
