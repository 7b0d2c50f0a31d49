import { z } from 'zod';

/** A file the program left under out/ (or matching the request's outputs globs), sent back with the result. */
export const outputFileSchema = z.object({
  name: z.string(),
  size: z.number().int(),
  mediaType: z.string(),
  /** base64 */
  content: z.string(),
});
export type OutputFile = z.infer<typeof outputFileSchema>;
