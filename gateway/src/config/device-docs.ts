import { z } from 'zod';
import type { TopicSpec } from '../../../shared/src/devices/define.js';
import {
  allCommands,
  definitionOf,
  deviceKinds,
  kindTopics,
  readingSpecs,
  STATUS_SUFFIX,
  topicBySuffix,
} from '../../../shared/src/devices/tables.js';
import { StoregateError } from '../core/errors.js';

/**
 * The tables of docs/device-protocol.md and docs/devices.md that describe device kinds, generated from the
 * definitions (shared/src/devices/) between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`
 * markers; `npm run schemas` rewrites them and a test fails when they are stale. Prose stays hand-written.
 */

const cell = (s: string) => s.replaceAll('\n', ' ');
const code = (s: string) => `\`${s}\``;

function kindsOf(suffix: string): string {
  if (suffix === STATUS_SUFFIX) return 'all';
  return deviceKinds.filter((k) => (kindTopics[k] as readonly string[]).includes(suffix)).join(', ');
}

function topicRow(suffix: string, t: TopicSpec): string {
  const must = t.reading.mustDeliver ? 'yes' : '—';
  return `| ${code(suffix)} | ${kindsOf(suffix)} | ${code(t.reading.type)} | ${must} | ${cell(t.doc)} | ${code(JSON.stringify(t.example))} |`;
}

function topicsTable(): string {
  return [
    '| topic suffix | kinds | reading | must deliver | payload | example |',
    '| --- | --- | --- | --- | --- | --- |',
    ...[...topicBySuffix].map(([suffix, t]) => topicRow(suffix, t)),
  ].join('\n');
}

function mustDeliverList(): string {
  const suffixes = [...topicBySuffix].filter(([, t]) => t.reading.mustDeliver).map(([s]) => code(s));
  return `Must-deliver topics: ${suffixes.join(', ')}.`;
}

function keysOf(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const keys = Object.keys(json.properties ?? {});
  if (keys.length === 0) return 'any object';
  return keys.map((k) => (json.required?.includes(k) ? code(k) : `${code(k)}?`)).join(', ');
}

function commandsTable(): string {
  return [
    '| kind | name | args | answer `data` | what it does | sent by |',
    '| --- | --- | --- | --- | --- | --- |',
    ...allCommands().map(
      ({ kind, name, spec }) =>
        `| ${kind} | ${code(name)} | ${keysOf(spec.args)} | ${keysOf(spec.response)} | ${spec.summary} | ${spec.sentBy} |`,
    ),
  ].join('\n');
}

function readingsList(): string {
  return [...readingSpecs]
    .map(
      ([type, r]) =>
        `- ${code(type)} (${r.kinds.length > 0 ? r.kinds.join(', ') : 'any kind'}): ${r.spec.summary}`,
    )
    .join('\n');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function kindsTable(): string {
  return [
    '| kind | what it is | topics | readings | expected interval | commands |',
    '| --- | --- | --- | --- | --- | --- |',
    ...deviceKinds.map((k) => {
      const d = definitionOf[k];
      const readings = d.readings.map((r) => code(r.type)).join(', ');
      const health = `${seconds(d.health.intervalMs)} (${d.health.basis}: ${d.health.note})`;
      const commands = Object.keys(d.commands).map(code).join(', ') || '—';
      return `| ${k} | ${d.summary} | ${kindTopics[k].map(code).join(', ')} | ${readings} | ${health} | ${commands} |`;
    }),
  ].join('\n');
}

/** File name under docs/ → block name → generated Markdown. */
export function deviceDocBlocks(): Record<string, Record<string, string>> {
  return {
    'device-protocol.md': {
      topics: topicsTable(),
      'must-deliver': mustDeliverList(),
      commands: commandsTable(),
      readings: readingsList(),
    },
    'devices.md': { kinds: kindsTable() },
  };
}

/** `text` with every generated block replaced; a block whose markers are missing is an error. */
export function withGeneratedBlocks(file: string, text: string, blocks: Record<string, string>): string {
  let out = text;
  for (const [name, body] of Object.entries(blocks)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start)
      throw new StoregateError('SG_IO', `${file}: markers ${open} … ${close} missing`);
    out = `${out.slice(0, start + open.length)}\n${body}\n${out.slice(end)}`;
  }
  return out;
}
