/** How much of a string a caller controls (a URL, a model id, an upstream's message) a log line carries. */
export const LOG_TEXT_MAX = 256;

/**
 * `text` cut to `max` characters for a log line, with how much was cut: a 16 KB URL or a 4 MB
 * prompt must not become a 16 KB or 4 MB line (log pipelines drop or split those). A surrogate pair
 * is never split.
 */
export function boundForLog(text: string, max: number = LOG_TEXT_MAX): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…[${text.length - end} more characters]`;
}
