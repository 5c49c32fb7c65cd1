/**
 * What a card shows and what its actions mean, as plain data (no DOM, no renderer: unit-tested in
 * Node): Teams' hero and thumbnail cards as the Adaptive Card Teams draws for them, a card with
 * every remote image, background and icon replaced by its URL in text (the panel loads nothing
 * from the internet), and an Action.Submit's data read the way Teams reads it (msteams.type).
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
  /** Teams sends `text` and `value` to the bot and shows `displayText` (if any) as what the user said. */
  | { kind: 'messageBack'; text?: string; value: unknown; displayText?: string };

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

export interface CardButton { type?: string; title?: string; value?: unknown; text?: string; displayText?: string }

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
export function submitMeaning(data: unknown): CardAction {
  const msteams = data && typeof data === 'object' ? (data as { msteams?: Record<string, unknown> }).msteams : undefined;
  switch (msteams?.type) {
    case 'task/fetch':
      return { kind: 'taskFetch', data };
    case 'imBack':
      return { kind: 'imBack', text: String(msteams.value ?? '') };
    case 'messageBack':
      return messageBack(msteams);
    case 'invoke': {
      const value = msteams.value as { type?: unknown } | undefined;
      if (value?.type === 'task/fetch') return { kind: 'taskFetch', data: value };
      return { kind: 'submit', data };
    }
    default:
      return { kind: 'submit', data };
  }
}

/**
 * A suggested action's meaning (the buttons under a bot message): openUrl opens outside, messageBack
 * sends its text and value, imBack (and anything else Teams would send as a message) says its value.
 */
export function suggestedActionMeaning(action: CardButton): CardAction {
  if (action.type === 'openUrl') return { kind: 'openUrl', url: String(action.value ?? '') };
  if (action.type === 'messageBack') return messageBack(action);
  return { kind: 'imBack', text: String(action.value ?? action.title ?? '') };
}

function messageBack(from: { text?: unknown; value?: unknown; displayText?: unknown }): CardAction {
  return {
    kind: 'messageBack',
    text: typeof from.text === 'string' ? from.text : undefined,
    value: from.value,
    ...(typeof from.displayText === 'string' && from.displayText ? { displayText: from.displayText } : {}),
  };
}
