import type { Exchange } from './fake-exchange';
import type { FakeScript, FakeToolCall } from './fake-script';
import type { ScriptPlan } from './fake-util';

/** How one server renders the events of a stream; each method returns whole wire events. */
export interface StreamRenderer {
  /** Events before any content (the OpenAI role chunk). */
  opening(): string[];
  /** One reasoning piece; absent when the server has no reasoning in its stream. */
  reasoning?(piece: string): string;
  token(piece: string): string;
  /** The tool calls, after the text: each element is one event. */
  toolCalls(calls: FakeToolCall[]): string[];
  /** An event that is not valid JSON. */
  malformed(): string;
  /** The server's in-stream error, and whatever it sends after it. */
  error(message: string): string[];
  /** The terminal events (done line / finish chunk, usage, `[DONE]`). */
  terminal(): string[];
}

/**
 * Plays a script as a stream whose headers have already been sent. The checkpoints `stallAfter`,
 * `malformedAfterTokens`, `errorAfterTokens` and `cutAfterTokens` (in that order when several name
 * the same count) fire after that many text tokens; a count past the end fires after the last token.
 * `delayMs` separates consecutive events; events are rendered only when they are written, so their
 * timestamps are real.
 */
export async function playStream(
  ex: Exchange,
  script: FakeScript,
  plan: ScriptPlan,
  render: StreamRenderer,
  defaultErrorMessage: string,
): Promise<void> {
  if (script.stallBeforeFirstTokenMs !== undefined && !(await ex.sleep(script.stallBeforeFirstTokenMs)))
    return;
  let first = true;
  const emit = async (event: () => string): Promise<boolean> => {
    if (!first && script.delayMs && !(await ex.sleep(script.delayMs))) return false;
    first = false;
    return ex.write(event());
  };
  const emitAll = async (events: () => string[]): Promise<boolean> => {
    for (const data of events()) if (!(await emit(() => data))) return false;
    return true;
  };

  if (!(await emitAll(() => render.opening()))) return;
  const reasoning = render.reasoning?.bind(render);
  if (reasoning) for (const piece of plan.reasoning) if (!(await emit(() => reasoning(piece)))) return;

  const { tokens } = plan;
  const at = (count: number | undefined) =>
    count === undefined ? -1 : Math.min(Math.max(0, Math.floor(count)), tokens.length);
  for (let i = 0; i <= tokens.length; i++) {
    if (script.stallAfter && at(script.stallAfter.tokens) === i && !(await ex.sleep(script.stallAfter.ms)))
      return;
    if (at(script.malformedAfterTokens) === i && !(await emit(() => render.malformed()))) return;
    if (at(script.errorAfterTokens) === i) {
      if (await emitAll(() => render.error(script.streamErrorMessage ?? defaultErrorMessage))) await ex.end();
      return;
    }
    if (at(script.cutAfterTokens) === i) {
      ex.cut();
      return;
    }
    const token = tokens[i];
    if (token !== undefined && !(await emit(() => render.token(token)))) return;
  }
  if (!(await emitAll(() => render.toolCalls(plan.toolCalls)))) return;
  if (!script.omitTerminal && !(await emitAll(() => render.terminal()))) return;
  await ex.end();
}
