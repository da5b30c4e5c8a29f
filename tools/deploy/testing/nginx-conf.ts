/** A small nginx configuration reader: directives and blocks, with nginx's inheritance for lookups. */

export interface NginxDirective {
  name: string;
  args: string[];
  block?: NginxDirective[];
}

export function parseNginx(text: string): NginxDirective[] {
  const tokens: string[] = [];
  // `${name}` (nginx's braced variables, and the image's template variables) belongs to its word.
  const re = /#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|((?:\$\{[^}]*\}|[^\s{};"'#])+)|([{};])/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    if (match[0].startsWith('#')) continue;
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4]!);
  }
  let index = 0;
  const block = (): NginxDirective[] => {
    const out: NginxDirective[] = [];
    let words: string[] = [];
    while (index < tokens.length) {
      const token = tokens[index++]!;
      if (token === ';') {
        if (words.length > 0) out.push({ name: words[0]!, args: words.slice(1) });
        words = [];
      } else if (token === '{') {
        out.push({ name: words[0]!, args: words.slice(1), block: block() });
        words = [];
      } else if (token === '}') {
        return out;
      } else {
        words.push(token);
      }
    }
    return out;
  };
  return block();
}

export function find(block: NginxDirective[], name: string): NginxDirective[] {
  return block.filter((directive) => directive.name === name);
}

/**
 * A directive's value in a location, inherited from the server when the location does not set it
 * (nginx's rule for gzip, proxy_buffering and the like; proxy_set_header too, as a whole list).
 */
export function effective(server: NginxDirective[], location: NginxDirective[], name: string): string[][] {
  const own = find(location, name);
  return (own.length > 0 ? own : find(server, name)).map((directive) => directive.args);
}
