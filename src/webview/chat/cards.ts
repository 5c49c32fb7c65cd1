import * as AC from 'adaptivecards';
import { cardMarkdownHtml } from './markdown';

/**
 * Cards, drawn by Microsoft's own renderer (adaptivecards 3) with a Teams-like host config whose
 * colours and fonts are VS Code's theme variables, so a card follows the theme as the rest of the
 * panel does. Hero and thumbnail cards are turned into the Adaptive Card Teams draws for them.
 * Nothing is loaded from the internet: a remote image becomes a line naming its URL.
 */

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const HERO_CARD = 'application/vnd.microsoft.card.hero';
const THUMBNAIL_CARD = 'application/vnd.microsoft.card.thumbnail';

/** What a click on a card's action asks for; main.ts turns each into a ChatInput or an outside link. */
export type CardAction =
  | { kind: 'submit'; data: unknown }
  | { kind: 'execute'; verb?: string; data: unknown; id?: string }
  | { kind: 'openUrl'; url: string }
  | { kind: 'taskFetch'; data: unknown }
  | { kind: 'imBack'; text: string }
  | { kind: 'messageBack'; text?: string; value: unknown };

const fg = (c: string, subtle?: string) => ({ default: c, subtle: subtle ?? c });
const foregroundColors = {
  default: fg('var(--vscode-foreground)', 'var(--vscode-descriptionForeground)'),
  dark: fg('var(--vscode-foreground)', 'var(--vscode-descriptionForeground)'),
  light: fg('var(--vscode-descriptionForeground)'),
  accent: fg('var(--vscode-textLink-foreground)'),
  good: fg('var(--vscode-testing-iconPassed, #3fb950)'),
  warning: fg('var(--vscode-editorWarning-foreground)'),
  attention: fg('var(--vscode-errorForeground)'),
};
const style = (backgroundColor: string) => ({ backgroundColor, foregroundColors });

/** Teams' spacing and sizes, VS Code's colours. */
export const hostConfig = new AC.HostConfig({
  fontFamily: 'var(--vscode-font-family)',
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 12 },
  separator: { lineThickness: 1, lineColor: 'var(--vscode-widget-border, var(--vscode-panel-border))' },
  fontTypes: {
    default: { fontFamily: 'var(--vscode-font-family)', fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
    monospace: { fontFamily: 'var(--vscode-editor-font-family)', fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
  },
  imageSizes: { small: 32, medium: 52, large: 100 },
  containerStyles: {
    default: style('var(--vscode-editorWidget-background)'),
    emphasis: style('var(--vscode-textBlockQuote-background)'),
    accent: style('var(--vscode-editor-selectionHighlightBackground)'),
    good: style('var(--vscode-diffEditor-insertedTextBackground)'),
    attention: style('var(--vscode-inputValidation-errorBackground)'),
    warning: style('var(--vscode-inputValidation-warningBackground)'),
  },
  actions: { maxActions: 6, spacing: 'default', buttonSpacing: 8, showCard: { actionMode: 'inline', inlineTopMargin: 8 }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
  adaptiveCard: { allowCustomStyle: false },
  factSet: { title: { weight: 'bolder', wrap: true, maxWidth: 150 }, value: { wrap: true }, spacing: 8 },
});

AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = cardMarkdownHtml(text);
  result.didProcess = true;
};

const isRemote = (url: unknown): url is string => typeof url === 'string' && !/^data:/i.test(url);
const placeholder = (url: string) => ({ type: 'TextBlock', text: `[image not loaded: ${url}]`, wrap: true, isSubtle: true, size: 'small' });

/** A copy of the card with every remote image, background and icon replaced by its URL in text. */
export function withoutRemoteContent(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRemoteContent);
  if (!node || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  if (o.type === 'Image' && isRemote(o.url)) return placeholder(o.url);
  if (o.type === 'ImageSet' && Array.isArray(o.images)) return { type: 'Container', items: o.images.map(withoutRemoteContent) };
  if (o.type === 'Media') return { type: 'TextBlock', text: '[media not loaded]', isSubtle: true, size: 'small' };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if ((k === 'backgroundImage' || k === 'iconUrl') && (isRemote(v) || (v && typeof v === 'object' && isRemote((v as { url?: unknown }).url)))) continue;
    out[k] = withoutRemoteContent(v);
  }
  return out;
}

interface CardButton { type?: string; title?: string; value?: unknown; text?: string; displayText?: string }

