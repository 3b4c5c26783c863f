import { z } from 'zod';
import { serialSection } from '../../../shared/src/serial-config.js';
import { brokerSection } from './sections/broker.js';
import { checkoutSection } from './sections/checkout.js';
import { cloudSection, outboxSection } from './sections/cloud.js';
import { coldchainSection } from './sections/coldchain.js';
import { footfallSection } from './sections/footfall.js';
import { httpSection } from './sections/http.js';
import { modbusSection } from './sections/modbus.js';
import { opcuaSection } from './sections/opcua.js';
import { recordSection } from './sections/record.js';
import { shelvesSection } from './sections/shelves.js';
import { upgradeSection } from './sections/upgrade.js';
import { isTimeZone } from './suggest.js';

/**
 * The one schema of storegate.yaml. Wire and YAML keys are snake_case; every object is strict so a typo
 * is an error at start, never a silently ignored setting.
 */
export const configSchema = z.strictObject({
  store: z
    .strictObject({
      id: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -')
        .default('demo-store'),
      name: z.string().default('Demo store'),
      timezone: z
        .string()
        .default('UTC')
        .refine(isTimeZone, { error: 'not a time zone this system knows (IANA name, e.g. Europe/Amsterdam)' })
        .describe('IANA time zone of the store (occupancy reset, store days, HACCP reports)'),
    })
    .default({ id: 'demo-store', name: 'Demo store', timezone: 'UTC' }),
  data_dir: z.string().default('./data').describe('Where SQLite databases live; relative to the config file'),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    })
    .default({ level: 'info' }),
  http: httpSection.default(httpSection.parse({})),
  broker: brokerSection.default(brokerSection.parse({})),
  health: z
    .strictObject({
      check_interval_ms: z.number().int().min(100).default(5_000),
      offline_after_missed: z
        .number()
        .min(1)
        .default(3)
        .describe('Offline after this many expected intervals'),
    })
    .default({ check_interval_ms: 5_000, offline_after_missed: 3 }),
  shutdown_timeout_ms: z.number().int().min(100).default(10_000),
  outbox: outboxSection.default(outboxSection.parse({})),
  cloud: cloudSection.optional(),
  serial: serialSection.default(serialSection.parse({})),
  opcua: opcuaSection.default(opcuaSection.parse({})),
  modbus: modbusSection.default(modbusSection.parse({})),
  shelves: shelvesSection.default(shelvesSection.parse({})),
  footfall: footfallSection.default(footfallSection.parse({})),
  checkout: checkoutSection.default(checkoutSection.parse({})),
  coldchain: coldchainSection.default(coldchainSection.parse({})),
  record: recordSection.optional(),
  upgrade: upgradeSection.default(upgradeSection.parse({})),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
