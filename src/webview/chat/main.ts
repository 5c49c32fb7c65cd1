/**
 * The Chat panel's page: a Teams-like transcript per conversation, a composer with @mention of
 * the bot, cards with working actions, lifecycle events on demand, and beside every message that
 * was not delivered its fate and reason. It runs in the webview (no Node, no vscode API but
 * acquireVsCodeApi); every send goes to the panel (src/extension/chat/chatPanel.ts), which runs it
 * through the gateway's pipeline. The transcripts live in the webview state, so they survive a
 * hidden panel and a window reload (the panel's serializer hands the state back).
 */
import type { ChatBotActivity, ChatConversation, ChatEvent, ChatPanelInput, ChatRecord, ChatRequest, ChatSendAnswer, ChatUser } from './chatProtocol';
import { ADAPTIVE_CARD, attachmentCard, renderCard, type CardAction } from './cards';
import { suggestedActionMeaning, type CardButton } from './cardContent';
import { messageHtml } from './markdown';
import { InFlight } from './inFlight';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

// ---------------------------------------------------------------------------
// state

interface Entry {
  uid: string;
  side: 'user' | 'bot' | 'event';
  time: string;
  fromName?: string;
  /** The activity's id: assigned by the simulator connector (bot), or the id of what was sent (user). */
  activityId?: string;
  /** The bot's activity (its latest version after updates). */
  activity?: Record<string, unknown>;
  /** A user's text, or what an event was. */
  text?: string;
  record?: ChatRecord;
  sending?: boolean;
  error?: string;
  deleted?: boolean;
  edited?: boolean;
  /** Reactions the speaker put on a bot message. */
  reactions?: string[];
  /** A line under a bot message about its card's last action (an invoke that was not delivered, an HTTP error). */
  note?: { text: string; record?: ChatRecord };
}

interface Conv {
  key: string;
  label: string;
  conv: ChatConversation;
  conversationId?: string;
  entries: Entry[];
}

interface State {
  version: 1;
  /** When it was last saved (ms): of the webview state and the panel's copy, the newer wins. */
  savedAt: number;
  convs: Conv[];
  current: string;
  speaker: ChatUser;
}

const MAX_ENTRIES = 500;
const TEAM = { teamId: '19:simulated-team@thread.tacv2', teamName: 'Contoso', channelId: '19:simulated-team@thread.tacv2', channelName: 'General' };
const GROUP_ID = '19:simulated-group@thread.v2';

let bot: ChatUser = { id: '28:bot', name: 'Bot' };
let users: ChatUser[] = [];
let running = false;
let state: State = loadState();
let nextRequest = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
/** Bot activities for a conversation id no transcript knows yet (its id is asked for when the webhook runs). */
const orphans: ChatBotActivity[] = [];
let typingTimer: ReturnType<typeof setTimeout> | undefined;
/** The cards (entry uid, or the dialog) with an action on its way. */
const inFlight = new InFlight();

function loadState(): State {
  const saved = vscode.getState() as State | undefined;
  if (isState(saved)) return saved;
  return { version: 1, savedAt: 0, convs: [], current: '', speaker: { id: '29:simulated-alice', name: 'Alice Wilber' } };
}

function isState(value: unknown): value is State {
  const s = value as State | undefined;
  return s?.version === 1 && Array.isArray(s.convs) && typeof s.current === 'string' && !!s.speaker;
}

/** After a change to the transcripts: the webview state and the panel's copy, stamped with the time. */
function save(): void {
  for (const c of state.convs) if (c.entries.length > MAX_ENTRIES) c.entries.splice(0, c.entries.length - MAX_ENTRIES);
  state.savedAt = Date.now();
  vscode.setState(state);
  vscode.postMessage({ type: 'state', state });
}

/** After bookkeeping that is not a change to the transcripts (status, conversation ids): keeps the stamp, so it never outdates the panel's copy. */
function saveQuietly(): void {
  vscode.setState(state);
}

const uid = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function currentConv(): Conv | undefined {
  return state.convs.find((c) => c.key === state.current);
}

