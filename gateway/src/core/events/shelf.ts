import { z } from 'zod';

/**
 * Shelf events (stream `shelf/{device}`, all must-deliver; docs/shelves.md explains them). Every one carries the
 * plate it is about: device, channel and, when the planogram names them, fixture and shelf.
 */
const plate = {
  device: z.string(),
  channel: z.number().int(),
  fixture: z.string().optional(),
  shelf: z.string().optional(),
};

/** One way to explain a weight change (sku × qty), best first; `residualGrams` is |delta| − qty × unit. */
export const shelfCandidate = z.strictObject({
  sku: z.string(),
  qty: z.number().int(),
  confidence: z.number(),
  residualGrams: z.number(),
  device: z.string(),
  channel: z.number().int(),
});

const movement = {
  ...plate,
  sku: z.string(),
  qty: z.number().int().min(1),
  delta_grams: z.number(),
  confidence: z.number().min(0).max(1),
  stock: z
    .number()
    .int()
    .nullable()
    .optional()
    .describe('plate stock after the movement (null: not known yet)'),
  ambiguous: z.literal(true).optional(),
  candidates: z.array(shelfCandidate).optional(),
  split_of: z.number().int().optional().describe('one step of a change of this many units'),
  settled_at: z.number().optional(),
  spans: z
    .array(z.strictObject({ device: z.string(), channel: z.number().int(), delta_grams: z.number() }))
    .optional()
    .describe('an item lying across two plates: the share each plate saw'),
  misplaced_item: z.literal(true).optional().describe('taken from a plate it did not belong on'),
  home_device: z.string().optional(),
  home_channel: z.number().int().optional(),
};

const movementData = z.strictObject(movement);

const stockData = z.strictObject({
  ...plate,
  sku: z.string(),
  stock: z.number().int().nullable(),
  capacity: z.number(),
  low_stock: z.number(),
  previous: z.enum(['ok', 'low', 'out']).nullable(),
});

const sensorStatus = z.enum(['silent', 'saturated', 'stuck', 'noisy', 'ok']);

export const shelfEvents = {
  'shelf.pick': movementData.describe('units taken from a plate'),
  'shelf.put': movementData.describe('units put on a plate'),
  'shelf.misplaced': z
    .strictObject({
      ...plate,
      sku: z.string(),
      qty: z.number().int().min(1),
      delta_grams: z.number(),
      plate_sku: z.string(),
      home_device: z.string(),
      home_channel: z.number().int(),
      confidence: z.number(),
      candidates: z.array(shelfCandidate),
    })
    .describe('an item put down on a plate that is not its home'),
  'shelf.change': z
    .strictObject({
      ...plate,
      sku: z.null(),
      confidence: z.literal(0),
      delta_grams: z.number(),
      ambiguous: z.literal(true),
      candidates: z.array(shelfCandidate),
      stock: z.number().int().nullable().optional(),
    })
    .describe('a weight change no item explains'),
  'shelf.stock.low': stockData.describe('stock fell to the low-stock level'),
  'shelf.stock.out': stockData.describe('the plate is empty'),
  'shelf.stock.ok': stockData.describe('stock is back above the low-stock level'),
  'shelf.sensor': z
    .strictObject({
      ...plate,
      status: sensorStatus,
      previous: sensorStatus,
      noise_grams: z.number(),
      noise_floor_grams: z.number().nullable(),
      drift_grams: z.number(),
    })
    .describe('the load cell health changed'),
} as const;
