import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { BrokerLaneStatePublisher } from '../../gateway/src/features/checkout/lane-state-publisher.js';
import type { LaneState } from '../../gateway/src/processors/checkout/lane-types.js';

function state(lane: string, n: number): LaneState {
  return {
    lane,
    phase: 'shopping',
    session: `${lane}:1`,
    message: `m${n}`,
    alert: null,
    scanned: n,
    verified: 0,
    pending: [],
    scale: { grams: null, status: null },
    baseline_grams: null,
    maintenance: false,
    updated_at: n,
  };
}

describe('BrokerLaneStatePublisher', () => {
  it('publishes retained QoS 1 on lanes/{id}/state and coalesces a burst to the newest state', async () => {
    const sent: Array<{ topic: string; scanned: number; retain: boolean; qos: number }> = [];
    const pub = new BrokerLaneStatePublisher(
      {
        publish: async (topic, payload, options) => {
          await new Promise((r) => setTimeout(r, 5));
          sent.push({ topic, scanned: (JSON.parse(payload) as LaneState).scanned, ...options });
        },
      },
      pino({ level: 'silent' }),
    );
    for (let i = 1; i <= 5; i++) pub.publish(state('lane-1', i));
    pub.publish(state('lane-2', 1));
    await pub.flush();
    await pub.flush();
    expect(sent.filter((s) => s.topic === 'lanes/lane-1/state').map((s) => s.scanned)).toEqual([1, 5]);
    expect(sent.find((s) => s.topic === 'lanes/lane-2/state')).toMatchObject({ retain: true, qos: 1 });
  });

  it('a failed publish (broker not started) is kept and delivered by the next flush', async () => {
    let up = false;
    const sent: string[] = [];
    const pub = new BrokerLaneStatePublisher(
      {
        publish: async (_topic, payload) => {
          if (!up) throw new Error('broker is not started');
          sent.push(payload);
        },
      },
      pino({ level: 'silent' }),
    );
    pub.publish(state('lane-1', 1));
    await pub.flush();
    expect(sent).toEqual([]);
    up = true;
    await pub.flush();
    expect(sent.map((p) => (JSON.parse(p) as LaneState).scanned)).toEqual([1]);
  });
});
