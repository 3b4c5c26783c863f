import { type DemoGateway, TEST_LANE, until } from '../support/browser.js';

/** Cola 330 ml from the demo catalog (352 g). */
export const COLA = '5012345678900';

export interface LaneView {
  lane: string;
  phase: string;
  scanned: number;
  verified: number;
  message: string;
  alert: { reason: string; gtin: string | null; name: string | null; delta_grams: number } | null;
  scale: { grams: number | null; status: string | null };
}

export const laneState = (demo: DemoGateway) => demo.api<LaneView>(`/api/lanes/${TEST_LANE.id}`);

/** Scan one item on the test lane (no weighing): the lane's scanned count goes up by one. */
export async function scan(demo: DemoGateway, code = COLA): Promise<void> {
  await demo.lane('scanner', 'scan', { code, symbology: ']E0' });
}

/**
 * A swapped barcode: scan the cola, put 1,068 g on the bagging scale and hold it stable → `weight_mismatch`
 * (after `confirm_ms`). Returns the lane state with the alert.
 */
export async function raiseMismatch(demo: DemoGateway): Promise<LaneView> {
  const before = await laneState(demo);
  const base = before.scale.grams ?? 0;
  if (before.alert) return before;
  await demo.lane('scale', 'scale', { grams: base, status: 'stable' });
  await scan(demo);
  await demo.lane('scale', 'scale', { grams: base + 500, status: 'motion' });
  return until(
    'a weight_mismatch alert on the test lane',
    async () => {
      await demo.lane('scale', 'scale', { grams: base + 1068, status: 'stable' });
      const s = await laneState(demo);
      return s.alert ? s : undefined;
    },
    60_000,
  );
}
