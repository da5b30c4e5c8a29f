/** PostgreSQL SQLSTATE of a driver error (`23505` unique violation, ...), if it is one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const direct = (error as { code?: unknown }).code;
  if (typeof direct === 'string' && /^[0-9A-Z]{5}$/.test(direct)) return direct;
  const driverError = (error as { driverError?: unknown }).driverError;
  return driverError === undefined ? undefined : sqlState(driverError);
}

export const UNIQUE_VIOLATION = '23505';
