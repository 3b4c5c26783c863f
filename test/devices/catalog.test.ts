import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deviceDocBlocks, withGeneratedBlocks } from '../../gateway/src/config/device-docs.js';
import { defineKind, reading, topic } from '../../shared/src/devices/define.js';
import { counter } from '../../shared/src/devices/wire.js';

interface ProbeBody {
  type: 'probe.value';
  count: number;
}
const probe = reading<ProbeBody>('probe.value', { summary: 'test', mustDeliver: false });
const health = { intervalMs: 1000, basis: 'data', note: '' } as const;

describe('the definition API refuses contradictions when a definition is built', () => {
  it('a field mapped to a key its payload does not have', () => {
    expect(() =>
      topic(probe, {
        wire: { n: counter },
        fields: { count: 'count' as 'n' },
        doc: '',
        example: { n: 1 },
      }),
    ).toThrow(/probe.value.count: no payload key "count"/);
  });

  it('a wire key mapped to two reading fields, or the device time mapped to a field', () => {
    interface Two {
      type: 'two.value';
      a: number;
      b: number;
    }
    const two = reading<Two>('two.value', { summary: 'test', mustDeliver: false });
    const wire = { n: counter };
    expect(() => topic(two, { wire, fields: { a: 'n', b: 'n' }, doc: '', example: { n: 1 } })).toThrow(
      /"n" is mapped twice/,
    );
    expect(() => topic(probe, { wire, fields: { count: 't' as 'n' }, doc: '', example: { n: 1 } })).toThrow(
      /no payload key "t"/,
    );
  });

  it('a topic whose reading is not among its kind’s readings', () => {
    const t = topic(probe, {
      wire: { count: counter },
      fields: { count: 'count' },
      doc: '',
      example: { count: 1 },
    });
    expect(() =>
      defineKind({ kind: 'probe', summary: '', topics: { probe: t }, readings: [], health, commands: {} }),
    ).toThrow(/topic probe maps to probe.value, not in its readings/);
  });

  it('adds the optional device time and message id and makes the payload strict', () => {
    const t = topic(probe, {
      wire: { count: counter },
      fields: { count: 'count' },
      doc: '',
      example: { count: 1 },
    });
    expect(Object.keys(t.payload.shape)).toEqual(['t', 'msg_id', 'count']);
    expect(t.payload.safeParse({ count: 1, msg_id: 'a-1' }).success).toBe(true);
    expect(t.payload.safeParse({ count: 1, msg_id: 7 }).success).toBe(true);
    expect(t.payload.safeParse({ count: 1, msg_id: '' }).success).toBe(false);
    expect(t.requiredKeys).toEqual(['count']);
    expect(t.payload.safeParse({ count: 1, x: 1 }).success).toBe(false);
    expect(z.toJSONSchema(t.payload)).toMatchObject({ additionalProperties: false, required: ['count'] });
  });
});

describe('generated device docs', () => {
  const docs = resolve(import.meta.dirname, '../../docs');
  it.each(Object.entries(deviceDocBlocks()))('docs/%s is current with the definitions', (name, blocks) => {
    const text = readFileSync(resolve(docs, name), 'utf8');
    expect(text, 'stale: run `npm run schemas` and commit docs/').toBe(
      withGeneratedBlocks(name, text, blocks),
    );
  });

  it('a document without the markers is an error, not a silent skip', () => {
    expect(() => withGeneratedBlocks('x.md', 'no markers', { topics: '' })).toThrow(/markers/);
  });
});
