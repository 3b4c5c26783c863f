import { z } from 'zod';
import { MODBUS_MODEL_IDS } from '../../core/devices/modbus/catalog.js';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

const hexId = z.string().regex(/^(0x)?[0-9a-fA-F]{1,4}$/, 'USB id in hex, e.g. 0403');

const rtu = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Stable path of the RS-485 adapter, e.g. /dev/serial/by-id/usb-FTDI_…; followed afresh on every reconnect',
      ),
    match: z
      .strictObject({ vendor_id: hexId, product_id: hexId, serial_number: z.string().min(1).optional() })
      .optional()
      .describe('Bind the adapter by USB identity instead of a path (read from sysfs)'),
    baud: z.number().int().min(1200).max(921_600).default(19_200),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    data_bits: z.union([z.literal(7), z.literal(8)]).default(8),
    stop_bits: z.union([z.literal(1), z.literal(2)]).default(1),
  })
  .refine((r) => (r.path === undefined) !== (r.match === undefined), {
    message: 'give exactly one of path or match',
  });

const tcp = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(502),
});

const bus = z
  .strictObject({
    id,
    rtu: rtu.optional().describe('Modbus RTU over a serial (RS-485) adapter'),
    tcp: tcp.optional().describe('Modbus TCP (a controller or an RTU-to-TCP gateway)'),
    timeout_ms: z
      .number()
      .int()
      .min(20)
      .max(30_000)
      .default(500)
      .describe('How long to wait for one answer before counting a timeout'),
    retries: z
      .number()
      .int()
      .min(0)
      .max(5)
      .default(1)
      .describe('Further tries of a failed request within one poll'),
    gap_ms: z
      .number()
      .min(0)
      .max(1_000)
      .optional()
      .describe(
        'Silence between two requests; default: 3.5 character times at the baud rate (1.75 ms above 19,200), 0 on TCP',
      ),
  })
  .refine((b) => (b.rtu === undefined) !== (b.tcp === undefined), {
    message: 'give exactly one of rtu or tcp',
  });

const device = z.strictObject({
  id: id.describe('Device id used in readings and health'),
  bus: id.describe('The `modbus.buses[].id` it hangs on'),
  slave: z.number().int().min(1).max(247).describe('Modbus unit (slave) id'),
  model: z.enum(MODBUS_MODEL_IDS).describe('Controller model: its register map (docs/modbus.md)'),
  interval_s: z.number().min(0.05).max(3_600).default(30).describe('Poll interval'),
  unit: id
    .optional()
    .describe('Refrigerated unit or meter channel the readings are about (default: the device id)'),
});

/** Modbus RTU buses and TCP endpoints, and the controllers and meters polled on them. */
export const modbusSection = z
  .strictObject({
    buses: z.array(bus).default([]),
    devices: z.array(device).default([]),
    offline_after_failures: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe('Consecutive failed polls after which a device is offline'),
    backoff_max_s: z
      .number()
      .min(1)
      .max(3_600)
      .default(300)
      .describe('An offline device is polled less often, doubling up to this, so it cannot starve the bus'),
    reconnect_initial_ms: z.number().int().min(10).max(60_000).default(500),
    reconnect_max_ms: z.number().int().min(100).max(600_000).default(10_000),
  })
  .superRefine((section, ctx) => {
    const buses = new Set<string>();
    section.buses.forEach((b, i) => {
      if (buses.has(b.id))
        ctx.addIssue({ code: 'custom', path: ['buses', i, 'id'], message: 'duplicate bus id' });
      buses.add(b.id);
    });
    const ids = new Set<string>();
    const slaves = new Set<string>();
    section.devices.forEach((d, i) => {
      if (ids.has(d.id))
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: 'duplicate device id' });
      ids.add(d.id);
      if (!buses.has(d.bus))
        ctx.addIssue({
          code: 'custom',
          path: ['devices', i, 'bus'],
          message: `no bus "${d.bus}" in modbus.buses`,
        });
      const key = `${d.bus}/${d.slave}`;
      if (slaves.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['devices', i, 'slave'],
          message: `slave ${d.slave} is already used on bus ${d.bus}`,
        });
      slaves.add(key);
    });
  });

export type ModbusSection = z.output<typeof modbusSection>;
export type ModbusBusConfig = ModbusSection['buses'][number];
export type ModbusDeviceConfig = ModbusSection['devices'][number];
