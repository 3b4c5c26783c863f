import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ModbusRequestError } from '../../connectors/modbus/bus.js';
import type { ModbusConnector } from '../../connectors/modbus/modbus-connector.js';
import { MODBUS_MODELS } from '../../core/devices/modbus/catalog.js';
import { StoregateError } from '../../core/errors.js';
import { actorName } from '../../core/identity.js';
import { replyError } from '../../http/error-handler.js';

const writeBody = z.strictObject({ value: z.union([z.number(), z.boolean()]) });

export interface ModbusRoutesDeps {
  connector: ModbusConnector;
  onWrite(deviceId: string, result: 'ok' | 'rejected' | 'failed', detail: Record<string, unknown>): void;
}

/**
 * `GET /api/modbus/devices` (state and model per device) and `PUT /api/modbus/devices/:id/setpoints/:name`
 * `{ "value": 4.5 }` — the installer's typed, range-checked write path (role `installer`; reading needs `viewer`).
 */
export function registerModbusRoutes(http: FastifyInstance, deps: ModbusRoutesDeps): void {
  http.get('/api/modbus/devices', async () =>
    [...deps.connector.pollers.values()].map((p) => {
      const model = MODBUS_MODELS.get(p.device.model.id)!;
      return {
        id: p.device.id,
        bus: p.bus.id,
        slave: p.device.slave,
        model: model.id,
        online: p.online,
        polls: p.polls,
        setpoints: Object.fromEntries(
          Object.entries(model.setpoints).map(([name, s]) => [
            name,
            { summary: s.summary, min: s.min, max: s.max, unit: s.unit ?? null },
          ]),
        ),
      };
    }),
  );

  http.put<{ Params: { id: string; name: string } }>(
    '/api/modbus/devices/:id/setpoints/:name',
    { config: { role: 'installer' } },
    async (req, reply) => {
      const { id, name } = req.params;
      // who wrote is the authenticated identity (logged with the write), never something from the body
      const by = req.identity ? actorName(req.identity) : 'anonymous';
      const body = writeBody.safeParse(req.body);
      if (!body.success) {
        deps.onWrite(id, 'rejected', { name, by, reason: 'body' });
        return replyError(reply, 'SG_BAD_ARGUMENT', 'body must be {"value": number}');
      }
      try {
        const plan = await deps.connector.writeSetpoint(id, name, body.data.value);
        deps.onWrite(id, 'ok', { name, by, value: body.data.value, raw: plan.raw });
        return {
          device: id,
          setpoint: name,
          value: body.data.value,
          raw: plan.raw,
          function: plan.fn,
          address: plan.address,
        };
      } catch (err) {
        if (err instanceof StoregateError) {
          deps.onWrite(id, 'rejected', { name, by, reason: err.message });
          return replyError(reply, err.code, err.message, err.hint ? { hint: err.hint } : undefined);
        }
        const failure = err instanceof ModbusRequestError ? err.failure : 'other';
        deps.onWrite(id, 'failed', { name, by, failure });
        return replyError(reply, 'SG_IO', `write to ${id} failed: ${failure}`);
      }
    },
  );
}
