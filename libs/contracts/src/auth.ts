import { z } from 'zod';

export const USER_ROLES = ['user', 'admin'] as const;
export const userRoleSchema = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof userRoleSchema>;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be a valid email address' }));

/**
 * The part of the new-password rule that needs no dictionary. The whole rule, with the strength
 * estimate, is `passwordProblem()` of `@sluice/contracts/password-strength` (kept out of this entry
 * point: its dictionaries are large, and the web app loads them only on the sign-up screen).
 */
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((password) => password.trim() !== '', 'must not be only spaces');

export const registerBodySchema = z.object({ email, password: newPasswordSchema });
export type RegisterBody = z.infer<typeof registerBodySchema>;

/** Login does not repeat the password policy: a wrong password is simply wrong. */
export const loginBodySchema = z.object({
  email,
  password: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH, 'is too long'),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: userRoleSchema,
  createdAt: z.iso.datetime(),
});
export type User = z.infer<typeof userSchema>;

export const authResponseSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Lifetime of the access token, seconds. */
  expiresIn: z.number().int(),
  user: userSchema,
});
export type AuthResponse = z.infer<typeof authResponseSchema>;

/** The password a user sets: the policy of registration. */
const newPassword = registerBodySchema.shape.password;

export const changePasswordBodySchema = z.object({
  currentPassword: loginBodySchema.shape.password,
  newPassword,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

/** Deleting the account asks for the password again: a stolen access token alone cannot do it. */
export const deleteAccountBodySchema = z.object({ password: loginBodySchema.shape.password });
export type DeleteAccountBody = z.infer<typeof deleteAccountBodySchema>;

/** One signed-in device or browser: what `GET /api/auth/sessions` lists. */
export const authSessionSchema = z.object({
  id: z.uuid(),
  /** The browser's User-Agent when it signed in, cut to 256 characters. */
  userAgent: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
  /** The session ends then unless it is used (each refresh moves it, up to its absolute limit). */
  expiresAt: z.iso.datetime(),
  /** The session of the access token that asked. */
  current: z.boolean(),
});
export type AuthSession = z.infer<typeof authSessionSchema>;

export const authSessionListSchema = z.object({ items: z.array(authSessionSchema) });
export type AuthSessionList = z.infer<typeof authSessionListSchema>;
