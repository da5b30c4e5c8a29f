import { z } from 'zod';
import { ConfigError, issuesOf } from './config-error';

/** The process environment, or what a test passes in its place. */
export type Env = Readonly<Record<string, string | undefined>>;

/** `FOO=` (or spaces only) in an env file means "not set", not "set to nothing". */
export function withoutBlanks(env: Env): Env {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, value?.trim() === '' ? undefined : value]),
  );
}

/** One setting: the variable it is read from, and the schema its value goes through. */
export interface EnvSetting<S extends z.ZodType = z.ZodType> {
  readonly variable: string;
  readonly schema: S;
}

export function fromEnv<S extends z.ZodType>(variable: string, schema: S): EnvSetting<S> {
  return { variable, schema };
}

/** A configuration's shape: settings, grouped as the app reads them. */
export interface EnvShape {
  readonly [key: string]: EnvSetting | EnvShape;
}

export type ConfigOf<T extends EnvShape> = {
  -readonly [K in keyof T]: T[K] extends EnvSetting<infer S>
    ? z.output<S>
    : T[K] extends EnvShape
      ? ConfigOf<T[K]>
      : never;
};

const isSetting = (entry: EnvSetting | EnvShape): entry is EnvSetting => entry['schema'] instanceof z.ZodType;

function variablesOf(shape: EnvShape, into: Record<string, z.ZodType> = {}): Record<string, z.ZodType> {
  for (const entry of Object.values(shape)) {
    if (isSetting(entry)) into[entry.variable] = entry.schema;
    else variablesOf(entry, into);
  }
  return into;
}

function configOf<T extends EnvShape>(shape: T, values: Record<string, unknown>): ConfigOf<T> {
  const config = Object.fromEntries(
    Object.entries(shape).map(([key, entry]) => [
      key,
      isSetting(entry) ? values[entry.variable] : configOf(entry, values),
    ]),
  );
  return config as ConfigOf<T>;
}

/** Records a problem with a variable, from a check across settings. */
export type EnvIssue = (variable: string, message: string) => void;

/**
 * A schema over the environment (keyed by variable, so every issue names its variable) whose output
 * is the configuration shaped as `shape`. `check` sees that configuration before it is final, to
 * refuse combinations; as with any object refinement it runs unless a value could not be read at all.
 */
export function envConfig<T extends EnvShape>(
  shape: T,
  check?: (config: ConfigOf<T>, issue: EnvIssue) => void,
) {
  const variables = z.object(variablesOf(shape));
  const checked = check
    ? variables.superRefine((values, ctx) =>
        check(configOf(shape, values), (variable, message) =>
          ctx.addIssue({ code: 'custom', path: [variable], message }),
        ),
      )
    : variables;
  return checked.transform((values) => configOf(shape, values));
}

/** Reads the environment through one schema; see `loadConfig`. */
export type EnvRead = <S extends z.ZodType>(schema: S) => z.output<S>;

/**
 * Builds a configuration with `build`, which reads the environment (blanks unset) through one schema
 * or several; throws one `ConfigError` naming every bad variable of all of them, including the
 * problems a schema's transform throws as a `ConfigError` (a file it reads). A failed read gives
 * `undefined`: the configuration `build` returns is then never used.
 */
export function loadConfig<T>(env: Env, build: (read: EnvRead) => T): T {
  const vars = withoutBlanks(env);
  const issues: string[] = [];
  const read: EnvRead = (schema) => {
    try {
      const parsed = schema.safeParse(vars);
      if (parsed.success) return parsed.data;
      issues.push(...issuesOf(parsed.error));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues);
    }
    return undefined as z.output<typeof schema>;
  };
  const config = build(read);
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
