import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReferenceMarkdown } from '../../gateway/src/config/config-docs.js';
import { errorsReferenceMarkdown } from '../../gateway/src/config/error-docs.js';
import { eventsReferenceMarkdown } from '../../gateway/src/config/event-docs.js';
import { exportedSchemas } from '../../gateway/src/config/schemas.js';

const docs = resolve(import.meta.dirname, '../../docs');
const regenerate = 'stale: run `npm run schemas` and commit docs/';

describe('generated docs are current with the zod schemas', () => {
  it('docs/schemas/*.json equal what the schemas export', () => {
    const expected = exportedSchemas();
    const present = readdirSync(resolve(docs, 'schemas')).filter((f) => f.endsWith('.json'));
    expect(present.sort(), regenerate).toEqual(Object.keys(expected).sort());
    for (const [name, body] of Object.entries(expected)) {
      const onDisk = JSON.parse(readFileSync(resolve(docs, 'schemas', name), 'utf8'));
      expect(onDisk, `${name} ${regenerate}`).toEqual(JSON.parse(JSON.stringify(body)));
    }
  });

  it('docs/configuration.md equals the generated reference', () => {
    expect(readFileSync(resolve(docs, 'configuration.md'), 'utf8'), regenerate).toBe(
      configReferenceMarkdown(),
    );
  });

  it('docs/events.md equals the generated reference', () => {
    expect(readFileSync(resolve(docs, 'events.md'), 'utf8'), regenerate).toBe(eventsReferenceMarkdown());
  });

  it('docs/errors.md equals the generated reference', () => {
    expect(readFileSync(resolve(docs, 'errors.md'), 'utf8'), regenerate).toBe(errorsReferenceMarkdown());
  });
});
