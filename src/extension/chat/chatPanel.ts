import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import type { ChatSession } from '../../core/chat/chatSession';
import type { ChatConversation, ChatInput, ChatUser } from '../../core/chat/chatTypes';
import { executeActionValue, taskModuleValue } from '../../core/chat/chatActivities';
import type { Ctx } from '../ctx';
import { loadGatewayModule } from '../lazyModules';
import { pageMessageProblem, type ChatEvent, type ChatPageMessage, type ChatPanelInput, type ChatRecord, type ChatRequest, type ChatSavedState, type ChatSendAnswer } from '../../webview/chat/chatProtocol';
import { writeFileAtomic } from '../../core/atomicWrite';

/**
 * The Chat panel (issue 13): a webview that talks to the bot as Teams users would, through the
 * running gateway's pipeline (ChatSession), policy included. This module is its own bundle
 * (dist/chat.js, required on first use by registerChat.ts), and the page's script
 * (dist/webview/chat.js, with the card renderer) is loaded by the webview only: activation pays
 * for neither.
 */

export const CHAT_VIEW_TYPE = 'teamsBot.chat';

/** What tests see of the open panel. */
export interface ChatPanelHandle {
  readonly panel: vscode.WebviewPanel;
  /** Everything the panel told the webview, in order (status, bot activities, replies). */
  readonly posted: ChatEvent[];
  /** What the page's content security policy refused ("directive blocked-uri"); empty unless the page has a bug. */
  readonly cspViolations: string[];
  /** Why messages from the page were refused (pageMessageProblem); empty unless the page has a bug. */
  readonly refused: string[];
  /** Asks the webview to type (and by default send) a message, as a user would; in the first conversation of a kind when one is named. */
  compose(text: string, options?: { send?: boolean; conversation?: ChatConversation['kind'] }): void;
}

let current: ChatPanel | undefined;

/** Opens the panel, or reveals the one that is open. */
export function openChatPanel(ctx: Ctx, users: ChatUser[]): ChatPanelHandle {
  if (current) {
    current.panel.reveal();
    return current;
  }
  const panel = vscode.window.createWebviewPanel(CHAT_VIEW_TYPE, 'Teams Bot Chat', vscode.ViewColumn.Active, webviewOptions(ctx));
  return (current = new ChatPanel(ctx, panel, users));
}

/** A panel VS Code restores after a window reload: its webview state (the transcripts) comes back with it. */
export function restoreChatPanel(ctx: Ctx, panel: vscode.WebviewPanel, users: ChatUser[]): ChatPanelHandle {
  current?.panel.dispose();
  panel.webview.options = webviewOptions(ctx);
  return (current = new ChatPanel(ctx, panel, users));
}

export function chatPanel(): ChatPanelHandle | undefined {
  return current;
}

function webviewOptions(ctx: Ctx): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // The page keeps its own state (and saves it for reloads); kept alive while hidden so a reply arriving then is not lost.
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.file(path.join(ctx.extension.extensionPath, 'dist', 'webview'))],
  };
}

class ChatPanel implements ChatPanelHandle {
  readonly posted: ChatEvent[] = [];
  readonly cspViolations: string[] = [];
  /** Why messages from the page were refused (none unless the page has a bug or was subverted). */
  readonly refused: string[] = [];
  private session?: ChatSession;
  private sessionGateway?: unknown;
  private offSession?: () => void;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Records of this window's sends, for Show in Activities before the log has them on disk. */
  private readonly records = new Map<string, ActivityRecord>();
  private ready = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly queued: ChatEvent[] = [];

