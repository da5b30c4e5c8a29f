import type { ClientErrorCode } from './api-error';

export interface ErrorDescription {
  /** One short sentence a user understands. */
  title: string;
  /** What to do about it. */
  hint: string;
}

const DESCRIPTIONS: Record<ClientErrorCode | 'stream_interrupted', ErrorDescription> = {
  validation_failed: { title: 'Some details need fixing.', hint: 'Check the highlighted fields.' },
  unauthorized: { title: 'You are signed out.', hint: 'Sign in again to continue.' },
  forbidden: { title: 'You are not allowed to do that.', hint: 'Ask an administrator if you need access.' },
  wrong_password: { title: 'That password is not right.', hint: 'Type your current password again.' },
  not_found: { title: 'That conversation no longer exists.', hint: 'Pick another one or start a new one.' },
  conflict: { title: 'That already exists.', hint: 'Try something else.' },
  rate_limited: { title: 'Too many requests right now.', hint: 'Wait a moment, then try again.' },
  too_many_streams: {
    title: 'Too many answers are being written for you at once.',
    hint: 'Wait for one to finish, or stop one, then send again.',
  },
  payload_too_large: { title: 'The message is too long.', hint: 'Shorten it and send it again.' },
  llm_unavailable: { title: 'The model is unavailable right now.', hint: 'Try again in a moment.' },
  llm_timeout: { title: 'The model took too long to answer.', hint: 'Try again, or pick a smaller model.' },
  model_not_found: { title: 'That model is not available.', hint: 'Pick another model and send again.' },
  context_length_exceeded: {
    title: 'This conversation is too long for the model.',
    hint: 'Start a new conversation, or pick a model with a larger context.',
  },
  llm_bad_request: { title: 'The model refused the request.', hint: 'Rephrase the message and try again.' },
  llm_error: { title: 'The model failed while answering.', hint: 'Try again.' },
  internal: { title: 'Something went wrong on our side.', hint: 'Try again in a moment.' },
  network_error: { title: 'Cannot reach Sluice.', hint: 'Check your connection and try again.' },
  bad_response: { title: 'The server sent something unexpected.', hint: 'Reload the page and try again.' },
  stream_interrupted: {
    title: 'The connection dropped before the answer finished.',
    hint: 'The partial answer is kept. Send the message again to get a full one.',
  },
};

export function describeError(code: ClientErrorCode | 'stream_interrupted'): ErrorDescription {
  return DESCRIPTIONS[code];
}
