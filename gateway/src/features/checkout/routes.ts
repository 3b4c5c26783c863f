import type { EventEmitter } from 'node:events';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { StoregateError } from '../../core/errors.js';
import type { StoreEvent } from '../../core/events.js';
import { actorName } from '../../core/identity.js';
import { wsRoute } from '../../http/auth/ws.js';
import type { CheckoutProcessor } from '../../processors/checkout/checkout-processor.js';
import type { AttendantAction } from '../../processors/checkout/lane-types.js';
import type { ApplyResult, CatalogStore } from '../../registry/catalog-store.js';
import type { ConfiguredLaneDirectory } from '../../registry/lanes.js';
import type { ServedLaneState } from './lane-health.js';

const attendantBody = z.strictObject({
  action: z.enum(['clear', 'override']),
  note: z.string().max(500).optional(),
});

/** What the lane routes need from the running checkout feature. */
export interface LanesApi {
  readonly processor: CheckoutProcessor;
  readonly directory: ConfiguredLaneDirectory;
  readonly catalog: CatalogStore;
  readonly states: EventEmitter<{ state: [ServedLaneState] }>;
  laneState(lane: string): ServedLaneState | undefined;
  laneStates(): ServedLaneState[];
  attendant(
    lane: string,
    action: AttendantAction,
    note: string | null,
    by: string | null,
  ): Promise<{ events: StoreEvent[]; error: string | null }>;
  /** The same apply as `storegate catalog import` (CatalogStore.apply) plus resetting relearned weights. */
  applyCatalog(json: unknown, source: string): ApplyResult;
}

function notFound(id: string): StoregateError {
  return new StoregateError('SG_LANE_UNKNOWN', `no lane ${id}`);
}

/**
 * Lane displays and attendants: `GET /api/lanes`, `GET /api/lanes/:id`, `POST /api/lanes/:id/attendant`
 * ({action: clear|override, note}; role attendant, recorded as the authenticated identity), `GET /api/lanes/:id/ws` (current state, then every change),
 * `GET /api/checkout/catalog` (version in use), `POST /api/checkout/catalog` (import; role installer).
 */
export function registerLaneRoutes(http: FastifyInstance, lanes: LanesApi): void {
  http.get('/api/lanes', async () => ({
    lanes: lanes.laneStates().map((s) => ({ ...s, devices: lanes.directory.devices(s.lane) })),
  }));

  http.get<{ Params: { id: string } }>('/api/lanes/:id', async (req, _reply) => {
    const state = lanes.laneState(req.params.id);
    if (!state) throw notFound(req.params.id);
    return { ...state, devices: lanes.directory.devices(state.lane) };
  });

  http.post<{ Params: { id: string } }>(
    '/api/lanes/:id/attendant',
    { config: { role: 'attendant' } },
    async (req, _reply) => {
      if (!lanes.processor.state(req.params.id)) throw notFound(req.params.id);
      const body = attendantBody.safeParse(req.body ?? {});
      if (!body.success) {
        const message = body.error.issues
          .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
          .join('; ');
        throw new StoregateError('SG_BAD_ARGUMENT', message);
      }
      const { action, note } = body.data;
      // Who acted is the caller's login or token, never a field of the request.
      const by = actorName(req.identity!);
      const result = await lanes.attendant(req.params.id, action, note ?? null, by);
      if (result.error) throw new StoregateError('SG_CONFLICT', result.error);
      return { lane: req.params.id, action, events: result.events.map((e) => ({ type: e.type, ...e.data })) };
    },
  );

  http.get('/api/checkout/catalog', async () => {
    const v = lanes.catalog.version();
    return v
      ? { version: v.version, source: v.source, applied_at: v.appliedAt, items: v.itemCount }
      : { version: null, items: 0 };
  });

  // `storegate catalog import` over HTTP for the installer web: atomic, a rejected document changes nothing.
  http.post(
    '/api/checkout/catalog',
    { config: { role: 'installer' }, bodyLimit: 16 * 1024 * 1024 },
    async (req) => {
      if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
        throw new StoregateError('SG_PAYLOAD_REJECTED', 'send the catalog JSON document as the request body');
      }
      const r = lanes.applyCatalog(req.body, `api:${actorName(req.identity!)}`);
      return {
        applied: r.applied,
        version: r.version,
        items: r.items,
        relearn: r.relearn.length,
        message: r.message,
      };
    },
  );

  // The plugin must load before the WebSocket route is added, hence the nested registration.
  http.register(websocket);
  http.register(async (scope) => {
    scope.get<{ Params: { id: string } }>('/api/lanes/:id/ws', wsRoute('viewer'), (socket, req) => {
      const id = req.params.id;
      const current = lanes.laneState(id);
      if (!current) {
        socket.close(4404, `no lane ${id}`);
        return;
      }
      const send = (state: ServedLaneState) => {
        if (state.lane === id && socket.readyState === socket.OPEN) socket.send(JSON.stringify(state));
      };
      send(current);
      lanes.states.on('state', send);
      socket.on('close', () => lanes.states.off('state', send));
    });
  });
}
