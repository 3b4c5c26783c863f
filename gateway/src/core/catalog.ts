import { z } from 'zod';
import { StoregateError } from './errors.js';

/** GS1 mod-10 check digit over all digits but the last. */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Catalog key: GTIN-8/12/13/14 left-padded to 14 digits, so a UPC-A scan finds its EAN-13 entry. */
export function gtinKey(code: string): string {
  const trimmed = code.trim();
  return /^\d{8}$|^\d{12,14}$/.test(trimmed) ? trimmed.padStart(14, '0') : trimmed;
}

const gtin = z
  .string()
  .regex(/^(\d{8}|\d{12}|\d{13}|\d{14})$/, 'a GTIN has 8, 12, 13 or 14 digits')
  .superRefine((value, ctx) => {
    const expected = gtinCheckDigit(value.slice(0, -1));
    if (Number(value.at(-1)) !== expected) {
      ctx.addIssue({ code: 'custom', message: `check digit is wrong (expected ${expected})` });
    }
  });

/** One catalog entry as it travels on the wire (snake_case). */
export const catalogItemSchema = z
  .strictObject({
    gtin,
    sku: z.string().min(1).max(64),
    name: z.string().max(200).optional(),
    grams: z.number().positive().max(50_000).optional().describe('Nominal weight'),
    tolerance_grams: z.number().positive().max(5_000).optional(),
    weight_exempt: z.boolean().default(false),
    sold_by_weight: z.boolean().default(false),
    age_restricted: z.boolean().default(false),
  })
  .refine((item) => item.grams !== undefined || item.sold_by_weight || item.weight_exempt, {
    message: 'grams is required unless sold_by_weight or weight_exempt',
    path: ['grams'],
  });

export const catalogSchema = z.strictObject({
  // Bounded so that no single update (or forged one) can push the version out of reach of every later one.
  version: z
    .number()
    .int()
    .positive()
    .max(2_147_483_647)
    .optional()
    .describe('Absent: the next local version; at most 2^31-1, and above the current one'),
  items: z
    .array(catalogItemSchema)
    .max(500_000)
    .superRefine((items, ctx) => {
      const seen = new Map<string, number>();
      items.forEach((item, i) => {
        const key = gtinKey(item.gtin);
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `duplicate gtin (also items[${first}])`,
            path: [i, 'gtin'],
          });
        } else seen.set(key, i);
      });
    }),
});

export type CatalogInput = z.input<typeof catalogSchema>;
export type CatalogItemWire = z.output<typeof catalogItemSchema>;

/** What the verification engine knows about a product. */
export interface CatalogItem {
  gtin: string;
  sku: string;
  name: string | null;
  grams: number | null;
  toleranceGrams: number | null;
  weightExempt: boolean;
  soldByWeight: boolean;
  ageRestricted: boolean;
}

export function toCatalogItem(w: CatalogItemWire): CatalogItem {
  return {
    gtin: w.gtin,
    sku: w.sku,
    name: w.name ?? null,
    grams: w.grams ?? null,
    toleranceGrams: w.tolerance_grams ?? null,
    weightExempt: w.weight_exempt,
    soldByWeight: w.sold_by_weight,
    ageRestricted: w.age_restricted,
  };
}

/** Validate a catalog document; one error listing (up to 20) problems with their paths. */
export function parseCatalog(json: unknown, source = 'catalog'): z.output<typeof catalogSchema> {
  const result = catalogSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 20).map(
    (i) =>
      `  ${
        i.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '') || '(root)'
      }: ${i.message}`,
  );
  const more = result.error.issues.length > 20 ? `\n  … and ${result.error.issues.length - 20} more` : '';
  throw new StoregateError(
    'SG_PAYLOAD_REJECTED',
    `${source} rejected, the current catalog is kept:\n${lines.join('\n')}${more}`,
    {
      hint: 'see docs/checkout.md for the catalog format',
    },
  );
}

/** Read-only view the engine uses; the SQLite store and replay's in-memory catalog both provide it. */
export interface CatalogView {
  get(code: string): CatalogItem | undefined;
}

export function memoryCatalog(items: readonly CatalogItem[]): CatalogView {
  const map = new Map(items.map((i) => [gtinKey(i.gtin), i]));
  return { get: (code) => map.get(gtinKey(code)) };
}

/** Learned weight of one GTIN: a weighted Welford accumulator over inliers plus a short window for the median. */
export interface LearnedWeight {
  gtin: string;
  /** Accepted samples (count, not weight). */
  n: number;
  /** Sum of sample weights (attendant-verified weighings count more). */
  weight: number;
  mean: number;
  m2: number;
  /** Last accepted samples, oldest first, for median/MAD outlier rejection. */
  recent: number[];
  rejected: number;
  updatedAt: number;
  /**
   * The weight the lane verifies against may be at most a bounded step per day from this confirmed value
   * (issue 12 item 4); an installer's confirmation moves it to the learned mean. Null before the first use.
   */
  anchor?: number | null;
  anchorAt?: number | null;
}
