/**
 * The gateway's built-in simulator endpoint, in a module of its own so the
 * extension can recognise a simulated conversation without loading the
 * webhook server (Express).
 */
export const SIMULATOR_PREFIX = '/_simulator';

/** A serviceUrl pointing at a local gateway's simulator: its replies go to the Activities view, not to Teams. */
export function isSimulatorServiceUrl(serviceUrl: string | undefined): boolean {
  if (!serviceUrl) return false;
  try {
    const url = new URL(serviceUrl);
    return (url.pathname === SIMULATOR_PREFIX || url.pathname.startsWith(`${SIMULATOR_PREFIX}/`)) && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}
