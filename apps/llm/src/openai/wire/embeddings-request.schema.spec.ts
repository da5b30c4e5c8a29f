import { embeddingsRequestSchema, MAX_EMBEDDING_DIMENSIONS } from './embeddings-request.schema';

describe('embeddingsRequestSchema', () => {
  const body = (dimensions: unknown) => ({ model: 'nomic-embed-text', input: 'x', dimensions });

  it('takes dimensions up to the bound', () => {
    expect(embeddingsRequestSchema.parse(body(MAX_EMBEDDING_DIMENSIONS)).dimensions).toBe(
      MAX_EMBEDDING_DIMENSIONS,
    );
    expect(embeddingsRequestSchema.parse(body(null)).dimensions).toBeNull();
  });

  it('refuses dimensions an upstream would build a vector of 2^53 floats for', () => {
    for (const dimensions of [MAX_EMBEDDING_DIMENSIONS + 1, Number.MAX_SAFE_INTEGER, 0, 1.5]) {
      const result = embeddingsRequestSchema.safeParse(body(dimensions));
      expect([dimensions, result.error?.issues[0]?.path]).toEqual([dimensions, ['dimensions']]);
    }
  });
});
