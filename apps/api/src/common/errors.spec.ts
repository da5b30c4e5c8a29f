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
  it('round-trips and refuses garbage', () => {
    const cursor = { at: new Date('2025-05-01T10:00:00.123Z'), id: '0b7e7d3a-1f7e-4d0c-9a3b-3c1d2e4f5a6b' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(() => decodeCursor('garbage')).toThrow(ApiException);
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
