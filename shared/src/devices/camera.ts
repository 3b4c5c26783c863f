import { defineKind, reading, topic } from './define.js';
import type { Simulator } from './simulate.js';
import { counter, integer, label } from './wire.js';

export interface CameraLineBody {
  type: 'camera.line';
  line: string;
  /** Cumulative crossings as reported by the camera. */
  in: number;
  out: number;
}

export interface CameraZoneBody {
  type: 'camera.zone';
  zone: string;
  count: number;
}

export const cameraLine = reading<CameraLineBody>('camera.line', {
  summary: 'cumulative crossings of a virtual line',
  mustDeliver: true,
});

export const cameraZone = reading<CameraZoneBody>('camera.zone', {
  summary: 'people currently in a zone',
  // A snapshot, superseded by the next one.
  mustDeliver: false,
});

const lineTopic = topic(cameraLine, {
  wire: { line: label, in: counter, out: counter },
  fields: { line: 'line', in: 'in', out: 'out' },
  doc: 'cumulative line crossings: `line` label, `in`, `out`',
  example: { line: 'entrance', in: 812, out: 790 },
});

const zoneTopic = topic(cameraZone, {
  wire: { zone: label, count: integer(0, 10_000) },
  fields: { zone: 'zone', count: 'count' },
  doc: 'people currently in a zone: `zone`, `count`',
  example: { zone: 'produce', count: 7 },
});

/** Every 10 s: crossings of the entrance line and the head count of the produce zone. */
const cameraSimulator: Simulator<{ in: number; out: number }> = {
  everyMs: 10_000,
  init: () => ({ state: { in: 0, out: 0 }, publish: [] }),
  step(state, now, { random }) {
    const entered = state.in + Math.floor(random() * 6);
    const next = { in: entered, out: Math.min(entered, state.out + Math.floor(random() * 6)) };
    return {
      state: next,
      publish: [
        { suffix: 'camera/line', payload: { t: now, line: 'entrance', ...next }, qos: 1 },
        {
          suffix: 'camera/zone',
          payload: { t: now, zone: 'produce', count: Math.floor(random() * 9) },
          qos: 1,
        },
      ],
    };
  },
};

export const cameraKind = defineKind({
  kind: 'camera',
  summary: 'people-counting camera: line crossings and zone counts, metadata only',
  topics: { 'camera/line': lineTopic, 'camera/zone': zoneTopic },
  readings: [cameraLine, cameraZone],
  health: { intervalMs: 60_000, basis: 'data', note: 'line/zone counts or status every 60 s' },
  commands: {},
  metadataOnly: true,
  simulate: cameraSimulator,
});
