// The ops dashboard (viewer): refreshes every 5 s; lanes are live over their WebSockets.
import { $, ApiError, Freshness, get, userBox } from './common.js';
import { collectAlarms, renderAlarms } from './ops-alarms.js';
import { Devices } from './ops-devices.js';
import { Footfall } from './ops-footfall.js';
import { Lanes } from './ops-lanes.js';
import { renderHeatmap, renderStock } from './ops-shelves.js';

const REFRESH_MS = 5000;
const fresh = new Freshness($('health'), $('updated'));
const footfall = new Footfall();
const lanes = new Lanes($('lanes'));
const devices = new Devices($('devices'), $('device-detail'));

/** A feature that is not enabled (404) or not ready (503) shows as absent; an unreachable gateway throws. */
const optional = (p) => p.catch((err) => (err instanceof ApiError ? null : Promise.reject(err)));

let running = false;
async function refresh() {
  if (running) return;
  running = true;
  try {
    const [occupancy, shelves, picks, devs, laneList, cold] = await Promise.all([
      optional(get('/api/occupancy')),
      optional(get('/api/shelves')),
      optional(get('/api/shelves/picks?hours=24')),
      optional(get('/api/devices')),
      optional(get('/api/lanes')),
      optional(get('/api/haccp/alarms')),
    ]);
    const now = Date.now();
    if (occupancy) {
      $('store').textContent = occupancy.store ?? '';
      $('occupancy').textContent = String(occupancy.occupancy);
      $('entries').textContent = String(occupancy.in);
      $('exits').textContent = String(occupancy.out);
      $('conversion').textContent =
        occupancy.conversion == null ? '–' : `${Math.round(occupancy.conversion * 100)}%`;
      await optional(footfall.refresh(occupancy, now));
    }
    const plates = shelves?.plates ?? [];
    renderStock($('out-of-stock'), $('low-stock'), plates, now);
    renderHeatmap($('heatmap'), plates, picks?.plates ?? []);
    devices.update(devs?.devices ?? [], now);
    lanes.update(laneList?.lanes ?? []);
    renderAlarms(
      $('alarms'),
      $('alarm-count'),
      collectAlarms({
        lanes: lanes.states(),
        plates,
        devices: devs?.devices ?? [],
        cold: cold?.active ?? [],
      }),
      now,
    );
    fresh.ok(now);
  } catch (err) {
    fresh.failed(err);
  } finally {
    running = false;
  }
}

footfall.onChange = refresh;
userBox($('user')).catch(() => {});
refresh();
setInterval(refresh, REFRESH_MS);