/** The conversations the picker offers: a personal chat with each simulated user (and with someone else once they speak), a group chat of all, a team channel. */
function presets(): Conv[] {
  const people = users.length ? users : [state.speaker];
  const chatters = people.some((u) => u.id === state.speaker.id) ? people : [...people, state.speaker];
  return [
    ...chatters.map((u) => ({ key: `personal:${u.id}`, label: `Personal chat · ${u.name}`, conv: { kind: 'personal' as const, user: u }, entries: [] })),
    { key: `group:${GROUP_ID}`, label: `Group chat · ${people.map((u) => u.name.split(' ')[0]).join(', ')}`, conv: { kind: 'groupChat', id: GROUP_ID, name: 'Simulated group', members: people }, entries: [] },
    { key: `channel:${TEAM.channelId}`, label: `Channel · ${TEAM.teamName} / ${TEAM.channelName}`, conv: { kind: 'channel', ...TEAM }, entries: [] },
  ];
}

function ensureConvs(): void {
  for (const p of presets()) if (!state.convs.some((c) => c.key === p.key)) state.convs.push(p);
  if (!currentConv()) state.current = state.convs[0]?.key ?? '';
}

// ---------------------------------------------------------------------------
// talking to the panel

function request<T>(body: DistributiveOmit<ChatRequest, 'id'>): Promise<T> {
  const id = nextRequest++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    vscode.postMessage({ ...body, id });
  });
}
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

window.addEventListener('message', (e: MessageEvent<ChatEvent>) => {
  const msg = e.data;
  switch (msg.type) {
    case 'reply': {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error !== undefined) p?.reject(new Error(msg.error));
      else p?.resolve(msg.result);
      break;
    }
    case 'status':
      bot = msg.bot;
      users = msg.users;
      running = msg.running;
      // The saved speaker, with what the panel knows of them now (the aadObjectId allowFrom lists hold).
      state.speaker = users.find((u) => u.id === state.speaker.id) ?? state.speaker;
      ensureConvs();
      renderToolbar();
      renderBanner();
      if (running) void resolveConversationIds();
      saveQuietly();
      break;
    case 'restore':
      // The panel's copy wins when newer: VS Code may have restored an older webview state (or none).
      if (isState(msg.state) && msg.state.savedAt > (state.savedAt ?? 0)) {
        state = msg.state;
        ensureConvs();
        renderToolbar();
        vscode.setState(state);
      }
      break;
    case 'bot':
      onBot(msg.event);
      break;
    case 'compose': {
      const target = msg.conversation && state.convs.find((c) => c.conv.kind === msg.conversation);
      if (target && target.key !== state.current) {
        state.current = target.key;
        renderToolbar();
      }
      const box = byId<HTMLTextAreaElement>('compose');
      box.value = msg.text;
      if (msg.send) void sendComposed();
      else box.focus();
      break;
    }
  }
});

async function resolveConversationIds(): Promise<void> {
  for (const c of state.convs) {
    if (c.conversationId) continue;
    try {
      c.conversationId = await request<string>({ method: 'conversationId', conv: c.conv });
    } catch {
      return; // the webhook stopped meanwhile; asked again when it runs
    }
  }
  saveQuietly();
  for (const event of orphans.splice(0)) onBot(event);
}

function convFor(conversationId: string): Conv | undefined {
  // A reply in a channel thread names "<channel>;messageid=<root>": it belongs to the channel.
  const base = conversationId.split(';')[0];
  return state.convs.find((c) => c.conversationId === conversationId) ?? state.convs.find((c) => c.conversationId === base);
}

// ---------------------------------------------------------------------------
// what the bot does

function onBot(event: ChatBotActivity): void {
  const conv = convFor(event.conversationId);
  if (!conv) {
    orphans.push(event);
    return;
  }
  const activity = event.activity ?? {};
  const target = conv.entries.find((x) => x.side === 'bot' && x.activityId === event.activityId);
  if (event.op === 'send' && activity.type === 'typing') {
    if (conv.key === state.current) showTyping();
    return;
  }
  if (event.op === 'send') {
    const entry: Entry = { uid: uid(), side: 'bot', time: new Date().toISOString(), fromName: bot.name, activityId: event.activityId, activity };
    conv.entries.push(entry);
    if (conv.key === state.current) {
      hideTyping();
      appendEntry(entry);
    }
  } else if (target && event.op === 'update') {
    target.activity = activity;
    target.edited = true;
    if (conv.key === state.current) replaceEntry(target);
  } else if (target && event.op === 'delete') {
    target.deleted = true;
    if (conv.key === state.current) replaceEntry(target);
  }
  save();
}

