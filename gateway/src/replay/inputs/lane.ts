import type { Clock } from '../../../../shared/src/clock.js';
import { POS_EVENTS as posEvents } from '../../../../shared/src/devices/pos.js';
import { SCALE_STATUSES } from '../../../../shared/src/devices/scale.js';
import type { PosEventName, Reading, ScaleStatus } from '../../../../shared/src/readings.js';
import { type CatalogItem, memoryCatalog, parseCatalog, toCatalogItem } from '../../core/catalog.js';
import { StoregateError } from '../../core/errors.js';
import { checkoutProcessor } from '../../features/checkout/wiring.js';
import type { Processor } from '../../ports/pipeline.js';
import type { CheckoutProcessor } from '../../processors/checkout/checkout-processor.js';
import { configCatalog, loadCatalogFile } from '../../registry/catalog-file.js';
import { storedCatalog } from '../replay-config.js';
import type { ReplayDomain, ReplaySetup } from '../replay-domain.js';
import { receivedAtOf } from './device-line.js';

const POS_EVENTS: readonly PosEventName[] = posEvents;
const STATUSES: readonly ScaleStatus[] = SCALE_STATUSES;
const LANE = /^[A-Za-z0-9_.:-]{1,64}$/;
const KEYS = [
  't',
  'lane',
  'pos',
  'scan',
  'grams',
  'stable',
  'status',
  'attendant',
  'note',
  'by',
  'transaction_id',
  'received_at',
];

/** The lane's devices in replay are named after the lane: `replay:{lane}:{scanner|scale|pos}`. */
const deviceOf = (lane: string, role: string) => `replay:${lane}:${role}`;

/** `--catalog FILE`, else `checkout.catalog` of the config (as the gateway imports it), else data_dir/checkout.db. */
function replayCatalog(setup: ReplaySetup): CatalogItem[] | undefined {
  const doc = setup.catalog ? loadCatalogFile(setup.catalog) : configCatalog(setup.config)?.doc;
  if (doc) return parseCatalog(doc).items.map(toCatalogItem);
  return storedCatalog(setup.config)?.items;
}

/**
 * Checkout-lane lines for `storegate replay` (docs/checkout.md):
 *   {"t", "lane", "pos": "basket-open" | "payment-start" | "payment-success" | "basket-close"}
 *   {"t", "lane", "scan": "5012345678900"}
 *   {"t", "lane", "grams": 1234.5, "stable": true | false}     (or "status": "zero" | "over" | "under")
 *   {"t", "lane", "attendant": "clear" | "override", "note"?, "by"?}
 */
export function laneReplayDomain(): ReplayDomain {
  let processor: CheckoutProcessor | null = null;
  const seen = new Set<string>();
  return {
    name: 'lane',
    parse(line: Record<string, unknown>): Reading[] | null {
      if (!('lane' in line)) return null;
      if (!processor)
        throw new StoregateError(
          'SG_BAD_ARGUMENT',
          'lane inputs need --catalog FILE (or --config with checkout.catalog or a catalog in data_dir)',
        );
      const { t, lane } = line;
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
        throw new StoregateError('SG_PAYLOAD_REJECTED', '"t" must be epoch milliseconds');
      if (typeof lane !== 'string' || !LANE.test(lane))
        throw new StoregateError(
          'SG_PAYLOAD_REJECTED',
          '"lane" must be a lane id (letters, digits, _ . : -)',
        );
      seen.add(lane);
      for (const key of Object.keys(line))
        if (!KEYS.includes(key))
          throw new StoregateError('SG_PAYLOAD_REJECTED', `unknown key "${key}" in lane line`);
      const kinds = ['pos', 'scan', 'grams', 'attendant'].filter((k) => k in line);
      if (kinds.length !== 1)
        throw new StoregateError(
          'SG_PAYLOAD_REJECTED',
          'a lane line has exactly one of "pos", "scan", "grams", "attendant"',
        );
      const receivedAt = receivedAtOf(line, t);
      const meta = (role: string) => ({
        deviceId: deviceOf(lane, role),
        deviceTime: t,
        receivedAt,
        quality: 'good' as const,
        source: 'replay' as const,
      });
      if ('pos' in line) {
        const event = line.pos as PosEventName;
        if (!POS_EVENTS.includes(event))
          throw new StoregateError('SG_PAYLOAD_REJECTED', `"pos" must be one of ${POS_EVENTS.join(', ')}`);
        const tx = typeof line.transaction_id === 'string' ? { transactionId: line.transaction_id } : {};
        return [{ ...meta('pos'), type: 'pos.event', event, lane, ...tx }];
      }
      if ('scan' in line) {
        if (typeof line.scan !== 'string' || line.scan === '' || line.scan.length > 64)
          throw new StoregateError('SG_PAYLOAD_REJECTED', '"scan" must be the scanned code');
        return [{ ...meta('scanner'), type: 'scanner.scan', code: line.scan }];
      }
      if ('grams' in line) {
        if (typeof line.grams !== 'number' || !Number.isFinite(line.grams))
          throw new StoregateError('SG_PAYLOAD_REJECTED', '"grams" must be a number');
        let status: ScaleStatus;
        if ('status' in line) {
          if (!STATUSES.includes(line.status as ScaleStatus))
            throw new StoregateError('SG_PAYLOAD_REJECTED', `"status" must be one of ${STATUSES.join(', ')}`);
          status = line.status as ScaleStatus;
        } else if (typeof line.stable === 'boolean') status = line.stable ? 'stable' : 'motion';
        else throw new StoregateError('SG_PAYLOAD_REJECTED', 'a scale line needs "stable": true | false');
        return [{ ...meta('scale'), type: 'scale.reading', grams: line.grams, status }];
      }
      if (line.attendant !== 'clear' && line.attendant !== 'override')
        throw new StoregateError('SG_PAYLOAD_REJECTED', '"attendant" must be "clear" or "override"');
      const note = typeof line.note === 'string' ? line.note : null;
      const by = typeof line.by === 'string' ? line.by : null;
      processor.queueAttendant(lane, line.attendant, t, note, by);
      return [];
    },
    processors(setup: ReplaySetup, clock: Clock): Processor[] {
      const items = replayCatalog(setup);
      if (!items) return [];
      ({ processor } = checkoutProcessor(setup.config, {
        clock,
        catalog: memoryCatalog(items),
        directory: {
          laneOf: (deviceId) => {
            const lane = deviceId.startsWith('replay:')
              ? deviceId.slice(7, deviceId.lastIndexOf(':'))
              : undefined;
            if (lane) seen.add(lane);
            return lane;
          },
          lanes: () => [...seen],
        },
        onAttendantRejected: (lane, t, reason) =>
          process.stderr.write(`replay: lane ${lane} at ${t}: ${reason}\n`),
      }));
      return [processor];
    },
  };
}
