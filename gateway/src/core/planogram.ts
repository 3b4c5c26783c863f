import { z } from 'zod';
import { StoregateError } from './errors.js';

/**
 * The planogram: which SKU sits on which plate (device + channel), its unit weight, tolerance and facing
 * capacity. Wire form is snake_case; both a flat `plates` list and `fixtures → shelves → plates` are accepted.
 */
const deviceId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

export const plateSchema = z
  .strictObject({
    device: deviceId,
    channel: z.number().int().min(0).max(63),
    sku: z.string().min(1).max(64),
    name: z.string().max(120).optional(),
    unit_grams: z.number().positive().max(100_000),
    tolerance_grams: z.number().nonnegative().max(10_000).optional(),
    capacity: z.number().int().min(1).max(10_000),
    low_stock: z.number().int().min(0).optional().describe('Low-stock alert at or below this many units'),
  })
  .refine((p) => p.low_stock === undefined || p.low_stock < p.capacity, {
    message: 'low_stock must be below capacity',
    path: ['low_stock'],
  });

const plateRef = z.strictObject({ device: deviceId, channel: z.number().int().min(0).max(63) });

/** A facing: one SKU over 1–8 adjacent plates, listed in their order along the shelf. */
export const facingSchema = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('Facing id (default: the first plate, "device#channel")'),
    sku: z.string().min(1).max(64),
    name: z.string().max(120).optional(),
    unit_grams: z.number().positive().max(100_000),
    tolerance_grams: z.number().nonnegative().max(10_000).optional(),
    capacity: z.number().int().min(1).max(10_000).describe('Units the whole facing holds'),
    low_stock: z.number().int().min(0).optional(),
    plates: z.array(plateRef).min(1).max(8),
  })
  .refine((f) => f.low_stock === undefined || f.low_stock < f.capacity, {
    message: 'low_stock must be below capacity',
    path: ['low_stock'],
  });

const shelfSchema = z.strictObject({
  id: z.string().min(1).max(64),
  plates: z.array(plateSchema).default([]),
  facings: z.array(facingSchema).optional(),
});
const fixtureSchema = z.strictObject({
  id: z.string().min(1).max(64),
  name: z.string().max(120).optional(),
  shelves: z.array(shelfSchema),
});

export const planogramSchema = z.strictObject({
  version: z.number().int().optional(),
  fixtures: z.array(fixtureSchema).optional(),
  plates: z.array(plateSchema).optional(),
  facings: z.array(facingSchema).optional(),
});

export type PlateInput = z.input<typeof plateSchema>;
export type FacingInput = z.input<typeof facingSchema>;
export type PlanogramInput = z.input<typeof planogramSchema>;

export interface PlateSpec {
  device: string;
  channel: number;
  sku: string;
  name?: string;
  unitGrams: number;
  toleranceGrams: number;
  capacity: number;
  lowStock: number;
  fixture?: string;
  shelf?: string;
  /** Facing this plate belongs to; a flat one-plate entry is its own facing, named after its plate key. */
  facing: string;
  /** Position of this plate within its facing (0 for a one-plate facing). */
  facingIndex: number;
}

export const plateKey = (device: string, channel: number): string => `${device}#${channel}`;

/** Default tolerance: a packaged good varies by about 2% (but never under 2 g: scale resolution). */
export function defaultTolerance(unitGrams: number): number {
  return Math.max(2, Math.round(unitGrams * 0.02 * 10) / 10);
}

function toSpec(p: z.output<typeof plateSchema>, fixture?: string, shelf?: string): PlateSpec {
  return {
    facing: plateKey(p.device, p.channel),
    facingIndex: 0,
    device: p.device,
    channel: p.channel,
    sku: p.sku,
    ...(p.name ? { name: p.name } : {}),
    unitGrams: p.unit_grams,
    toleranceGrams: p.tolerance_grams ?? defaultTolerance(p.unit_grams),
    capacity: p.capacity,
    lowStock: p.low_stock ?? Math.max(1, Math.ceil(p.capacity * 0.25)),
    ...(fixture ? { fixture } : {}),
    ...(shelf ? { shelf } : {}),
  };
}

