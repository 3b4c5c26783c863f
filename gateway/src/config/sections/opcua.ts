import { z } from 'zod';

/** OPC UA endpoints for refrigeration and building systems. */
export const opcuaSection = z.strictObject({
  endpoints: z.array(z.strictObject({ id: z.string(), url: z.string() })).default([]),
});
