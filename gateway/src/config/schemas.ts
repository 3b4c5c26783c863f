import { z } from 'zod';
import { deviceCommand, deviceCommandResponse } from '../../../shared/src/device-contract.js';
import { allCommands, topicBySuffix } from '../../../shared/src/devices/tables.js';
import { cloudBatch } from '../core/cloud-events.js';
import { storeEventSchemas } from '../core/events.js';
import { eventSchemaFile } from './event-docs.js';
import { configSchema } from './schema.js';

/**
 * Every schema we publish as JSON Schema (docs/schemas/), generated from the zod schemas so docs and
 * validation can never disagree. `storegate schema export DIR` writes them; a test checks they are current.
 * Device payloads and commands come from the device kind definitions (shared/src/devices/).
 */
export function exportedSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {
    'config.schema.json': z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    'device-command.schema.json': z.toJSONSchema(deviceCommand),
    'device-command-response.schema.json': z.toJSONSchema(deviceCommandResponse, { unrepresentable: 'any' }),
  };
  for (const [suffix, topic] of topicBySuffix) {
    out[devicePayloadSchemaFile(suffix)] = {
      title: `devices/{id}/${suffix}`,
      ...z.toJSONSchema(topic.payload),
    };
  }
  for (const { kind, name, spec } of allCommands()) {
    const message = z.strictObject({ id: deviceCommand.shape.id, name: z.literal(name), args: spec.args });
    out[`device-cmd-${kind}-${name}.schema.json`] = {
      title: `devices/{id}/cmd: ${name} (${kind})`,
      description: spec.summary,
      ...z.toJSONSchema(message),
    };
    out[`device-cmd-${kind}-${name}-response.schema.json`] = {
      title: `devices/{id}/cmd-response data of ${name} (${kind})`,
      ...z.toJSONSchema(spec.response),
    };
  }
  out['cloud-batch.schema.json'] = { title: '{prefix}/events', ...z.toJSONSchema(cloudBatch) };
  for (const [type, schema] of Object.entries(storeEventSchemas)) {
    out[eventSchemaFile(type)] = { title: `data of ${type} events`, ...z.toJSONSchema(schema) };
  }
  return out;
}

export function devicePayloadSchemaFile(suffix: string): string {
  return `device-${suffix.replace('/', '-')}.schema.json`;
}