/** Every plate of a facing gets the facing's SKU data; `capacity` and `lowStock` are the facing's. */
function facingSpecs(f: z.output<typeof facingSchema>, fixture?: string, shelf?: string): PlateSpec[] {
  const id = f.id ?? plateKey(f.plates[0]!.device, f.plates[0]!.channel);
  return f.plates.map((ref, i) => ({
    facing: id,
    facingIndex: i,
    device: ref.device,
    channel: ref.channel,
    sku: f.sku,
    ...(f.name ? { name: f.name } : {}),
    unitGrams: f.unit_grams,
    toleranceGrams: f.tolerance_grams ?? defaultTolerance(f.unit_grams),
    capacity: f.capacity,
    lowStock: f.low_stock ?? Math.max(1, Math.ceil(f.capacity * 0.25)),
    ...(fixture ? { fixture } : {}),
    ...(shelf ? { shelf } : {}),
  }));
}

/** The flat one-plate wire form of a plate (its facing's SKU data). */
export function specToWire(p: PlateSpec): PlateInput {
  return {
    device: p.device,
    channel: p.channel,
    sku: p.sku,
    ...(p.name ? { name: p.name } : {}),
    unit_grams: p.unitGrams,
    tolerance_grams: p.toleranceGrams,
    capacity: p.capacity,
    low_stock: p.lowStock,
  };
}

/** Validated, flattened planogram. Throws SG_BAD_ARGUMENT listing every problem with its path. */
export function parsePlanogram(raw: unknown, source = 'planogram'): PlateSpec[] {
  const result = planogramSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new StoregateError('SG_BAD_ARGUMENT', `invalid ${source}:\n${lines.join('\n')}`, {
      hint: 'see docs/shelves.md for the planogram format',
    });
  }
  const plates: PlateSpec[] = [];
  for (const f of result.data.fixtures ?? []) {
    for (const s of f.shelves) {
      for (const p of s.plates) plates.push(toSpec(p, f.id, s.id));
      for (const facing of s.facings ?? []) plates.push(...facingSpecs(facing, f.id, s.id));
    }
  }
  for (const p of result.data.plates ?? []) plates.push(toSpec(p));
  for (const facing of result.data.facings ?? []) plates.push(...facingSpecs(facing));
  const facingIds = new Map<string, string>();
  for (const p of plates) {
    const owner = facingIds.get(p.facing);
    const first = p.facingIndex === 0 ? plateKey(p.device, p.channel) : undefined;
    if (owner !== undefined && first !== undefined && owner !== first) {
      throw new StoregateError('SG_BAD_ARGUMENT', `invalid ${source}: facing id ${p.facing} is used twice`);
    }
    if (first !== undefined) facingIds.set(p.facing, first);
  }
  const seen = new Set<string>();
  for (const p of plates) {
    const key = plateKey(p.device, p.channel);
    if (seen.has(key)) {
      throw new StoregateError('SG_BAD_ARGUMENT', `invalid ${source}: plate ${key} is listed twice`);
    }
    seen.add(key);
  }
  return plates;
}

/**
 * Plates that can share one item (an item straddling two plates): same device with adjacent channels,
 * consecutive plates of one shelf in the fixture layout, or consecutive plates of one facing.
 */
export function neighbours(plates: readonly PlateSpec[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const link = (a: PlateSpec, b: PlateSpec) => {
    const ka = plateKey(a.device, a.channel);
    const kb = plateKey(b.device, b.channel);
    if (ka === kb) return;
    const list = out.get(ka) ?? [];
    if (!list.includes(kb)) list.push(kb);
    out.set(ka, list);
  };
  for (let i = 0; i < plates.length; i++) {
    for (let j = 0; j < plates.length; j++) {
      const a = plates[i]!;
      const b = plates[j]!;
      const sameDevice = a.device === b.device && Math.abs(a.channel - b.channel) === 1;
      const sameShelf = a.shelf !== undefined && a.shelf === b.shelf && a.fixture === b.fixture;
      const sameFacing = a.facing === b.facing && Math.abs(a.facingIndex - b.facingIndex) === 1;
      if (sameDevice || sameFacing || (sameShelf && Math.abs(i - j) === 1)) link(a, b);
    }
  }
  return out;
}
