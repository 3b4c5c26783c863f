import { z } from 'zod';
import { defineKind, reading, topic } from './define.js';
import { laneSimulator } from './lane-session.js';

export interface ScanBody {
  type: 'scanner.scan';
  code: string;
  symbology?: string;
}

export const scannerScan = reading<ScanBody>('scanner.scan', {
  summary: 'one barcode read',
  mustDeliver: true,
});

const scanTopic = topic(scannerScan, {
  wire: {
    code: z
      .string({ error: 'must be the scanned code' })
      .min(1, { error: 'must be the scanned code' })
      .max(64, { error: 'must be at most 64 characters' })
      .regex(/^[\x20-\x7e]+$/, { error: 'printable ASCII only' }),
    symbology: z
      .string({ error: 'must be a string' })
      .max(16, { error: 'must be at most 16 characters' })
      .optional(),
  },
  fields: { code: 'code', symbology: 'symbology' },
  doc: '`code` printable ASCII ≤ 64 chars; optional `symbology` (e.g. AIM `]E0`)',
  example: { code: '5012345678900', symbology: ']E0' },
});

export const scannerKind = defineKind({
  kind: 'scanner',
  summary: 'barcode scanner of a checkout lane (MQTT, or a serial line scanner)',
  topics: { scan: scanTopic },
  readings: [scannerScan],
  health: { intervalMs: 300_000, basis: 'heartbeat', note: 'scans when used, status every 5 min' },
  commands: {},
  simulate: laneSimulator('scanner'),
});