  constructor(private readonly ctx: Ctx, readonly panel: vscode.WebviewPanel, private readonly users: ChatUser[]) {
    panel.webview.html = this.html();
    const offState = ctx.host.on('state', () => this.syncSession());
    this.subscriptions.push(
      { dispose: offState },
      panel.webview.onDidReceiveMessage((msg: unknown) => void this.receive(msg)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  compose(text: string, options: { send?: boolean; conversation?: ChatConversation['kind'] } = {}): void {
    this.post({ type: 'compose', text, send: options.send ?? true, conversation: options.conversation });
  }

  private post(event: ChatEvent): void {
    // Until the page's script runs, what is posted could be lost: keep it for 'ready' (status goes then anyway).
    if (!this.ready) {
      if (event.type !== 'status') this.queued.push(event);
      return;
    }
    this.posted.push(event);
    if (this.posted.length > 1000) this.posted.splice(0, this.posted.length - 1000);
    void this.panel.webview.postMessage(event);
  }

  /** One ChatSession per running gateway: a restarted webhook gets a new one. */
  private syncSession(): void {
    const gateway = this.ctx.host.gateway;
    if (gateway !== this.sessionGateway) {
      this.offSession?.();
      this.session?.dispose();
      this.session = undefined;
      this.offSession = undefined;
      this.sessionGateway = gateway;
      if (gateway) {
        const { ChatSession } = loadGatewayModule();
        const session = new ChatSession(gateway);
        this.offSession = session.on('bot', (event) => this.post({ type: 'bot', event }));
        this.session = session;
      }
    }
    this.post({ type: 'status', running: !!this.session, bot: this.bot(), users: this.users });
  }

  private bot(): ChatUser {
    return this.session?.bot ?? { id: '28:bot', name: 'Bot' };
  }

  /** A message from the page: checked first (the page shows what the bot wrote), then acted on. */
  private async receive(raw: unknown): Promise<void> {
    const problem = pageMessageProblem(raw);
    if (problem) {
      this.refused.push(problem);
      this.ctx.logger.warn(`[chat] refused a message from the Chat panel's page: ${problem}`);
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && 'method' in (raw as object)) this.post({ type: 'reply', id, error: `Refused: ${problem}.` });
      return;
    }
    const msg = raw as ChatPageMessage;
    if (!('method' in msg) && msg.type === 'state') return this.keep(msg.state);
    if (!('method' in msg) && msg.type === 'cspViolation') {
      this.cspViolations.push(`${msg.directive} ${msg.blocked}`);
      this.ctx.logger.warn(`[chat] the Chat panel's content security policy refused ${msg.blocked || 'an inline resource'} (${msg.directive})`);
      return;
    }
    if (!('method' in msg)) {
      // The page is (again) ready: tell it where things stand, then what waited for it.
      // First the kept transcripts (before the status, whose handling saves the page's own copy), then the rest.
      const kept = await this.kept();
      this.ready = true;
      this.post({ type: 'restore', state: kept ?? null });
      this.syncSession();
      for (const event of this.queued.splice(0)) this.post(event);
      return;
    }
    try {
      this.post({ type: 'reply', id: msg.id, result: await this.answer(msg) });
    } catch (err) {
      this.post({ type: 'reply', id: msg.id, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async answer(msg: ChatRequest): Promise<unknown> {
    switch (msg.method) {
      case 'conversationId':
        return this.requireSession().conversationId(msg.conv);
      case 'send':
        return this.send(msg.conv, msg.from, msg.input);
      case 'openUrl':
        return openChatUrl(msg.url);
      case 'showRecord': {
        const record = this.records.get(msg.recordId) ?? this.ctx.stores()?.activities.get(msg.recordId);
        if (!record) throw new Error('That record is no longer in the activity log.');
        await vscode.commands.executeCommand('teamsBot.activities.focus');
        await vscode.commands.executeCommand('teamsBot.showActivity', record);
        return true;
      }
      case 'startWebhook':
        await vscode.commands.executeCommand('teamsBot.startWebhook');
        return !!this.ctx.host.gateway;
    }
  }

  /** The transcripts' file: the workspace's storage (the global one without a folder). */
  private get stateFile(): string {
    return path.join((this.ctx.extension.storageUri ?? this.ctx.extension.globalStorageUri).fsPath, 'chat-transcripts.json');
  }

  /** Writes the page's latest transcripts, one write at a time (a newer state waits for the write before it). */
  private keep(state: ChatSavedState['state']): Promise<void> {
    this.writing = this.writing.then(async () => {
      await fs.promises.mkdir(path.dirname(this.stateFile), { recursive: true });
      await writeFileAtomic(this.stateFile, JSON.stringify(state));
    }).catch((err: Error) => this.ctx.logger.warn(`[chat] could not keep the chat transcripts in ${this.stateFile}: ${err.message}`));
    return this.writing;
  }

  private async kept(): Promise<ChatSavedState['state'] | undefined> {
    await this.writing;
    try {
      const state = JSON.parse(await fs.promises.readFile(this.stateFile, 'utf8')) as ChatSavedState['state'];
      return typeof state?.savedAt === 'number' ? state : undefined;
    } catch {
      return undefined; // none yet, or unreadable: the webview state is all there is
    }
  }

  private requireSession(): ChatSession {
    if (!this.session) throw new Error('The webhook is stopped: start it to chat (messages go through the same pipeline as real ones).');
    return this.session;
  }

  private async send(conv: ChatConversation, from: ChatUser, given: ChatPanelInput): Promise<ChatSendAnswer> {
    const result = await this.requireSession().send(conv, from, chatInput(given));
    this.records.set(result.record.id, result.record);
    if (this.records.size > 500) this.records.delete(this.records.keys().next().value!);
    const { id, time, fate, reason, detail, pairingCode, warnings } = result.record;
    const record: ChatRecord = { id, time, fate, reason, detail, pairingCode, warnings };
    return { activity: result.activity, record, invokeResponse: result.invokeResponse };
  }

  private html(): string {
    const webview = this.panel.webview;
    const asset = (file: string) => webview.asWebviewUri(vscode.Uri.file(path.join(this.ctx.extension.extensionPath, 'dist', 'webview', file)));
    const nonce = randomBytes(16).toString('base64');
    // Nothing from the internet: scripts by nonce, styles and images from the extension (and data: images) only.
    const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('chat.css')}">
<title>Teams Bot Chat</title>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Conversation">
  <label>Conversation <select id="conversation" aria-label="Conversation"></select></label>
  <label>Speaker <select id="speaker" aria-label="Who speaks"></select></label>
  <select id="events" aria-label="Send a lifecycle event"></select>
  <button id="clear" class="secondary" title="Clear this transcript (the activity log keeps everything)">Clear</button>
</div>
<div id="stopped" hidden>The webhook is stopped; messages go through it. <button id="start" class="link">Start Webhook</button></div>
<div id="status-line" role="status" hidden></div>
<div id="transcript" role="log" aria-live="polite" aria-label="Transcript" tabindex="0"></div>
<div id="typing" role="status" hidden></div>
<div id="composer">
  <ul id="mentions" role="listbox" aria-label="Mention" hidden></ul>
  <textarea id="compose" rows="2" aria-label="Message (Enter sends, Shift+Enter for a new line, @ mentions the bot)" aria-autocomplete="list" aria-controls="mentions" aria-expanded="false" placeholder="Type a message; @ mentions the bot"></textarea>
  <button id="send" aria-label="Send">Send</button>
</div>
<dialog id="task" aria-labelledby="task-title">
  <header><span id="task-title">Dialog</span><button id="task-close" class="icon" aria-label="Close the dialog">✕</button></header>
  <div id="task-body"></div>
</dialog>
<dialog id="someone" aria-label="Another speaker">
  <form id="someone-form" method="dialog">
    <p><label>Teams user id <input id="someone-id" value="29:" required></label></p>
    <p><label>Name <input id="someone-name"></label></p>
    <button id="someone-ok" value="ok">Speak as this user</button> <button id="someone-cancel" class="secondary" value="cancel" formnovalidate>Cancel</button>
  </form>
</dialog>
<script nonce="${nonce}" src="${asset('chat.js')}"></script>
</body>
</html>`;
  }

  private dispose(): void {
    this.offSession?.();
    this.session?.dispose();
    for (const d of this.subscriptions) d.dispose();
    if (current === this) current = undefined;
  }
}

/** A card action as the invoke Teams sends for it (the core builds the value); anything else is already a ChatInput. */
function chatInput(given: ChatPanelInput): ChatInput {
  if (given.type === 'execute') return { type: 'invoke', name: 'adaptiveCard/action', value: executeActionValue(given.action), replyToId: given.replyToId };
  if (given.type === 'task') return { type: 'invoke', name: given.name, value: taskModuleValue(given.data), replyToId: given.replyToId };
  return given;
}

/** How a chat link is opened and confirmed (a seam for the in-host test; VS Code's by default). */
export interface ChatLinkOpener {
  openExternal(uri: vscode.Uri): Thenable<boolean>;
  /** A modal question; true when the user chose to open. */
  confirm(message: string, detail: string): Thenable<boolean>;
}

const vscodeOpener: ChatLinkOpener = {
  openExternal: (uri) => vscode.env.openExternal(uri),
  confirm: async (message, detail) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Open')) === 'Open',
};

/**
 * Action.OpenUrl and links, asked for by the page (whose content the bot wrote): outside VS Code,
 * http(s) through VS Code's own link confirmation, mailto only after ours (VS Code opens the mail
 * app without asking), nothing else (command:, vscode:, file:, javascript: ... are refused).
 */
export async function openChatUrl(url: unknown, opener: ChatLinkOpener = vscodeOpener): Promise<boolean> {
  if (typeof url !== 'string') throw new Error('Not opened: the link has no address.');
  const uri = vscode.Uri.parse(url, true);
  if (!['http', 'https', 'mailto'].includes(uri.scheme)) throw new Error(`Not opened: ${url} (only http, https and mailto links open from the chat).`);
  if (uri.scheme === 'mailto' && !(await opener.confirm(`Open ${uri.path || url} in your mail app?`, `A link in the Teams Bot chat (written by the bot): ${url}`))) return false;
  return opener.openExternal(uri);
}
