import type { StoreEventMap, StoreEventOf } from '../../core/events.js';
import { DATA_LOSS_TYPE, OUTBOX_STREAM } from './internal-events.js';
import type { OutboxLoss } from './outbox-recovery.js';

/** Room left for the envelope (id, epoch, seq, stream, type, class) around `data`. */
const ENVELOPE_BYTES = 512;

/**
 * The must-deliver `gateway.data_loss` event, first in the new epoch. It names the old epoch and what may be
 * gone: per stream the last seq the state file had recorded and the seq range the old database still held
 * (if it could be read). Whatever of the old epoch the cloud has not received up to those seqs was lost.
 * Per-stream detail is left out (and `streams_truncated` set) if it would not fit in one event.
 */
export function dataLossEvent(
  loss: OutboxLoss,
  t: number,
  maxEventBytes: number,
): StoreEventOf<'gateway.data_loss'> {
  const last = loss.lastKnown;
  const data: StoreEventMap['gateway.data_loss'] = {
    reason: loss.reason,
    detail: loss.detail,
    epoch: loss.epoch,
    previous_epoch: loss.previousEpoch,
    moved_to: loss.movedTo,
    last_known: last
      ? {
          epoch: last.epoch,
          saved_at: last.saved_at,
          must_deliver: last.must_deliver,
          telemetry: last.telemetry,
          streams: last.streams,
        }
      : null,
    queued: loss.queued,
    queued_problem: loss.queuedProblem,
    streams_truncated: false,
  };
  if (JSON.stringify(data).length > maxEventBytes - ENVELOPE_BYTES) {
    data.streams_truncated = true;
    if (loss.queued) data.queued = { ...loss.queued, streams: {} };
    if (data.last_known) data.last_known = { ...data.last_known, streams: {} };
  }
  return { type: DATA_LOSS_TYPE, t, stream: OUTBOX_STREAM, dataClass: 'must_deliver', data };
}
