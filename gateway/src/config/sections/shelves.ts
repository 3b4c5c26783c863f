import { z } from 'zod';

/** Smart shelves (shelves issue). */
export const shelvesSection = z.strictObject({
  planogram: z.string().optional().describe('Planogram file to load at start'),
});