/** Hero and thumbnail cards as the Adaptive Card Teams draws for them; buttons keep their Teams meaning (msteams data). */
export function heroAsAdaptive(content: Record<string, unknown>, thumbnail: boolean): Record<string, unknown> {
  const images = (Array.isArray(content.images) ? content.images : []).map((i: { url?: string; alt?: string }) => ({ type: 'Image', url: i.url, altText: i.alt, size: thumbnail ? 'medium' : 'stretch' }));
  const texts = [
    content.title ? { type: 'TextBlock', text: String(content.title), weight: 'bolder', size: 'large', wrap: true } : undefined,
    content.subtitle ? { type: 'TextBlock', text: String(content.subtitle), isSubtle: true, wrap: true } : undefined,
    content.text ? { type: 'TextBlock', text: String(content.text), wrap: true } : undefined,
  ].filter(Boolean);
  const body = thumbnail && images.length
    ? [{ type: 'ColumnSet', columns: [{ type: 'Column', width: 'stretch', items: texts }, { type: 'Column', width: 'auto', items: images.slice(0, 1) }] }]
    : [...images, ...texts];
  const actions = (Array.isArray(content.buttons) ? (content.buttons as CardButton[]) : []).map((b) =>
    b.type === 'openUrl' ? { type: 'Action.OpenUrl', title: b.title, url: String(b.value ?? '') } : { type: 'Action.Submit', title: b.title, data: { msteams: { type: b.type ?? 'imBack', value: b.value, text: b.text, displayText: b.displayText } } },
  );
  return { type: 'AdaptiveCard', version: '1.5', body, actions };
}

/** The Adaptive Card an attachment shows as, or undefined for one that is not a card. */
export function attachmentCard(attachment: { contentType?: unknown; content?: unknown }): Record<string, unknown> | undefined {
  const content = attachment.content && typeof attachment.content === 'object' ? (attachment.content as Record<string, unknown>) : undefined;
  if (!content) return undefined;
  if (attachment.contentType === ADAPTIVE_CARD) return content;
  if (attachment.contentType === HERO_CARD) return heroAsAdaptive(content, false);
  if (attachment.contentType === THUMBNAIL_CARD) return heroAsAdaptive(content, true);
  return undefined;
}

/** What a Submit action's data means in Teams: msteams.type turns a submit into a message, a messageBack or a task/fetch. */
function submitMeaning(data: unknown): CardAction {
  const msteams = data && typeof data === 'object' ? (data as { msteams?: Record<string, unknown> }).msteams : undefined;
  switch (msteams?.type) {
    case 'task/fetch':
      return { kind: 'taskFetch', data };
    case 'imBack':
      return { kind: 'imBack', text: String(msteams.value ?? '') };
    case 'messageBack':
      return { kind: 'messageBack', text: typeof msteams.text === 'string' ? msteams.text : undefined, value: msteams.value };
    case 'invoke': {
      const value = msteams.value as { type?: unknown } | undefined;
      if (value?.type === 'task/fetch') return { kind: 'taskFetch', data: value };
      return { kind: 'submit', data };
    }
    default:
      return { kind: 'submit', data };
  }
}

/** Renders a card; each action click goes to onAction. Returns an error line instead when the card does not parse. */
export function renderCard(card: unknown, onAction: (action: CardAction) => void): HTMLElement {
  const adaptive = new AC.AdaptiveCard();
  adaptive.hostConfig = hostConfig;
  adaptive.onExecuteAction = (action) => {
    if (action instanceof AC.ExecuteAction) onAction({ kind: 'execute', verb: action.verb, data: action.data ?? {}, id: action.id });
    else if (action instanceof AC.SubmitAction) onAction(submitMeaning(action.data ?? {}));
    else if (action instanceof AC.OpenUrlAction && action.url) onAction({ kind: 'openUrl', url: action.url });
  };
  try {
    const errors: string[] = [];
    const context = new AC.SerializationContext();
    adaptive.parse(withoutRemoteContent(card), context);
    for (let i = 0; i < context.eventCount; i++) errors.push(context.getEventAt(i).message);
    const el = adaptive.render();
    if (!el) throw new Error(errors.join('; ') || 'the renderer returned nothing');
    const box = document.createElement('div');
    box.className = 'card';
    box.appendChild(el);
    return box;
  } catch (err) {
    const box = document.createElement('div');
    box.className = 'card-error';
    box.textContent = `This card could not be shown: ${err instanceof Error ? err.message : String(err)}`;
    return box;
  }
}
