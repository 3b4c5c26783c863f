import { z } from 'zod';
import { defineKind, reading, topic } from './define.js';
import { laneSimulator } from './lane-session.js';
import { label, oneOf } from './wire.js';

export const POS_EVENTS = [
  'basket-open',
  'payment-start',
  'payment-success',
  'basket-close',
  'transaction',
] as const;
export type PosEventName = (typeof POS_EVENTS)[number];

export interface PosEventBody {
  type: 'pos.event';
  event: PosEventName;
  lane?: string;
  transactionId?: string;
}

export const posEvent = reading<PosEventBody>('pos.event', {
  summary: 'a point-of-sale event of a checkout lane',
  mustDeliver: true,
});

const posTopic = topic(posEvent, {
  wire: {
    event: oneOf(POS_EVENTS),
    lane: label.optional(),
    transaction_id: z
      .string({ error: 'must be a string' })
      .max(64, { error: 'must be at most 64 characters' })
      .optional(),
  },
  fields: { event: 'event', lane: 'lane', transactionId: 'transaction_id' },
  doc: '`event` `basket-open`\\|`payment-start`\\|`payment-success`\\|`basket-close`\\|`transaction`; optional `lane`, `transaction_id`',
  example: { event: 'transaction', lane: 'lane-1', transaction_id: 'T-981' },
});

export const posKind = defineKind({
  kind: 'pos',
  summary: 'point-of-sale terminal of a checkout lane',
  topics: { pos: posTopic },
  readings: [posEvent],
  health: { intervalMs: 300_000, basis: 'heartbeat', note: 'POS events when used, status every 5 min' },
  commands: {},
  simulate: laneSimulator('pos'),
});
