import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { Source } from '../activity/activityRecord';

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

// 127.0.0.0/8 and ::1. BlockList parses the address, so every spelling
// (0:0:0:0:0:0:0:1, ::ffff:127.0.0.1, ::ffff:7f00:1) is judged by its value.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  // BlockList.check builds a SocketAddress per call (a few µs on every request); a socket's peer
  // address repeats, so the verdict is kept per spelling. Bounded: emptied when full.
  let verdict = loopbackVerdicts.get(address);
  if (verdict === undefined) {
    const family = isIP(address);
    verdict = family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
    if (loopbackVerdicts.size >= 1024) loopbackVerdicts.clear();
    loopbackVerdicts.set(address, verdict);
  }
  return verdict;
}
const loopbackVerdicts = new Map<string, boolean>();

/**
 * Why a loopback client without proxy headers still is not the developer, or
 * undefined when nothing says so. Loopback alone is not enough in local mode:
 *
 * - Any web page the developer has open can POST to 127.0.0.1 (text/plain
 *   needs no CORS preflight) and so inject activities as anyone. A browser
 *   cannot leave out what the Fetch standard makes it add: `Origin` on every
 *   POST (the string "null" from sandboxed frames, file: and data: pages, or
 *   under a strict referrer policy), and in current browsers the Fetch
 *   Metadata headers `Sec-Fetch-Site`/`-Dest` and the `Sec-CH-UA*` client
 *   hints, which a page's script cannot set (the `Sec-` prefix is reserved to
 *   the browser). `Sec-Fetch-Mode` alone proves nothing: Node's own fetch
 *   (undici) sends `Sec-Fetch-Mode: cors` on every request, while a browser
 *   never sends it without `Sec-Fetch-Site`. curl, Node clients and the Agents
 *   Playground's server (axios) send none of the others.
 * - With DNS rebinding a page on evil.example resolves its own name to
 *   127.0.0.1, becomes same-origin with the webhook and can read its answers;
 *   the Host header still names evil.example. Browsers always send Host, so
 *   only loopback names and addresses are accepted; a request without Host
 *   (HTTP/1.0) cannot come from a browser.
 *
 * Not for JWT mode: there a Bot Framework token (which no page can mint) is
 * the proof, and a tunnel delivers Teams' requests with the tunnel's public
 * host name.
 */
export function localClientRefusal(headers: IncomingHttpHeaders): { reason: 'browser-request' | 'host-not-loopback'; detail: string } | undefined {
  const markers = browserMarkers(headers);
  if (markers.length > 0) {
    return {
      reason: 'browser-request',
      detail: `local mode refuses requests from web browsers, and this one carries ${markers.join(', ')}: a web page must not post activities to the webhook. Use curl, the Agents Playground or Simulate Incoming Message, or set appId so that Bot Framework tokens are checked`,
    };
  }
  const host = headers.host;
  if (host !== undefined && !isLoopbackHost(host)) {
    return {
      reason: 'host-not-loopback',
      detail: `local mode accepts only a loopback Host (localhost, 127.0.0.1, [::1]), but the request says Host: ${quote(host)} (a DNS-rebinding web page would): address the webhook as http://127.0.0.1:<port> or http://localhost:<port>`,
    };
  }
  return undefined;
}

/** The browser-only request headers present, as `Origin: "null"`, `Sec-Fetch-Site: "cross-site"`; empty for a non-browser client. */
export function browserMarkers(headers: IncomingHttpHeaders): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'origin' || (name.startsWith('sec-fetch-') && name !== 'sec-fetch-mode') || name.startsWith('sec-ch-ua') || name.startsWith('access-control-request-')) {
      found.push(`${headerCase(name)}: ${quote(Array.isArray(value) ? value.join(', ') : String(value ?? ''))}`);
    }
  }
  return found;
}

/** localhost, *.localhost (browsers resolve those to loopback themselves), 127.0.0.0/8 and [::1], with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(host.trim());
  if (!m) return false;
  if (m[1] !== undefined) return isIP(m[1]) === 6 && isLoopbackAddress(m[1]);
  const name = m[2].toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return isIP(name) === 4 && isLoopbackAddress(name);
}

function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()).replace(/^Sec-Ch-Ua/, 'Sec-CH-UA');
}

/** Header values come from the request: clipped, quoted, control characters out. */
function quote(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return JSON.stringify(clean.length > 100 ? `${clean.slice(0, 100)}…` : clean);
}
