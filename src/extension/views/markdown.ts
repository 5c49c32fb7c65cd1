/** Escapes text that goes into a tooltip's markdown (names and ids are user input). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/**
 * `text` as a Markdown code span, whatever it holds. Ids in tooltips come
 * from requests (a conversation or sender id is whatever the sender put
 * there); inside plain backticks a backtick in one would end the span and
 * the rest would render as Markdown: a link, or a remote image the hover
 * fetches. The fence is longer than any run of backticks in the text, and
 * line breaks (which could end the paragraph) become spaces.
 */
export function inlineCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space on each side when both are there: padding keeps a leading/trailing backtick apart from the fence.
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ') && flat.trim()) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
