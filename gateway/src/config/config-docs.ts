import { z } from 'zod';
import { ENV_PREFIX } from './env-overrides.js';
import { configSchema } from './schema.js';

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.anyOf) return node.anyOf.map(typeOf).join(' \\| ');
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'any'}`;
  return Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
}

function rangeOf(node: JsonSchemaNode): string {
  const parts: string[] = [];
  if (node.minimum !== undefined) parts.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined) parts.push(`≤ ${node.maximum}`);
  if (node.pattern) parts.push(`matches \`${node.pattern}\``);
  return parts.join(', ');
}

function rows(node: JsonSchemaNode, path: string[], out: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const p = [...path, key];
    if (child.type === 'object' && child.properties) {
      out.push(`| \`${p.join('.')}\` | section | | ${child.description ?? ''} |`);
      rows(child, p, out);
      continue;
    }
    const def = child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``;
    const notes = [child.description, rangeOf(child)].filter(Boolean).join('; ');
    out.push(`| \`${p.join('.')}\` | ${typeOf(child)} | ${def} | ${notes} |`);
    // Lists of objects (doors, lanes, endpoints…): document each entry's keys as `list[].key`.
    if (child.type === 'array' && child.items?.properties)
      rows(child.items, [...p.slice(0, -1), `${key}[]`], out);
  }
}

/** docs/configuration.md, generated from the one config schema so the reference cannot drift from the code. */
export function configReferenceMarkdown(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from gateway/src/config/schema.ts by `npm run schemas`; do not edit by hand. -->',
    '',
    'Storegate reads one YAML file: `storegate.yaml` in the working directory, or `--config PATH`.',
    'Every key is optional. Unknown keys are errors. Every problem is reported at start with its path and a hint.',
    'A commented example is in [`deploy/storegate.example.yaml`](../deploy/storegate.example.yaml); the JSON',
    'Schema is [`schemas/config.schema.json`](schemas/config.schema.json).',
    '',
    '## Environment overrides',
    '',
    `Any key can be set from the environment as \`${ENV_PREFIX}<PATH>\`: the key path upper-cased, nested keys`,
    `joined by \`__\`. Examples: \`${ENV_PREFIX}BROKER__PORT=1884\`, \`${ENV_PREFIX}LOG__LEVEL=debug\`,`,
    `\`${ENV_PREFIX}CLOUD__URL=mqtts://broker.example:8883\`. Lists and objects take JSON. An override naming no`,
    'setting is an error, not ignored.',
    '',
    '## Keys',
    '',
    '| key | type | default | notes |',
    '| --- | --- | --- | --- |',
  ];
  rows(schema, [], out);
  return `${out.join('\n')}\n`;
}
