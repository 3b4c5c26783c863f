import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../gateway/src/config/load.js';
import { StoregateError } from '../../gateway/src/core/errors.js';

function problems(raw: unknown): string {
  try {
    parseConfig(raw, { env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(StoregateError);
    return (err as StoregateError).message;
  }
  throw new Error('config was accepted');
}

describe('config validation says what was meant (issue 15.6)', () => {
  it('suggests the known key for a misspelt one, at any depth, arrays and unions included', () => {
    const message = problems({
      stor: { id: 'x' },
      broker: { prot: 1884 },
      checkout: { lanes: [{ id: 'lane-1', scaner: 'scan-1' }] },
      serial: { devices: [{ id: 'a', driver: 'storegate', kind: 'shelf', path: '/dev/x', baudrate: 1 }] },
    });
    expect(message).toContain('stor: unknown key (hint: did you mean "store"?)');
    expect(message).toContain('broker.prot: unknown key (hint: did you mean "port"?)');
    expect(message).toContain('checkout.lanes.0.scaner: unknown key (hint: did you mean "scanner"?)');
    expect(message).toContain('serial.devices.0.baudrate: unknown key (hint: did you mean "baud"?)');
  });

  it('does not guess for a key close to nothing', () => {
    expect(problems({ broker: { zzzzzzzz: 1 } })).toContain(
      'broker.zzzzzzzz: unknown key (hint: remove the key or check its spelling against docs/configuration.md)',
    );
  });

  it('refuses a time zone Intl does not know, and suggests the near one', () => {
    expect(problems({ store: { timezone: 'Europe/Amsterdm' } })).toContain(
      'store.timezone: not a time zone this system knows (IANA name, e.g. Europe/Amsterdam) (hint: did you mean "Europe/Amsterdam"?)',
    );
    expect(problems({ store: { timezone: 'Mars/Olympus_Mons' } })).toMatch(
      /store\.timezone: not a time zone/,
    );
    expect(parseConfig({ store: { timezone: 'America/New_York' } }, { env: {} }).store.timezone).toBe(
      'America/New_York',
    );
  });
});
