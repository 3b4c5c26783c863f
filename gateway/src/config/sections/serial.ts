import { z } from 'zod';

/** Serial devices bound by stable identity (firmware-bridge issue). */
export const serialSection = z.strictObject({
  devices: z.array(z.strictObject({ id: z.string(), path: z.string() })).default([]),
});
