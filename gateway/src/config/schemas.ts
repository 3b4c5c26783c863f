import { z } from 'zod';
import { deviceCommand, deviceCommandResponse, topicPayloads } from '../../../shared/src/device-contract.js';
import { cloudBatch, outboxEventData } from '../core/cloud-events.js';
import { configSchema } from './schema.js';

/**
 * Every schema we publish as JSON Schema (docs/schemas/), generated from the zod schemas so docs and
 * validation can never disagree. `storegate schema export DIR` writes them; a test checks they are current.
 */
export function exportedSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {
    'config.schema.json': z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    'device-command.schema.json': z.toJSONSchema(deviceCommand),
    'device-command-response.schema.json': z.toJSONSchema(deviceCommandResponse, { unrepresentable: 'any' }),
  };
  for (const [suffix, schema] of Object.entries(topicPayloads)) {
    out[`device-${suffix.replace('/', '-')}.schema.json`] = {
      title: `devices/{id}/${suffix}`,
      ...z.toJSONSchema(schema),
    };
  }
  out['cloud-batch.schema.json'] = { title: '{prefix}/events', ...z.toJSONSchema(cloudBatch) };
  for (const [type, schema] of Object.entries(outboxEventData)) {
    out[`event-${type}.schema.json`] = { title: `data of ${type} events`, ...z.toJSONSchema(schema) };
  }
  return out;
}