function showTyping(): void {
  const el = byId('typing');
  el.textContent = `${bot.name} is typing…`;
  el.hidden = false;
  if (typingTimer) clearTimeout(typingTimer);
  typingTimer = setTimeout(hideTyping, 3000); // Teams shows it for about three seconds
}

function hideTyping(): void {
  byId('typing').hidden = true;
  if (typingTimer) clearTimeout(typingTimer);
}

// ---------------------------------------------------------------------------
// sending

function speakerFor(conv: Conv): ChatUser {
  return conv.conv.kind === 'personal' ? conv.conv.user : state.speaker;
}

/** Sends one input in the current conversation; the entry (when given) shows its progress and fate. */
async function send(input: ChatPanelInput, entry?: Entry): Promise<ChatSendAnswer | undefined> {
  const conv = currentConv();
  if (!conv) return undefined;
  const convKey = conv.key;
  if (entry) {
    entry.sending = true;
    conv.entries.push(entry);
    appendEntry(entry);
    save();
  }
  try {
    if (!conv.conversationId && running) await resolveConversationIds();
    const answer = await request<ChatSendAnswer>({ method: 'send', conv: conv.conv, from: speakerFor(conv), input });
    if (entry) {
      entry.sending = false;
      entry.record = answer.record;
      entry.activityId = typeof answer.activity.id === 'string' ? answer.activity.id : undefined;
    }
    return answer;
  } catch (err) {
    if (entry) {
      entry.sending = false;
      entry.error = err instanceof Error ? err.message : String(err);
    } else {
      setNoteOnCurrent(err instanceof Error ? err.message : String(err));
    }
    return undefined;
  } finally {
    if (entry && state.current === convKey) replaceEntry(entry);
    save();
  }
}

function setNoteOnCurrent(text: string): void {
  const status = byId('status-line');
  status.textContent = text;
  status.hidden = false;
}

async function sendComposed(): Promise<void> {
  const box = byId<HTMLTextAreaElement>('compose');
  const raw = box.value;
  if (!raw.trim()) return;
  const conv = currentConv();
  if (!conv) return;
  const mention = `@${bot.name}`;
  const mentionBot = raw.includes(mention);
  // The mention goes as Teams sends it, <at>Name</at> where it was typed plus a mention entity (the core adds the entity).
  const text = mentionBot ? raw.replace(mention, `<at>${bot.name}</at>`) : raw;
  box.value = '';
  closeMentions();
  await send({ type: 'message', text, mentionBot }, { uid: uid(), side: 'user', time: new Date().toISOString(), fromName: speakerFor(conv).name, text: raw });
}

/**
 * A card or suggested-action click, as Teams would send it. While one action of a card (or of the
 * dialog) is on its way, further clicks on it are ignored and it is shown busy, as Teams does: a
 * double-click submits once. Opening a link is not held back (it sends nothing to the bot).
 */
async function onCardAction(action: CardAction, source: Entry | undefined, dialog?: TaskDialog): Promise<void> {
  if (action.kind === 'openUrl') {
    await request({ method: 'openUrl', url: action.url }).catch((err: Error) => setNoteOnCurrent(err.message));
    return;
  }
  const key = dialog ? 'task-dialog' : source?.uid ?? '';
  const busyElement = () => (dialog ? byId('task-body') : source && document.querySelector(`.entry[data-uid="${source.uid}"]`));
  await inFlight.run(key, async () => {
    busyElement()?.setAttribute('aria-busy', 'true');
    try {
      await sendCardAction(action, source, dialog);
    } finally {
      busyElement()?.removeAttribute('aria-busy');
    }
  });
}

