/**
 * A Dockerfile parser for the subset our images use, strict about the rest: an instruction it does not
 * know, a heredoc or a flag it cannot honour is an error naming the line, never silently skipped.
 * Semantics follow the Dockerfile reference: line continuations, comment lines (also inside a
 * continuation), parser directives, exec (JSON) and shell forms, `--flag=value` options, and variable
 * substitution (`$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`) where Docker performs it.
 */
import { readFileSync } from 'node:fs';

export interface Flag {
  name: string;
  value: string;
}

export interface Instruction {
  keyword: string;
  /** The arguments after the keyword and its flags (continuations joined, comments dropped). */
  args: string;
  flags: Flag[];
  /** 1-based line where the instruction starts. */
  line: number;
  /** `KEYWORD args` as written (continuations joined), for messages. */
  text: string;
}

export interface Stage {
  index: number;
  /** `AS name`, lower-cased as Docker treats it. */
  name: string | undefined;
  /** The FROM image or stage, before substitution. */
  from: string;
  fromLine: number;
  instructions: Instruction[];
}

export interface Dockerfile {
  file: string;
  directives: Record<string, string>;
  /** ARGs before the first FROM (usable in FROM lines). */
  globalArgs: Instruction[];
  stages: Stage[];
}

export interface Healthcheck {
  options: Record<string, string>;
  /** Exec form (argv) or shell form (a string run with `/bin/sh -c`). */
  command: string[] | string;
}

const KNOWN = new Set([
  'FROM',
  'ARG',
  'ENV',
  'WORKDIR',
  'COPY',
  'RUN',
  'USER',
  'EXPOSE',
  'CMD',
  'ENTRYPOINT',
  'HEALTHCHECK',
  'LABEL',
  'STOPSIGNAL',
]);
const UNSUPPORTED = new Set(['ADD', 'VOLUME', 'ONBUILD', 'SHELL', 'MAINTAINER']);
const FLAGS: Record<string, Set<string>> = {
  FROM: new Set(['platform']),
  COPY: new Set(['from', 'chown', 'chmod', 'link']),
  RUN: new Set(['mount']),
  HEALTHCHECK: new Set(['interval', 'timeout', 'start-period', 'start-interval', 'retries']),
};

export class DockerfileError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

