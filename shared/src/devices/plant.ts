import { defineKind, reading } from './define.js';

export interface PlantValueBody {
  type: 'plant.value';
  /** Point name, e.g. an OPC UA node's browse path or configured alias. */
  point: string;
  value: number | boolean | string;
  unit?: string;
}

export const plantValue = reading<PlantValueBody>('plant.value', {
  summary: 'a refrigeration or building point (OPC UA)',
  mustDeliver: false,
});

/** Plant points arrive over OPC UA (connectors/opcua); an MQTT plant device only sends status. */
export const plantKind = defineKind({
  kind: 'plant',
  summary: 'refrigeration and building plant read over OPC UA',
  topics: {},
  readings: [plantValue],
  health: { intervalMs: 60_000, basis: 'data', note: 'OPC UA values or status every 60 s' },
  commands: {},
});