async function sendCardAction(action: Exclude<CardAction, { kind: 'openUrl' }>, source: Entry | undefined, dialog?: TaskDialog): Promise<void> {
  const conv = currentConv();
  if (!conv) return;
  const who = speakerFor(conv).name;
  const replyToId = source?.activityId;
  switch (action.kind) {
    case 'imBack':
      await send({ type: 'message', text: action.text }, { uid: uid(), side: 'user', time: new Date().toISOString(), fromName: who, text: action.text });
      return;
    case 'messageBack':
      // Teams sends text and value; what the user sees in the chat is the displayText, if the button has one.
      await send(
        { type: 'submit', value: action.value, text: action.text, replyToId },
        action.displayText
          ? { uid: uid(), side: 'user', time: new Date().toISOString(), fromName: who, text: action.displayText }
          : { uid: uid(), side: 'event', time: new Date().toISOString(), text: `${who} pressed a card button` },
      );
      return;
    case 'submit':
      if (dialog) return submitTask(dialog, action.data, source);
      await send({ type: 'submit', value: action.data, replyToId }, { uid: uid(), side: 'event', time: new Date().toISOString(), text: `${who} submitted the card` });
      return;
    case 'execute': {
      const answer = await send({ type: 'execute', action: { id: action.id, verb: action.verb, data: action.data }, replyToId });
      if (source) showInvokeOutcome(source, answer, (card) => replaceCard(source, card));
      return;
    }
    case 'taskFetch': {
      const answer = await send({ type: 'task', name: 'task/fetch', data: action.data, replyToId });
      if (source) showInvokeOutcome(source, answer);
      if (answer) openTask(answer.invokeResponse?.body, source);
      return;
    }
  }
}

/** After an invoke: a refreshed card replaces the old one; anything else Teams would show as an error goes under the card. */
function showInvokeOutcome(source: Entry, answer: ChatSendAnswer | undefined, onCard?: (card: unknown) => void): void {
  source.note = undefined;
  if (answer && answer.record.fate !== 'delivered') source.note = { text: fateLine(answer.record), record: answer.record };
  else if (answer?.invokeResponse && answer.invokeResponse.status !== 200) source.note = { text: `The bot answered the invoke with HTTP ${answer.invokeResponse.status}: Teams shows "Something went wrong".`, record: answer.record };
  else if (answer && onCard) {
    const body = answer.invokeResponse?.body as { type?: string; value?: unknown; statusCode?: number } | undefined;
    if (body?.type === ADAPTIVE_CARD && body.value) onCard(body.value);
    else if (body?.type === 'application/vnd.microsoft.activity.message' && typeof body.value === 'string') source.note = { text: String(body.value) };
    else if (body?.type === 'application/vnd.microsoft.error') source.note = { text: `The bot answered with an error: ${JSON.stringify(body.value)}` };
  }
  replaceEntry(source);
  save();
}

/** Action.Execute's answer: the card the bot sent replaces the one clicked, in place. */
function replaceCard(entry: Entry, card: unknown): void {
  const activity = { ...(entry.activity ?? {}) };
  const attachments = Array.isArray(activity.attachments) ? [...(activity.attachments as Record<string, unknown>[])] : [];
  const at = attachments.findIndex((a) => a.contentType === ADAPTIVE_CARD);
  if (at >= 0) attachments[at] = { ...attachments[at], content: card };
  else attachments.push({ contentType: ADAPTIVE_CARD, content: card });
  activity.attachments = attachments;
  entry.activity = activity;
}

// ---------------------------------------------------------------------------
// task modules (dialogs)

interface TaskDialog {
  source?: Entry;
}

/** task/fetch's answer: a card opens in the dialog, a URL is named with an Open Outside link (never loaded here), a message is shown. */
function openTask(body: unknown, source: Entry | undefined): void {
  const task = (body as { task?: { type?: string; value?: unknown } } | undefined)?.task;
  const dialog = byId<HTMLDialogElement>('task');
  const content = byId('task-body');
  content.replaceChildren();
  if (!task) {
    if (dialog.open) dialog.close();
    return;
  }
  const value = (task.value ?? {}) as { title?: string; card?: { content?: unknown }; url?: string };
  byId('task-title').textContent = value.title ?? (task.type === 'message' ? bot.name : 'Dialog');
  if (task.type === 'message') {
    content.textContent = String(task.value ?? '');
  } else if (value.card?.content) {
    const ctx: TaskDialog = { source };
    content.appendChild(renderCard(value.card.content, (a) => void onCardAction(a, source, ctx)));
  } else if (value.url) {
    const p = document.createElement('p');
    p.textContent = `The bot opened a web page in the dialog: ${value.url}. The chat panel loads nothing from the internet. `;
    const link = document.createElement('button');
    link.className = 'link';
    link.textContent = 'Open outside';
    link.addEventListener('click', () => void request({ method: 'openUrl', url: value.url! }));
    p.appendChild(link);
    content.appendChild(p);
  } else {
    content.textContent = `The bot answered task/fetch with ${JSON.stringify(body)}.`;
  }
  if (!dialog.open) dialog.showModal();
}

