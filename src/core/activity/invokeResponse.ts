/**
 * The bot's HTTP answer to an invoke activity (a card action's refreshed
 * card, a dialog, …) as the conversation tests record it and the chat shows
 * it: the status, and the body parsed when it is JSON (else kept as text).
 */
export interface InvokeResponse {
  status: number;
  body?: unknown;
}

export function invokeResponseOf(response: { status: number; body: Buffer }): InvokeResponse {
  if (response.body.length === 0) return { status: response.status };
  const text = response.body.toString('utf8');
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}
