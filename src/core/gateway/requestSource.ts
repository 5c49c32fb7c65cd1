import type { IncomingHttpHeaders } from 'node:http';
import type { Source } from '../activityRecord';

/**
 * Tells a local client from traffic that arrived through a tunnel or proxy.
 * A tunnel (devtunnel, ngrok) connects from loopback too, so the address
 * alone proves nothing: any proxy header marks the request as not local.
 */
export function classifySource(remoteAddress: string | undefined, headers: IncomingHttpHeaders): Source {
  if (!isLoopbackAddress(remoteAddress)) return 'remote';
  return hasProxyHeaders(headers) ? 'tunnel' : 'loopback';
}

export function hasProxyHeaders(headers: IncomingHttpHeaders): boolean {
  for (const name of Object.keys(headers)) {
    if (name === 'forwarded' || name === 'via' || name.startsWith('x-forwarded-') || name === 'x-real-ip' || name.startsWith('x-ms-devtunnel')) return true;
  }
  return false;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}