async function submitTask(dialog: TaskDialog, data: unknown, source: Entry | undefined): Promise<void> {
  const answer = await send({ type: 'task', name: 'task/submit', data, replyToId: source?.activityId });
  if (source) showInvokeOutcome(source, answer);
  if (!answer) return;
  const task = (answer.invokeResponse?.body as { task?: unknown } | undefined)?.task;
  if (task) openTask(answer.invokeResponse?.body, dialog.source);
  else byId<HTMLDialogElement>('task').close();
}

// ---------------------------------------------------------------------------
// the transcript

function fateLine(record: ChatRecord): string {
  const fate = record.fate.charAt(0).toUpperCase() + record.fate.slice(1);
  const code = record.pairingCode ? ` (code ${record.pairingCode})` : '';
  return `${fate}: ${record.reason}${code}${record.detail ? ` — ${record.detail}` : ''}`;
}

function recordLink(record: ChatRecord): HTMLElement {
  const link = document.createElement('button');
  link.className = 'link';
  link.textContent = 'Show in Activities';
  link.setAttribute('aria-label', `Show the ${record.fate} record in Activities`);
  link.addEventListener('click', () => void request({ method: 'showRecord', recordId: record.id }).catch((err: Error) => setNoteOnCurrent(err.message)));
  return link;
}

function entryElement(entry: Entry): HTMLElement {
  const row = document.createElement('div');
  row.className = `entry ${entry.side}`;
  row.dataset.uid = entry.uid;
  row.setAttribute('role', 'article');
  row.tabIndex = 0; // focusable, so its actions (shown on hover or focus) are reachable with Tab
  if (inFlight.has(entry.uid)) row.setAttribute('aria-busy', 'true'); // redrawn while its card's action is on its way
  const head = document.createElement('div');
  head.className = 'head';
  head.textContent = `${entry.fromName ?? ''}${entry.fromName ? ' · ' : ''}${new Date(entry.time).toLocaleTimeString()}${entry.edited && !entry.deleted ? ' · Edited' : ''}`;
  row.appendChild(head);
  row.setAttribute('aria-label', `${entry.side === 'bot' ? bot.name : entry.fromName ?? 'event'} at ${new Date(entry.time).toLocaleTimeString()}`);

  const body = document.createElement('div');
  body.className = 'body';
  row.appendChild(body);
  if (entry.deleted) {
    body.classList.add('deleted');
    body.textContent = 'This message has been deleted.';
  } else if (entry.side === 'bot') {
    renderBotBody(body, entry);
  } else if (entry.side === 'user') {
    body.innerHTML = messageHtml(entry.text ?? '', 'plain');
  } else {
    body.textContent = entry.text ?? '';
  }

  const status = document.createElement('div');
  status.className = 'fate';
  if (entry.sending) status.textContent = 'Sending…';
  else if (entry.error) {
    status.classList.add('failed');
    status.textContent = `Not sent: ${entry.error}`;
  } else if (entry.record && entry.record.fate !== 'delivered') {
    status.classList.add(entry.record.fate);
    status.textContent = `${fateLine(entry.record)} `;
    status.appendChild(recordLink(entry.record));
  }
  for (const w of entry.record?.warnings ?? []) {
    const line = document.createElement('div');
    line.className = 'warning';
    line.textContent = `⚠ ${w.text}`;
    status.appendChild(line);
  }
  if (entry.note) {
    const line = document.createElement('div');
    line.className = 'note';
    line.textContent = `${entry.note.text} `;
    if (entry.note.record) line.appendChild(recordLink(entry.note.record));
    status.appendChild(line);
  }
  if (status.childNodes.length) row.appendChild(status);
  if (!entry.deleted && !entry.sending) row.appendChild(entryActions(entry));
  return row;
}

