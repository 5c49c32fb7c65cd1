import MarkdownIt from 'markdown-it';

/**
 * Teams-flavoured markdown for the bot's text: what Teams renders in a message (bold, italic,
 * strike, lists, code, links, line breaks as typed) and nothing that could run or fetch:
 * raw HTML is escaped (html: false), and a markdown image shows its URL instead of loading it
 * (the panel's CSP would refuse it anyway; the URL tells the developer what the bot sent).
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
md.renderer.rules.image = (tokens, idx) => {
  const src = tokens[idx].attrGet('src') ?? '';
  return `<span class="remote-image" title="Not loaded: the chat panel loads nothing from the internet">[image: ${md.utils.escapeHtml(String(src))}]</span>`;
};
// Links open outside through the panel (main.ts catches the click), never inside the webview.
const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('class', 'external-link');
  return defaultLink(tokens, idx, options, env, self);
};

/** Teams writes a mention as <at>Name</at> in the text; show it as Teams does, a bold @Name. */
function mentionsToMarkdown(text: string): string {
  return text.replace(/<at>(.*?)<\/at>/g, (_m, name: string) => `**@${name.replace(/\*/g, '')}**`);
}

/** HTML for a message's text, by its textFormat ('markdown' is Teams' default; 'plain' and 'xml' are shown as text). */
export function messageHtml(text: string, textFormat?: unknown): string {
  if (textFormat === 'plain') return `<p>${md.utils.escapeHtml(text).replace(/\n/g, '<br>')}</p>`;
  if (textFormat === 'xml') return `<p>${md.utils.escapeHtml(stripTags(text)).replace(/\n/g, '<br>')}</p>`;
  return md.render(mentionsToMarkdown(text));
}

/** Adaptive Card TextBlocks use the same renderer (inline: a TextBlock is one paragraph). */
export function cardMarkdownHtml(text: string): string {
  return md.render(text);
}

function stripTags(xml: string): string {
  return new DOMParser().parseFromString(xml.replace(/<at>(.*?)<\/at>/g, '@$1'), 'text/html').body.textContent ?? '';
}
