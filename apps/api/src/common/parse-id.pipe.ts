import type { PipeTransform } from '@nestjs/common';
import { ApiException } from './api.exception';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A route id that is not a UUID names nothing: `not_found`, like an id that does not exist or belongs
 * to someone else (so ids cannot be probed).
 */
export class ParseIdPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (!UUID.test(value)) throw ApiException.notFound(this.what);
    return value.toLowerCase();
  }
}
