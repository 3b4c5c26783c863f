import { fstatSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priorityOf, stdoutIsJournal } from './journal-stream.js';

describe('journal stream', () => {
  it('maps pino levels to syslog priorities', () => {
    expect([10, 20, 30, 40, 50, 60].map(priorityOf)).toEqual([7, 7, 6, 4, 3, 2]);
  });

  it('recognises stdout as the journal only when JOURNAL_STREAM names fd 1', () => {
    const st = fstatSync(1, { bigint: true });
    expect(stdoutIsJournal({ JOURNAL_STREAM: `${st.dev}:${st.ino}` })).toBe(true);
    expect(stdoutIsJournal({ JOURNAL_STREAM: `${st.dev}:${st.ino + 1n}` })).toBe(false);
    expect(stdoutIsJournal({})).toBe(false);
  });
});
