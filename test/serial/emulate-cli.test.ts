import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialConnectorFeature } from '../../gateway/src/features/serial/feature.js';
import { createPtyPair, type PtyPair } from '../support/pty.js';
import { serialTestContext, until } from './support.js';

/** The built `storegate-emulate` binary on real PTYs, read by the serial connector. */
const bin = resolve(import.meta.dirname, '../../dist/firmware-bridge/src/emulators/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'sg-emulate-'));
const pairs: PtyPair[] = [];
const children: ChildProcess[] = [];
const { ctx, recorder } = serialTestContext({
  backoff_initial_ms: 100,
  devices: [
    { id: 'door-cli', driver: 'storegate', kind: 'door', path: join(dir, 'gw-door') },
    { id: 'scale-cli', driver: 'mt-sics', path: join(dir, 'gw-scale'), poll_ms: 100 },
    { id: 'shelf-cli', driver: 'storegate', kind: 'shelf', path: join(dir, 'gw-shelf') },
  ],
});
const connector = new SerialConnectorFeature(ctx);

function emulate(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
}

beforeAll(async () => {
  for (const n of ['door', 'scale', 'shelf'])
    pairs.push(await createPtyPair(join(dir, `gw-${n}`), join(dir, `dev-${n}`)));
  emulate(['door', '--port', join(dir, 'dev-door'), '--every', '0.3', '--id', 'door-cli']);
  emulate(['scale', '--protocol', 'mt-sics', '--port', join(dir, 'dev-scale'), '--items-every', '1']);
  emulate([
    'shelf',
    '--port',
    join(dir, 'dev-shelf'),
    '--channels',
    '4',
    '--hz',
    '10',
    '--events-every',
    '0',
  ]);
  await connector.start();
});

afterAll(async () => {
  await connector.stop();
  for (const c of children) {
    if (c.exitCode === null) {
      await new Promise<void>((r) => {
        c.once('exit', () => r());
        c.kill('SIGTERM');
      });
    }
  }
  for (const p of pairs) await p.close();
  ctx.registry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('storegate-emulate (built CLI)', () => {
  it('door, MT-SICS scale and shelf emulators are read by the connector', async () => {
    await until(
      () => recorder.of('door-cli', 'door.beam').length >= 4,
      'door beams from the CLI emulator',
      15_000,
    );
    await until(
      () => recorder.of('scale-cli', 'scale.reading').some((r) => r.status === 'stable' && r.grams > 0),
      'a stable non-zero weight from the MT-SICS emulator',
      15_000,
    );
    await until(() => recorder.of('shelf-cli', 'shelf.weight').length >= 8, 'shelf batches', 15_000);
    const batch = recorder.of('shelf-cli', 'shelf.weight')[0]!;
    expect(batch.hz).toBe(10);
    expect(batch.grams).toHaveLength(12);
    expect(new Set(recorder.of('shelf-cli', 'shelf.weight').map((r) => r.channel))).toEqual(
      new Set([0, 1, 2, 3]),
    );
  });
});
