import { modelIdSchema } from '@sluice/contracts';
import { z } from 'zod';

/** The most inputs one embeddings request may carry (OpenAI's own limit). */
export const MAX_EMBEDDING_INPUTS = 2048;
/**
 * The largest `dimensions` taken: 4x the widest embedding models (4,096). The number travels to the
 * upstream, which sizes its answer by it: an upstream that does not check it (a fake, a small server)
 * would build a vector of 2^53 floats.
 */
export const MAX_EMBEDDING_DIMENSIONS = 16_384;

const tokenArrays = (value: unknown) =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((item) => typeof item === 'number' || Array.isArray(item));

export const embeddingsRequestSchema = z.object({
  model: modelIdSchema,
  input: z
    .unknown()
    .refine((value) => !tokenArrays(value), 'token arrays are not supported: send the text')
    .pipe(
      z.union([
        z.string(),
        z
          .array(z.string())
          .min(1, 'input must not be empty')
          .max(MAX_EMBEDDING_INPUTS, `input holds at most ${MAX_EMBEDDING_INPUTS} strings`),
      ]),
    ),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z
    .number()
    .int()
    .positive()
    .max(MAX_EMBEDDING_DIMENSIONS, `dimensions is at most ${MAX_EMBEDDING_DIMENSIONS}`)
    .nullish(),
  user: z.string().nullish(),
});

export type EmbeddingsRequestBody = z.infer<typeof embeddingsRequestSchema>;
