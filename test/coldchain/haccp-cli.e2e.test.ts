import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { StoreEvent } from '../../gateway/src/core/events.js';
import { HaccpStore } from '../../gateway/src/sinks/haccp/haccp-store.js';
import { CLI_BIN, cleanEnv, ensureBuilt, runCli, writeConfig } from '../cli/support.js';
import { generateWeek } from './week-generator.js';

/** The built `storegate` command: replay of the generated week, then verify and report on its record. */
describe('storegate replay and storegate haccp (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-haccp-cli-'));
  let config = '';
  let events: StoreEvent[] = [];
  beforeAll(async () => {
    ensureBuilt();
    const week = generateWeek(7);
    writeFileSync(join(dir, 'week.ndjson'), `${week.lines.join('\n')}\n`);
    config = writeConfig(dir, stringify({ ...week.config, data_dir: join(dir, 'data') }));
    const started = process.hrtime.bigint();
    // Tens of MB of NDJSON: straight into a file, not through a pipe buffer.
    const out = openSync(join(dir, 'events.ndjson'), 'w');
    const replay = spawnSync(
      process.execPath,
      [CLI_BIN, '--config', config, 'replay', '--strict', join(dir, 'week.ndjson')],
      {
        stdio: ['ignore', out, 'pipe'],
        env: cleanEnv(),
        timeout: 600_000,
      },
    );
    closeSync(out);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(replay.status, String(replay.stderr)).toBe(0);
    events = readFileSync(join(dir, 'events.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; t: number } & Record<string, unknown>)
      .map(
        ({ type, t, ...data }) => ({ type, t, stream: '', dataClass: 'must_deliver', data }) as StoreEvent,
      );
    // A figure, not a limit: the machine is shared.
    process.stderr.write(`coldchain week replay: ${week.lines.length} lines in ${seconds.toFixed(1)} s\n`);
    const store = new HaccpStore(join(dir, 'data', 'haccp.db'));
    store.record(events);
    store.close();
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays the week into the same alarms as in-process', () => {
    const raised = events.filter((e) => e.type === 'coldchain.alarm' && e.data.state === 'raised');
    expect(raised).toHaveLength(67);
    expect(events.filter((e) => e.type === 'coldchain.day').length).toBe(8); // 7 days and the partial 8th
  });

  it('verify passes on the record and fails, naming the record, after an edit', async () => {
    const ok = await runCli(config, ['haccp', 'verify']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/record intact/);
    expect(ok.stdout).toMatch(/c10 +\S* *\d+/);
    const report = await runCli(config, ['haccp', 'report', '--day', '2026-06-04']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^# HACCP cold-chain report,hema-042,2026-06-04/);
    expect(report.stdout).toMatch(/\nc10,high,2026-06-04T\d\d:\d\d:\d\dZ,.*,NONE\n/);
    const db = new Database(join(dir, 'data', 'haccp.db'));
    db.prepare(
      "UPDATE chain SET body = replace(body, '\"peak_c\":', '\"peak_c\":-1+') WHERE unit = 'c10' AND kind = 'alarm'",
    ).run();
    db.close();
    const bad = await runCli(config, ['haccp', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/PROBLEM c10 #\d+: edited/);
    expect(bad.stdout).toMatch(/record NOT intact/);
    const missing = await runCli(config, ['haccp', 'report', '--day', '2025-01-01']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error \[SG_NOT_FOUND\]/);
  });
});
