import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChatPanelHandle } from '../../../src/extension/chat/chatPanel';
import type { ChatEvent, ChatSendAnswer } from '../../../src/webview/chat/chatProtocol';
import { api, waitFor, workspaceDir } from './helpers';

/**
 * The Chat panel's plumbing in a real VS Code: the page's script runs under the panel's CSP (it
 * says 'ready' and sends what it is asked to type), its sends go through the running gateway's
 * pipeline, and the bot's answers come back to it. What the page draws is the UI test's part
 * (test/extension/uiTest.ts, in Chromium).
 */

type Reply = Extract<ChatEvent, { type: 'reply' }>;

function answers(handle: ChatPanelHandle): ChatSendAnswer[] {
  return handle.posted.filter((e): e is Reply => e.type === 'reply' && !!e.result && typeof e.result === 'object' && 'record' in (e.result as object)).map((e) => e.result as ChatSendAnswer);
}

function botTexts(handle: ChatPanelHandle): string[] {
  return handle.posted.flatMap((e) => (e.type === 'bot' && typeof e.event.activity?.text === 'string' ? [e.event.activity.text] : []));
}

describe('Chat panel', function () {
  let handle: ChatPanelHandle;

  before(async () => {
    const a = await api();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    fs.writeFileSync(path.join(workspaceDir(), 'teams-bot.config.json'), '{\n  // chat.test.ts\n  "webhook": { "port": 0 },\n  "dmPolicy": "open",\n  "groupPolicy": "open",\n  "requireMention": true,\n  "bot": { "echo": true }\n}\n');
    await a.ctx.stores()!.ready;
    const state = (await vscode.commands.executeCommand('teamsBot.startWebhook')) as { status: string };
    assert.equal(state?.status, 'running', 'webhook did not start');
  });

  after(async () => {
    handle?.panel.dispose();
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
  });

  it('Open Chat: the page runs, and a message typed in it reaches the echo bot through the pipeline; the reply comes back to the page', async () => {
    handle = (await vscode.commands.executeCommand('teamsBot.openChat', 'hello from the chat')) as ChatPanelHandle;
    assert.ok(handle?.panel, 'Open Chat returned no panel');
    const answer = await waitFor('the page to send the message and get its record', () => answers(handle).find((a) => a.activity.text === 'hello from the chat'), 20_000);
    assert.equal(answer.record.fate, 'delivered');
    assert.equal(answer.record.reason, 'echo');
    assert.equal((answer.activity.conversation as { conversationType?: string }).conversationType, 'personal');
    await waitFor('the echo reply to reach the page', () => botTexts(handle).includes('Echo: hello from the chat'), 10_000);
    const recorded = (await api()).ctx.stores()!.activities.get(answer.record.id);
    assert.equal(recorded?.source, 'simulated', 'the chat message is not in the activity log as simulated traffic');
  });

  it('a group chat message without an @mention is dropped with mention-required, and the page gets the reason; with the mention it is delivered', async () => {
    handle = (await vscode.commands.executeCommand('teamsBot.openChat', 'no mention here', { conversation: 'groupChat' })) as ChatPanelHandle;
    const dropped = await waitFor('the dropped record', () => answers(handle).find((a) => a.activity.text === 'no mention here'), 20_000);
    assert.equal(dropped.record.fate, 'dropped');
    assert.equal(dropped.record.reason, 'mention-required');
    assert.equal((dropped.activity.conversation as { conversationType?: string }).conversationType, 'groupChat');
    // Typed as a user would: "@Bot" becomes the mention Teams sends (<at>Bot</at> and a mention entity).
    handle.compose('@Bot are you there?', { conversation: 'groupChat' });
    const delivered = await waitFor('the mentioned message', () => answers(handle).find((a) => String(a.activity.text).includes('are you there?')), 20_000);
    assert.equal(delivered.record.fate, 'delivered', JSON.stringify(delivered.record));
    assert.match(String(delivered.activity.text), /^<at>Bot<\/at> are you there\?$/);
    assert.deepEqual((delivered.activity.entities as { type: string }[]).map((e) => e.type), ['mention']);
  });

  it('in a team channel the page posts as Teams does (channel conversation, team and channel in channelData): without a mention dropped, with one delivered, and the echo to the thread comes back', async () => {
    handle.compose('channel without mention', { conversation: 'channel' });
    const dropped = await waitFor('the channel message without a mention', () => answers(handle).find((a) => a.activity.text === 'channel without mention'), 20_000);
    assert.equal(dropped.record.reason, 'mention-required');
    const conversation = dropped.activity.conversation as { conversationType?: string; id?: string };
    assert.equal(conversation.conversationType, 'channel');
    const channelData = dropped.activity.channelData as { team?: { id?: string }; channel?: { id?: string } };
    assert.ok(channelData.team?.id && channelData.channel?.id, `no team or channel in channelData: ${JSON.stringify(channelData)}`);
    handle.compose('@Bot channel hello', { conversation: 'channel' });
    const delivered = await waitFor('the mentioned channel message', () => answers(handle).find((a) => String(a.activity.text).includes('channel hello')), 20_000);
    assert.equal(delivered.record.fate, 'delivered', JSON.stringify(delivered.record));
    const thread = (delivered.activity.conversation as { id: string }).id;
    assert.equal(thread.split(';')[0], channelData.channel!.id, 'the post is not in the channel');
    const echo = await waitFor('the echo in the channel', () => handle.posted.find((e) => e.type === 'bot' && String(e.event.activity?.text).includes('channel hello')), 10_000);
    assert.equal(echo.type === 'bot' && echo.event.conversationId.split(';')[0], channelData.channel!.id, 'the echo went to another conversation');
  });

  it('Open Chat again reveals the same panel', async () => {
    const again = (await vscode.commands.executeCommand('teamsBot.openChat')) as ChatPanelHandle;
    assert.equal(again, handle);
  });

  it('with the webhook stopped the page is told so, and a message is not sent but answered with the reason', async () => {
    await vscode.commands.executeCommand('teamsBot.stopWebhook');
    await waitFor('a status saying the webhook stopped', () => handle.posted.some((e) => e.type === 'status' && !e.running));
    handle.compose('anyone?');
    const error = await waitFor('an error reply', () => handle.posted.find((e): e is Reply => e.type === 'reply' && !!e.error), 10_000);
    assert.match(error.error!, /webhook is stopped/);
  });

  it('the page broke no rule of its content security policy (it reports every refusal to the panel)', async () => {
    // One more round trip: whatever the page drew before has been drawn, and any refusal reported.
    const before = handle.posted.length;
    handle.compose('last one');
    await waitFor('the answer', () => handle.posted.slice(before).some((e) => e.type === 'reply'), 10_000);
    assert.deepEqual(handle.cspViolations, []);
    // The panel checks every message from the page (pageMessageProblem): none of the page's own was refused.
    assert.deepEqual(handle.refused, []);
  });

  it('the transcripts outlive the panel: closed and opened again, it hands them back to the page (kept in the workspace storage)', async () => {
    handle.panel.dispose();
    handle = (await vscode.commands.executeCommand('teamsBot.openChat')) as ChatPanelHandle;
    const restore = await waitFor('the kept transcripts', () => handle.posted.find((e): e is Extract<ChatEvent, { type: 'restore' }> => e.type === 'restore'), 20_000);
    const kept = JSON.stringify(restore.state);
    for (const text of ['Echo: hello from the chat', 'no mention here', 'mention-required']) assert.ok(kept.includes(text), `"${text}" is not in what was kept`);
  });
});
