/**
 * An http:// or https:// URL, as a bot endpoint must be (the config schema's pattern for bot.url): the
 * one test for a bot URL that arrives elsewhere (`serve --bot-url`, a running gateway's gateway.lock).
 * Other schemes parse as URLs too, and would only fail on the first message or be connected to.
 */
export function isHttpUrl(value: unknown): value is string {
  return typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}
