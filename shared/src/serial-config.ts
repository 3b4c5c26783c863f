import { z } from 'zod';

const hexId = z
  .string()
  .regex(/^(0x)?[0-9a-fA-F]{1,4}$/, 'USB id in hex, e.g. 0403')
  .describe('USB vendor/product id');

const common = {
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only'),
  path: z
    .string()
    .min(1)
    .optional()
    .describe('Stable path, e.g. /dev/serial/by-id/usb-…; followed afresh on every reconnect'),
  match: z
    .strictObject({ vendor_id: hexId, product_id: hexId, serial_number: z.string().min(1).optional() })
    .optional()
    .describe('Bind by USB identity instead of a path (read from sysfs)'),
  baud: z.number().int().min(1200).max(4_000_000).default(115_200),
};

/** One serial device. `driver` picks the wire protocol; options are per driver. */
export const serialDeviceSchema = z
  .discriminatedUnion('driver', [
    z.strictObject({
      ...common,
      driver: z.literal('storegate').describe('Storegate serial protocol (firmware-bridge/PROTOCOL.md)'),
      kind: z.enum(['shelf', 'scale', 'door']),
      expect_serial: z
        .string()
        .optional()
        .describe('Refuse a device whose hello reports another serial number'),
    }),
    z.strictObject({
      ...common,
      driver: z.literal('line-scanner'),
      kind: z.literal('scanner').default('scanner'),
      baud: common.baud.default(9600),
      prefix: z.string().max(16).default(''),
      suffix: z.string().max(16).default(''),
      validate_gtin: z.enum(['auto', 'always', 'never']).default('auto'),
    }),
    z.strictObject({
      ...common,
      driver: z.literal('mt-sics').describe('Mettler Toledo MT-SICS level 0 scale, polled with SI'),
      kind: z.literal('scale').default('scale'),
      baud: common.baud.default(9600),
      poll_ms: z.number().int().min(50).max(60_000).default(200),
      zero_band_g: z.number().min(0).default(0.25),
    }),
  ])
  .refine((d) => (d.path === undefined) !== (d.match === undefined), {
    message: 'give exactly one of path or match',
  });
export type SerialDeviceConfig = z.output<typeof serialDeviceSchema>;

/** Serial devices bound by stable identity (firmware-bridge issue). */
export const serialSection = z
  .strictObject({
    devices: z.array(serialDeviceSchema).default([]),
    backoff_initial_ms: z.number().int().min(10).default(250),
    backoff_max_ms: z.number().int().min(100).default(10_000),
    silence_ms: z
      .number()
      .int()
      .min(0)
      .default(15_000)
      .describe('Reopen a Storegate/MT-SICS device silent this long (scanners are exempt)'),
    identify_timeout_ms: z.number().int().min(100).default(2_000),
    presence_check_ms: z
      .number()
      .int()
      .min(0)
      .default(2_000)
      .describe(
        'While online, re-check the device path this often (catches hang-ups serialport misses); 0 = off',
      ),
  })
  .refine((s) => new Set(s.devices.map((d) => d.id)).size === s.devices.length, {
    message: 'serial device ids must be unique',
    path: ['devices'],
  });