function renderBotBody(body: HTMLElement, entry: Entry): void {
  const a = entry.activity ?? {};
  if (typeof a.text === 'string' && a.text) {
    const text = document.createElement('div');
    text.className = 'text';
    text.innerHTML = messageHtml(a.text, a.textFormat);
    body.appendChild(text);
  }
  for (const att of Array.isArray(a.attachments) ? (a.attachments as Record<string, unknown>[]) : []) {
    const card = attachmentCard(att);
    if (card) body.appendChild(renderCard(card, (action) => void onCardAction(action, entry)));
    else {
      const line = document.createElement('div');
      line.className = 'attachment';
      line.textContent = `Attachment: ${String(att.name ?? att.contentType ?? 'file')}${typeof att.contentUrl === 'string' ? ` (${att.contentUrl}, not loaded)` : ''}`;
      body.appendChild(line);
    }
  }
  const suggested = (a.suggestedActions as { actions?: CardButton[] } | undefined)?.actions ?? [];
  if (suggested.length) {
    const bar = document.createElement('div');
    bar.className = 'suggested';
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', 'Suggested actions');
    for (const s of suggested) {
      const b = document.createElement('button');
      b.className = 'secondary';
      b.textContent = s.title ?? String(s.value ?? '');
      b.addEventListener('click', () => void onCardAction(suggestedActionMeaning(s), entry));
      bar.appendChild(b);
    }
    body.appendChild(bar);
  }
  if (!body.childNodes.length) body.textContent = `(${String(a.type ?? 'activity')} with no text)`;
  if (entry.reactions?.length) {
    const r = document.createElement('div');
    r.className = 'reactions';
    r.textContent = entry.reactions.map(reactionGlyph).join(' ');
    body.appendChild(r);
  }
}

const REACTIONS: [string, string][] = [['like', '👍'], ['heart', '❤️'], ['laugh', '😆'], ['surprised', '😮']];
const reactionGlyph = (type: string) => REACTIONS.find(([t]) => t === type)?.[1] ?? type;

/** The hover (and focus) actions of a message: reactions on the bot's, edit and delete on the user's own. */
function entryActions(entry: Entry): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'actions';
  const button = (label: string, text: string, fn: () => void) => {
    const b = document.createElement('button');
    b.className = 'icon';
    b.textContent = text;
    b.title = label;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', fn);
    bar.appendChild(b);
  };
  if (entry.side === 'bot' && entry.activityId) {
    for (const [type, glyph] of REACTIONS) {
      const on = entry.reactions?.includes(type) ?? false;
      button(`${on ? 'Remove' : 'React with'} ${type}`, glyph, () => void react(entry, type, on ? 'remove' : 'add'));
    }
  }
  if (entry.side === 'user' && entry.activityId && entry.record) {
    button('Edit message', '✎', () => editEntry(entry));
    button('Delete message', '🗑', () => void deleteEntry(entry));
  }
  return bar;
}

async function react(entry: Entry, reactionType: string, action: 'add' | 'remove'): Promise<void> {
  // As with card actions: a double-click on a reaction reacts once.
  const answer = await inFlight.run(`react:${entry.uid}`, () => send({ type: 'reaction', reactionType, replyToId: entry.activityId!, action }));
  if (!answer) return;
  const set = new Set(entry.reactions ?? []);
  if (action === 'add') set.add(reactionType);
  else set.delete(reactionType);
  entry.reactions = [...set];
  entry.note = answer.record.fate === 'delivered' ? undefined : { text: fateLine(answer.record), record: answer.record };
  replaceEntry(entry);
  save();
}

function editEntry(entry: Entry): void {
  const row = document.querySelector<HTMLElement>(`.entry[data-uid="${entry.uid}"]`);
  const body = row?.querySelector<HTMLElement>('.body');
  if (!body) return;
  const box = document.createElement('textarea');
  box.value = entry.text ?? '';
  box.setAttribute('aria-label', 'Edit your message (Enter saves, Escape cancels)');
  body.replaceChildren(box);
  box.focus();
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') replaceEntry(entry);
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      const text = box.value;
      // Enter pressed twice while the edit is on its way saves once.
      void inFlight.run(`edit:${entry.uid}`, () => send({ type: 'messageEdited', messageId: entry.activityId!, text })).then((answer) => {
        if (!answer) return;
        entry.text = text;
        entry.edited = true;
        entry.record = answer.record;
        replaceEntry(entry);
        save();
      });
    }
  });
}

async function deleteEntry(entry: Entry): Promise<void> {
  const answer = await inFlight.run(`delete:${entry.uid}`, () => send({ type: 'messageDeleted', messageId: entry.activityId! }));
  if (!answer) return;
  entry.deleted = true;
  entry.record = answer.record;
  replaceEntry(entry);
  save();
}

function appendEntry(entry: Entry): void {
  const list = byId('transcript');
  list.appendChild(entryElement(entry));
  list.scrollTop = list.scrollHeight;
}

function replaceEntry(entry: Entry): void {
  const old = document.querySelector(`.entry[data-uid="${entry.uid}"]`);
  if (old) old.replaceWith(entryElement(entry));
}

