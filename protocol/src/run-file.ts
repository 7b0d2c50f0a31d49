import { z } from 'zod';

/** One file of a project as the API carries it. */
export const runFileSchema = z
  .object({
    name: z.string(),
    content: z.string(),
    encoding: z.enum(['utf8', 'base64']).optional(),
    toBeExec: z.boolean().optional(),
  })
  .strict();
export type RunFile = z.infer<typeof runFileSchema>;
