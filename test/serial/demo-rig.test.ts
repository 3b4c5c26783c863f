import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SerialDemoRig, startSerialDemoRig } from '../../firmware-bridge/src/emulators/demo-rig.js';
import type { ConfigInput } from '../../gateway/src/config/schema.js';
import { demoCatalog } from '../../gateway/src/demo/demo-store.js';
import { demoScene } from '../../gateway/src/demo/simulators.js';
import { SerialConnectorFeature } from '../../gateway/src/features/serial/feature.js';
import { ensurePeer } from '../support/peers.js';
import { serialTestContext, until } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-demo-rig-'));
let rig: SerialDemoRig | null = null;
let connector: SerialConnectorFeature | null = null;

afterAll(async () => {
  await connector?.stop();
  await rig?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('serial demo rig (what `npm run demo` can use when socat exists)', () => {
  it('its device entries are valid config and every device produces readings', async () => {
    ensurePeer('socat');
    rig = await startSerialDemoRig(dir, { scene: demoScene(Date.now()), lane: 'lane-2' });
    if (!rig) throw new Error('socat is installed but the rig did not start');
    const { ctx, recorder } = serialTestContext({ devices: rig.devices } as NonNullable<
      ConfigInput['serial']
    >);
    connector = new SerialConnectorFeature(ctx);
    await connector.start();
    await until(() => recorder.of('shelf-demo-1', 'shelf.weight').length >= 12, 'shelf');
    await until(() => recorder.of('scale-demo-1', 'scale.reading').length > 0, 'scale');
    await until(() => recorder.of('door-demo-1', 'device.status').length > 0, 'door hello');
    await until(
      () => recorder.of('scanner-demo-1', 'scanner.scan').length > 0,
      'first scan of the first shopper session (about 5 s in)',
      15_000,
    );
    const scan = recorder.of('scanner-demo-1', 'scanner.scan')[0] as { code: string; symbology: string };
    // The lane's shoppers buy from the demo catalog, so the lane can verify what they bag.
    expect(demoCatalog.map((i) => i.gtin)).toContain(scan.code);
    expect(scan.symbology).toBe('ean-13');
  });
});