function renderTranscript(): void {
  const list = byId('transcript');
  list.replaceChildren(...(currentConv()?.entries ?? []).map(entryElement));
  list.scrollTop = list.scrollHeight;
  hideTyping();
}

// ---------------------------------------------------------------------------
// the toolbar: conversation, speaker, events

function renderToolbar(): void {
  const convSelect = byId<HTMLSelectElement>('conversation');
  convSelect.replaceChildren(...state.convs.map((c) => new Option(c.label, c.key, false, c.key === state.current)));
  const speaker = byId<HTMLSelectElement>('speaker');
  const known = users.some((u) => u.id === state.speaker.id) ? users : [...users, state.speaker];
  speaker.replaceChildren(...known.map((u) => new Option(u.name, u.id, false, u.id === state.speaker.id)), new Option('Someone else…', '*'));
  const conv = currentConv();
  const personal = conv?.conv.kind === 'personal';
  speaker.disabled = personal;
  speaker.title = personal ? 'In a personal chat the speaker is the chat\'s user' : 'Who sends the next message';
  if (personal && conv?.conv.kind === 'personal') speaker.value = conv.conv.user.id;
  byId('events').replaceChildren(...eventOptions(conv).map(([value, label]) => new Option(label, value)));
  renderTranscript();
}

function renderBanner(): void {
  byId('stopped').hidden = running;
}

function eventOptions(conv: Conv | undefined): [string, string][] {
  const options: [string, string][] = [['', 'Events…']];
  if (!conv) return options;
  if (conv.conv.kind === 'personal') options.push(['install', 'Install the bot in this chat'], ['uninstall', 'Uninstall the bot']);
  else options.push(['install', conv.conv.kind === 'channel' ? 'Add the bot to the team' : 'Add the bot to the chat'], ['uninstall', 'Remove the bot'], ['userAdded', `Add ${state.speaker.name}`], ['userRemoved', `Remove ${state.speaker.name}`]);
  return options;
}

async function sendEvent(kind: string): Promise<void> {
  const conv = currentConv();
  if (!conv) return;
  const who = speakerFor(conv);
  const line = (text: string): Entry => ({ uid: uid(), side: 'event', time: new Date().toISOString(), text });
  switch (kind) {
    case 'install':
      // Teams sends both, in this order, when the app is installed or the bot added.
      await send({ type: 'membersAdded', members: 'bot' }, line(`${who.name} added ${bot.name} (conversationUpdate, membersAdded)`));
      await send({ type: 'installationUpdate', action: 'add' }, line(`installationUpdate: add`));
      break;
    case 'uninstall':
      await send({ type: 'installationUpdate', action: 'remove' }, line(`installationUpdate: remove`));
      await send({ type: 'membersRemoved', members: 'bot' }, line(`${who.name} removed ${bot.name} (conversationUpdate, membersRemoved)`));
      break;
    case 'userAdded':
      await send({ type: 'membersAdded', members: [state.speaker] }, line(`${state.speaker.name} was added (conversationUpdate, membersAdded)`));
      break;
    case 'userRemoved':
      await send({ type: 'membersRemoved', members: [state.speaker] }, line(`${state.speaker.name} was removed (conversationUpdate, membersRemoved)`));
      break;
  }
}

// ---------------------------------------------------------------------------
// @mention suggestions

let mentionIndex = 0;

function mentionCandidates(): ChatUser[] {
  const box = byId<HTMLTextAreaElement>('compose');
  const before = box.value.slice(0, box.selectionStart);
  const m = /(?:^|\s)@([^\s@]*)$/.exec(before);
  if (!m) return [];
  const typed = m[1].toLowerCase();
  return [bot].filter((u) => u.name.toLowerCase().startsWith(typed));
}

