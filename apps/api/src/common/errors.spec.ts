import {
  BadRequestException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { API_ERROR_CODES, registerBodySchema } from '@sluice/contracts';
import { ThrottlerException } from '@nestjs/throttler';
import { toApiException } from './all-exceptions.filter';
import { ApiException } from './api.exception';
import { HTTP_STATUS_BY_CODE } from './api-exception.filter';
import { decodeCursor, encodeCursor } from './cursor';
import { ZodValidationPipe } from './zod-validation.pipe';
import { requestIdFor } from './request-id';
import type { IncomingMessage } from 'node:http';

describe('errors', () => {
  it('gives every contract code exactly one status', () => {
    expect(Object.keys(HTTP_STATUS_BY_CODE).sort()).toEqual([...API_ERROR_CODES].sort());
  });

  it('maps framework exceptions to codes, and leaves the unknown to the last resort', () => {
    expect(toApiException(new NotFoundException('Cannot GET /x'))?.code).toBe('not_found');
    expect(toApiException(new PayloadTooLargeException())?.code).toBe('payload_too_large');
    expect(toApiException(new BadRequestException('Body is not valid JSON'))?.code).toBe('validation_failed');
    expect(toApiException(new ThrottlerException())).toMatchObject({
      code: 'rate_limited',
      message: 'Too many attempts; try again later',
    });
    expect(toApiException(new HttpException('teapot', 418))?.code).toBe('validation_failed');
    expect(toApiException(new HttpException('bad gateway', 502))).toBeUndefined();
    expect(toApiException(new Error('boom'))).toBeUndefined();
    const own = new ApiException('conflict', 'taken');
    expect(toApiException(own)).toBe(own);
  });
});

describe('ZodValidationPipe', () => {
  const pipe = new ZodValidationPipe(registerBodySchema);

  it('returns the parsed value', () => {
    expect(pipe.transform({ email: 'A@B.CO', password: 'longenough' })).toEqual({
      email: 'a@b.co',
      password: 'longenough',
    });
  });

  it('answers validation_failed with one detail per field', () => {
    try {
      pipe.transform({ password: 'short' });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiException);
      const exception = error as ApiException;
      expect(exception.code).toBe('validation_failed');
      expect(exception.details).toEqual([
        { path: 'email', message: 'is required' },
        { path: 'password', message: 'must be at least 8 characters' },
      ]);
      expect(exception.message).toBe(
        'Invalid request: email: is required; password: must be at least 8 characters',
      );
    }
  });
});

describe('cursor', () => {
  const id = '0b7e7d3a-1f7e-4d0c-9a3b-3c1d2e4f5a6b';
  const raw = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  const refused = (value: string) => {
    try {
      decodeCursor(value);
    } catch (error) {
      expect(error).toBeInstanceOf(ApiException);
      expect((error as ApiException).details).toEqual([
        { path: 'cursor', message: 'is not a cursor this API returned' },
      ]);
      return true;
    }
    return false;
  };

  it('round-trips', () => {
    const cursor = { at: new Date('2025-05-01T10:00:00.123Z'), id };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    const edge = { at: new Date('9999-12-31T23:59:59.999Z'), id };
    expect(decodeCursor(encodeCursor(edge))).toEqual(edge);
  });

  it('refuses anything encodeCursor would not have produced, as validation_failed on cursor', () => {
    const good = encodeCursor({ at: new Date('2025-05-01T10:00:00.123Z'), id });
    for (const value of [
      'garbage',
      '',
      `${good}=`,
      `${good}A`,
      good.toUpperCase(),
      raw(`2025-05-01T10:00:00.123Z|${'-'.repeat(36)}`),
      raw(`2025-05-01T10:00:00.123Z|${id.toUpperCase()}`),
      raw(`2025-05-01T10:00:00.123Z|${id}|extra`),
      raw(`2025-05-01T10:00:00Z|${id}`),
      raw(`2025-05-01|${id}`),
      raw(`2025-02-30T00:00:00.000Z|${id}`),
      raw(`0000-01-01T00:00:00.000Z|${id}`),
      raw(`1969-12-31T23:59:59.999Z|${id}`),
      raw(`+275760-09-13T00:00:00.000Z|${id}`),
      raw(`2025-05-01T10:00:00.123Z|${id}\u0000`),
      raw(`2025-05-01T10:00:00.123Z`),
    ]) {
      expect([value, refused(value)]).toEqual([value, true]);
    }
  });
});

describe('requestIdFor', () => {
  const request = (value?: string) =>
    ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage;

  it('keeps a sane id and replaces the rest', () => {
    expect(requestIdFor(request('abc-123_x.y:z'))).toBe('abc-123_x.y:z');
    expect(requestIdFor(request('has space'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(request('x'.repeat(129)))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(request())).toMatch(/^[0-9a-f-]{36}$/);
  });
});
