import { ApiException } from './api.exception';

/** A position in a list ordered by (timestamp DESC, id DESC): opaque to clients. */
export interface Cursor {
  at: Date;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  const [iso, id] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (id === undefined || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(at.getTime())) {
    throw ApiException.validation([{ path: 'cursor', message: 'is not a cursor this API returned' }]);
  }
  return { at, id };
}
