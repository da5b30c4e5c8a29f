/**
 * .dockerignore as BuildKit applies it (moby/patternmatcher): each line a pattern relative to the
 * context root (a leading `/` ignored, paths cleaned), `*` and `?` within one path element, `**` for
 * any number of elements, `!` re-includes; the last pattern that matches a path or one of its parent
 * directories decides.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Rule {
  pattern: string;
  exclude: boolean;
  regex: RegExp;
}

export class DockerIgnore {
  private constructor(readonly rules: Rule[]) {}

  static parse(text: string): DockerIgnore {
    const rules: Rule[] = [];
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const exclude = !line.startsWith('!');
      if (!exclude) line = line.slice(1).trim();
      const pattern = path.posix.normalize(line.replace(/^\/+/, '')).replace(/\/+$/, '');
      if (pattern === '.' || pattern === '') continue;
      rules.push({ pattern, exclude, regex: toRegex(pattern) });
    }
    return new DockerIgnore(rules);
  }

  static read(file: string): DockerIgnore {
    return DockerIgnore.parse(readFileSync(file, 'utf8'));
  }

  /** Whether a context path (relative, `/`-separated) is left out of the build context. */
  excludes(relative: string): boolean {
    const clean = path.posix.normalize(relative);
    const parents: string[] = [];
    const parts = clean.split('/');
    for (let i = 1; i <= parts.length; i++) parents.push(parts.slice(0, i).join('/'));
    let excluded = false;
    for (const rule of this.rules) {
      if (parents.some((candidate) => rule.regex.test(candidate))) excluded = rule.exclude;
    }
    return excluded;
  }

  /**
   * Whether walking into an excluded directory can still find included files: some `!` pattern
   * reaches below it. Lets a walk skip node_modules and the like without listing them.
   */
  mayIncludeBelow(relativeDir: string): boolean {
    if (!this.excludes(relativeDir)) return true;
    const dirParts = relativeDir.split('/');
    return this.rules.some((rule) => {
      if (rule.exclude) return false;
      const parts = rule.pattern.split('/');
      for (let i = 0; i < dirParts.length; i++) {
        const part = parts[i];
        if (part === undefined) return false;
        if (part === '**') return true;
        if (!toRegex(part).test(dirParts[i]!)) return false;
      }
      return true;
    });
  }
}

function toRegex(pattern: string): RegExp {
  let out = '';
  const parts = pattern.split('/');
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    if (part === '**') {
      // Any number of elements (zero included), with the separator that follows.
      out += last ? '.*' : '(?:.*/)?';
      return;
    }
    for (let i = 0; i < part.length; i++) {
      const char = part[i]!;
      if (char === '*') out += '[^/]*';
      else if (char === '?') out += '[^/]';
      else if (char === '[') {
        const end = part.indexOf(']', i);
        if (end === -1) throw new Error(`bad pattern ${pattern}`);
        out += `[${part.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      } else if (char === '\\' && i + 1 < part.length) out += escape(part[++i]!);
      else out += escape(char);
    }
    if (!last) out += '/';
  });
  return new RegExp(`^${out}$`);
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
