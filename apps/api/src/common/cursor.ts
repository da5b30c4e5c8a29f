import { ApiException } from './api.exception';

/** A position in a list ordered by (timestamp DESC, id DESC): opaque to clients. */
export interface Cursor {
  at: Date;
  id: string;
}

/** The row ids are PostgreSQL UUIDs, which it prints in lower case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** `toISOString()` of a four-digit year: what the API's own timestamps give, and PostgreSQL takes. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const EARLIEST = Date.UTC(1970, 0, 1);

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

/**
 * Only what `encodeCursor` produces: a UUID and a timestamp from 1970 to 9999, encoded exactly as
 * `encodeCursor` would encode them again. Anything else (garbage, a hand-edited cursor, another
 * base64 spelling of one) is `validation_failed` on `cursor`, before the database sees it.
 */
export function decodeCursor(value: string): Cursor {
  const [iso = '', id = '', ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const at = new Date(iso);
  const valid =
    rest.length === 0 &&
    UUID.test(id) &&
    ISO_TIMESTAMP.test(iso) &&
    at.getTime() >= EARLIEST &&
    encodeCursor({ at, id }) === value;
  if (!valid) {
    throw ApiException.validation([{ path: 'cursor', message: 'is not a cursor this API returned' }]);
  }
  return { at, id };
}
