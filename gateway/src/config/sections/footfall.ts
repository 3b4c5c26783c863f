import { z } from 'zod';

/** Footfall and occupancy (footfall issue). */
export const footfallSection = z.strictObject({
  store_empty_time: z
    .string()
    .regex(/^\d{2}:\d{2}$/, 'HH:MM')
    .default('03:00'),
});
