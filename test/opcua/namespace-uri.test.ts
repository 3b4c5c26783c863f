import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/peers.js';
import { buildHarness, waitFor } from './connector-harness.js';
import { TestOpcuaServer } from './opcua-test-server.js';

const pkiDir = mkdtempSync(join(tmpdir(), 'sg-opcua-server-pki-'));
afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));

const FRIDGES = 'urn:storegate:test:fridges';
// Holds a node with the same identifier: a stale namespace index reads the decoy's values, not an error.
const DECOY = 'urn:storegate:test:decoy';

describe('nsu= node ids against a real server', () => {
  it('resolve through the NamespaceArray, and again after a restart that renumbered the namespaces', async () => {
    const server = new TestOpcuaServer(await freePort(), pkiDir);
    await server.start(3, {
      namespaces: [
        { uri: DECOY, probeTemp: 99 },
        { uri: FRIDGES, probeTemp: 4 },
      ],
    });
    const h = buildHarness({
      reconnect: { initial_delay_ms: 100, max_delay_ms: 1_000, attempt_timeout_ms: 4_000 },
      request_timeout_ms: 2_000,
      keepalive_interval_ms: 1_000,
      stop_timeout_ms: 2_000,
      endpoints: [
        {
          id: 'cold-room',
          url: server.url,
          publishing_interval_ms: 100,
          points: [
            { node_id: `nsu=${FRIDGES};s=Probe.Temp`, name: 'probe', sampling_interval_ms: 50 },
            { node_id: 'nsu=urn:storegate:test:freezers;s=Probe.Temp', name: 'freezer' },
          ],
        },
      ],
    });
    try {
      await h.feature.start();
      const before = server.namespaceIndex(FRIDGES);
      await waitFor('the fridge probe', () => h.recorder.of('probe')[0]);
      expect(h.recorder.of('probe')[0]!.value).toBe(4);
      // A URI the server does not list fails that point only, naming the URI; /healthz shows it.
      expect(h.feature.status()['cold-room']!.failedPoints.freezer).toMatch(
        /urn:storegate:test:freezers is not in the server's NamespaceArray/,
      );
      expect(h.health()).toMatch(/cold-room\/freezer: BadNodeIdUnknown/);

      await server.stop();
      await server.start(3, {
        namespaces: [
          { uri: FRIDGES, probeTemp: 5 },
          { uri: DECOY, probeTemp: 98 },
        ],
      });
      expect(server.namespaceIndex(FRIDGES)).not.toBe(before);
      await waitFor(
        'the probe after the restart',
        () => h.recorder.of('probe').some((r) => r.value === 5),
        30_000,
      );
      server.setProbeTemp(FRIDGES, 5.5);
      await waitFor('a change after the restart', () => h.recorder.of('probe').some((r) => r.value === 5.5));
      expect(h.recorder.of('probe').map((r) => r.value)).not.toContain(98);
      expect(h.recorder.of('probe').map((r) => r.value)).not.toContain(99);
      expect(h.recorder.of('freezer')).toEqual([]);
    } finally {
      await h.close();
      await server.stop();
    }
  });
});
