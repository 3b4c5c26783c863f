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

/**
 * One way to explain a weight change (sku × qty), best first; `residualGrams` is |delta| − qty × unit;
 * `where` says where the item would have come from or gone to; the plate is that of its facing.
 */
export const shelfCandidate = z.strictObject({
  sku: z.string().nullable(),
  qty: z.number().int(),
  confidence: z.number(),
  residualGrams: z.number(),
  device: z.string().optional(),
  channel: z.number().int().optional(),
  facing: z.string().optional(),
  where: z.enum(['own', 'shelf', 'neighbour', 'elsewhere', 'foreign', 'nothing', 'unknown']),
});

const movement = {
  ...plate,
  sku: z.string(),
  qty: z.number().int().min(1),
  delta_grams: z.number(),
  confidence: z.number().min(0).max(1),
  stock: z.number().int().nullable().optional().describe('facing stock after the movement (null: not known)'),
  facing: z.string().optional().describe('the planogram facing the item belongs to'),
  unit_grams: z.number().optional().describe("the facing's learned unit weight"),
  ambiguous: z.boolean().optional(),
  candidates: z.array(shelfCandidate).optional(),
  split_of: z.number().int().optional().describe('one step of a change of this many units'),
  settled_at: z.number().optional(),
  spans: z
    .array(z.strictObject({ device: z.string(), channel: z.number().int(), delta_grams: z.number() }))
    .optional()
    .describe('an item lying across two plates: the share each plate saw'),
  misplaced_item: z.boolean().optional().describe('taken from a plate it did not belong on'),
  home_device: z.string().optional(),
  home_channel: z.number().int().optional(),
};

const movementData = z.strictObject(movement);

const stockData = z.strictObject({
  ...plate,
  sku: z.string(),
  facing: z.string(),
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
      ...movement,
      plate_sku: z.string().describe('the SKU the plate is planned for'),
      home_device: z.string(),
      home_channel: z.number().int(),
      candidates: z.array(shelfCandidate),
    })
    .describe('an item put down on a plate that is not its home'),
  'shelf.change': z
    .strictObject({
      ...movement,
      sku: z.null(),
      qty: z.number().int().optional(),
      confidence: z.number().min(0).max(1),
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
