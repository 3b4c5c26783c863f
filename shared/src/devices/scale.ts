import { defineKind, reading, topic } from './define.js';
import { laneSimulator } from './lane-session.js';
import { grams, oneOf } from './wire.js';

export const SCALE_STATUSES = ['stable', 'motion', 'zero', 'under', 'over'] as const;
export type ScaleStatus = (typeof SCALE_STATUSES)[number];

export interface ScaleReadingBody {
  type: 'scale.reading';
  grams: number;
  status: ScaleStatus;
}

export const scaleReading = reading<ScaleReadingBody>('scale.reading', {
  summary: 'weight on a bagging-area scale with the scale’s own status',
  mustDeliver: true,
  // Out of range, the number is not a weight (Intel's reference scale driver reports the same states).
  quality: (r) => (r.status === 'over' || r.status === 'under' ? 'bad' : 'good'),
});

const scaleTopic = topic(scaleReading, {
  wire: { grams, status: oneOf(SCALE_STATUSES) },
  fields: { grams: 'grams', status: 'status' },
  doc: '`grams`; `status` `stable`\\|`motion`\\|`zero`\\|`under`\\|`over`',
  example: { grams: 1234.5, status: 'stable' },
});

export const scaleKind = defineKind({
  kind: 'scale',
  summary: 'bagging-area scale of a checkout lane (MQTT, Storegate serial or MT-SICS)',
  topics: { scale: scaleTopic },
  readings: [scaleReading],
  health: { intervalMs: 60_000, basis: 'heartbeat', note: 'readings when used, status every 60 s' },
  commands: {},
  simulate: laneSimulator('scale'),
});