function renderMentions(): void {
  const list = byId('mentions');
  const candidates = mentionCandidates();
  list.hidden = candidates.length === 0;
  byId('compose').setAttribute('aria-expanded', String(!list.hidden));
  mentionIndex = Math.min(mentionIndex, Math.max(0, candidates.length - 1));
  list.replaceChildren(...candidates.map((u, i) => {
    const li = document.createElement('li');
    li.id = `mention-${i}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', String(i === mentionIndex));
    li.textContent = `@${u.name} (bot)`;
    li.addEventListener('mousedown', (e) => {
      e.preventDefault();
      pickMention(u);
    });
    return li;
  }));
  if (!list.hidden) byId('compose').setAttribute('aria-activedescendant', `mention-${mentionIndex}`);
  else byId('compose').removeAttribute('aria-activedescendant');
}

function closeMentions(): void {
  byId('mentions').hidden = true;
  byId('compose').setAttribute('aria-expanded', 'false');
}

function pickMention(user: ChatUser): void {
  const box = byId<HTMLTextAreaElement>('compose');
  const at = box.selectionStart;
  const before = box.value.slice(0, at).replace(/@[^\s@]*$/, `@${user.name} `);
  box.value = before + box.value.slice(at);
  box.selectionStart = box.selectionEnd = before.length;
  closeMentions();
  box.focus();
}

// ---------------------------------------------------------------------------
// wiring

function wire(): void {
  const compose = byId<HTMLTextAreaElement>('compose');
  compose.addEventListener('input', renderMentions);
  compose.addEventListener('blur', () => setTimeout(closeMentions, 100));
  compose.addEventListener('keydown', (e) => {
    const open = !byId('mentions').hidden;
    const candidates = open ? mentionCandidates() : [];
    if (open && candidates.length && (e.key === 'Enter' || e.key === 'Tab')) {
      e.preventDefault();
      pickMention(candidates[mentionIndex]);
    } else if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      mentionIndex = (mentionIndex + (e.key === 'ArrowDown' ? 1 : -1) + candidates.length) % Math.max(1, candidates.length);
      renderMentions();
    } else if (open && e.key === 'Escape') {
      closeMentions();
    } else if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault(); // Enter sends, Shift+Enter is a new line, as in Teams
      void sendComposed();
    }
  });
  byId('send').addEventListener('click', () => void sendComposed());
  byId<HTMLSelectElement>('conversation').addEventListener('change', (e) => {
    state.current = (e.target as HTMLSelectElement).value;
    renderToolbar();
    save();
  });
  byId<HTMLSelectElement>('speaker').addEventListener('change', (e) => {
    const select = e.target as HTMLSelectElement;
    if (select.value === '*') {
      byId<HTMLDialogElement>('someone').showModal();
      return;
    }
    state.speaker = users.find((u) => u.id === select.value) ?? state.speaker;
    renderToolbar();
    save();
  });
  byId('someone-form').addEventListener('submit', (e) => {
    const id = byId<HTMLInputElement>('someone-id').value.trim();
    const name = byId<HTMLInputElement>('someone-name').value.trim() || id;
    if ((e as SubmitEvent).submitter?.id === 'someone-ok' && id) state.speaker = { id, name };
    ensureConvs(); // a personal chat with them joins the picker
    renderToolbar();
    save();
  });
  byId<HTMLSelectElement>('events').addEventListener('change', (e) => {
    const select = e.target as HTMLSelectElement;
    const kind = select.value;
    select.value = '';
    if (kind) void sendEvent(kind);
  });
  byId('clear').addEventListener('click', () => {
    const conv = currentConv();
    if (!conv) return;
    conv.entries = [];
    renderTranscript();
    save();
  });
  byId('start').addEventListener('click', () => void request({ method: 'startWebhook' }).catch((err: Error) => setNoteOnCurrent(err.message)));
  byId('task-close').addEventListener('click', () => byId<HTMLDialogElement>('task').close());
  // Every link (markdown in a message or a card) opens outside, through VS Code's own confirmation,
  // once and only for http(s) and mailto (the panel refuses the rest). The webview's own frame also
  // opens a clicked link (its window click handler ignores preventDefault, and would also follow
  // vscode: links): stopping the event here keeps the click from reaching it.
  document.addEventListener('click', (e) => {
    const a = (e.target as HTMLElement).closest?.('a[href]');
    if (!a) return;
    e.preventDefault();
    e.stopPropagation();
    void request({ method: 'openUrl', url: (a as HTMLAnchorElement).href }).catch((err: Error) => setNoteOnCurrent(err.message));
  });
}

// A refused load or style is a bug in the page: tell the panel (it logs it; the tests assert there is none).
document.addEventListener('securitypolicyviolation', (e) => {
  vscode.postMessage({ type: 'cspViolation', directive: e.violatedDirective, blocked: e.blockedURI });
});

wire();
ensureConvs();
renderToolbar();
vscode.postMessage({ type: 'ready' });
