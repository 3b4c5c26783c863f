import { z } from 'zod';

/** Staff-less checkout lanes (checkout issue). */
export const checkoutSection = z.strictObject({
  lanes: z.array(z.strictObject({ id: z.string() })).default([]),
});
