import { z } from 'zod';

const NUL = '\u0000';

/**
 * Free text the API stores (a title, a message). PostgreSQL's `text` cannot hold U+0000, so it is
 * refused here, a 400 naming the field, rather than failing in the database. Every other code point
 * is stored (a lone surrogate as U+FFFD, which is how the driver encodes it in UTF-8).
 */
export const storedTextSchema = z
  .string()
  .refine((text) => !text.includes(NUL), 'must not contain the NUL character (U+0000)');