export function parseDockerfile(text: string, file: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let index = 0;
  // Parser directives: `# key=value` lines at the very top.
  for (; index < lines.length; index++) {
    const match = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[index] ?? '');
    if (!match) break;
    directives[match[1]!.toLowerCase()] = match[2]!;
  }

  const instructions: Instruction[] = [];
  let current: { start: number; parts: string[] } | undefined;
  for (; index < lines.length; index++) {
    const raw = lines[index]!;
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) continue; // comment lines, also inside a continuation
    if (current === undefined) {
      if (trimmed === '') continue;
      current = { start: index + 1, parts: [] };
    }
    const continued = /\\\s*$/.test(raw);
    current.parts.push(continued ? raw.replace(/\\\s*$/, '') : raw);
    if (!continued) {
      instructions.push(toInstruction(current.parts.join(' ').trim(), current.start, file));
      current = undefined;
    }
  }
  if (current !== undefined)
    throw new DockerfileError(file, current.start, 'the file ends inside a line continuation');

  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new DockerfileError(file, instruction.line, `cannot read FROM ${instruction.args}`);
      stages.push({
        index: stages.length,
        name: match[2]?.toLowerCase(),
        from: match[1]!,
        fromLine: instruction.line,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        throw new DockerfileError(file, instruction.line, `${instruction.keyword} before the first FROM`);
      globalArgs.push(instruction);
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new DockerfileError(file, 1, 'no FROM');
  return { file, directives, globalArgs, stages };
}

export function readDockerfile(absolutePath: string, displayName: string): Dockerfile {
  return parseDockerfile(readFileSync(absolutePath, 'utf8'), displayName);
}

function toInstruction(text: string, line: number, file: string): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text);
  const keyword = (match?.[1] ?? '').toUpperCase();
  let rest = match?.[2] ?? '';
  if (UNSUPPORTED.has(keyword))
    throw new DockerfileError(file, line, `${keyword} is not supported by these checks`);
  if (!KNOWN.has(keyword)) throw new DockerfileError(file, line, `unknown instruction ${keyword}`);
  if (/<<-?\s*["']?[A-Za-z_]/.test(rest) && (keyword === 'RUN' || keyword === 'COPY'))
    throw new DockerfileError(file, line, 'heredocs are not supported by these checks');
  const flags: Flag[] = [];
  const allowed = FLAGS[keyword];
  if (allowed) {
    for (;;) {
      const flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
      if (!flag) break;
      if (!allowed.has(flag[1]!))
        throw new DockerfileError(file, line, `${keyword} --${flag[1]} is not supported`);
      flags.push({ name: flag[1]!, value: flag[2] ?? 'true' });
      rest = rest.slice(flag[0].length);
    }
  }
  return { keyword, args: rest.trim(), flags, line, text: `${keyword} ${text.slice(keyword.length).trim()}` };
}

/** The exec form (`["a", "b"]`) as argv, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const trimmed = args.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  } catch {
    // Docker runs an invalid JSON array in the shell form.
  }
  return undefined;
}

/** CMD, ENTRYPOINT: argv (exec form) or a shell string. */
export function commandOf(args: string): string[] | string {
  return execForm(args) ?? args;
}

export function parseHealthcheck(instruction: Instruction): Healthcheck | 'NONE' {
  if (/^NONE$/i.test(instruction.args)) return 'NONE';
  const match = /^CMD\s+([\s\S]+)$/i.exec(instruction.args);
  if (!match) throw new Error(`line ${instruction.line}: HEALTHCHECK needs CMD or NONE`);
  return {
    options: Object.fromEntries(instruction.flags.map((flag) => [flag.name, flag.value])),
    command: commandOf(match[1]!),
  };
}

/**
 * Docker's word processing for ENV, ARG, WORKDIR, COPY, FROM, USER, EXPOSE, LABEL, STOPSIGNAL:
 * `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`, `\$` for a literal dollar. Unset variables become ''.
 */
export function substitute(text: string, vars: Record<string, string | undefined>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (char !== '$') {
      out += char;
      continue;
    }
    if (text[i + 1] === '{') {
      const end = text.indexOf('}', i);
      if (end === -1) throw new Error(`unterminated \${ in ${text}`);
      const body = text.slice(i + 2, end);
      const modifier = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(body);
      if (!modifier) throw new Error(`cannot substitute \${${body}}`);
      const value = vars[modifier[1]!];
      if (modifier[2] === '-')
        out += value === undefined || value === '' ? substitute(modifier[3]!, vars) : value;
      else if (modifier[2] === '+')
        out += value === undefined || value === '' ? '' : substitute(modifier[3]!, vars);
      else out += value ?? '';
      i = end;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (!name) {
      out += '$';
      continue;
    }
    out += vars[name[0]] ?? '';
    i += name[0].length;
  }
  return out;
}

/** Splits shell-like words (quotes and backslash escapes), as Docker does for ENV, LABEL and COPY. */
export function words(text: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in ${text}`);
  if (inWord) out.push(word);
  return out;
}

/** `ENV A=1 B="two words"` (or the legacy `ENV A value`) as pairs, values substituted in order. */
export function parseKeyValues(args: string, vars: Record<string, string | undefined>): [string, string][] {
  const first = /^([A-Za-z_][A-Za-z0-9_.-]*)(\s+|=)/.exec(args);
  if (first && first[2] !== '=') {
    return [[first[1]!, substitute(args.slice(first[0].length).trim(), vars)]];
  }
  const pairs: [string, string][] = [];
  const scope = { ...vars };
  for (const word of words(args)) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new Error(`expected KEY=value, got ${word}`);
    const key = word.slice(0, eq);
    const value = substitute(word.slice(eq + 1), scope);
    scope[key] = value;
    pairs.push([key, value]);
  }
  return pairs;
}
