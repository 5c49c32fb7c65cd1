/**
 * Resolves "aborted" once the signal fires (at once if it already has), for
 * racing work that does not honour its abort signal itself: a token request
 * whose credential sits on its own timeouts (a managed-identity probe off
 * Azure) still ends at the caller's deadline.
 */
export function whenAborted(signal: AbortSignal): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
}
