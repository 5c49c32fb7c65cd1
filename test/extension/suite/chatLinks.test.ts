import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { openChatUrl, type ChatLinkOpener } from '../../../src/extension/chat/chatPanel';

/**
 * Links the Chat panel's page asks to open (a card's Action.OpenUrl, a link in a message): the page
 * shows what the bot wrote, so what it asks for is checked here, in a real VS Code host.
 */
describe('Chat panel links', () => {
  function opener(answer: boolean): ChatLinkOpener & { opened: string[]; asked: string[] } {
    const opened: string[] = [];
    const asked: string[] = [];
    return {
      opened,
      asked,
      openExternal: async (uri: vscode.Uri) => { opened.push(uri.toString(true)); return true; },
      confirm: async (message: string) => { asked.push(message); return answer; },
    };
  }

  it('http and https open outside (VS Code asks about the site itself), without a question of ours', async () => {
    const o = opener(false);
    assert.equal(await openChatUrl('https://example.com/docs?q=1', o), true);
    assert.equal(await openChatUrl('http://127.0.0.1:3978/page', o), true);
    assert.deepEqual(o.opened, ['https://example.com/docs?q=1', 'http://127.0.0.1:3978/page']);
    assert.deepEqual(o.asked, []);
  });

  it('a mailto link opens only after the user says so (VS Code would open the mail app without asking)', async () => {
    const no = opener(false);
    assert.equal(await openChatUrl('mailto:someone@example.com?subject=hi', no), false);
    assert.deepEqual(no.opened, [], 'opened without the user saying so');
    assert.equal(no.asked.length, 1);
    assert.match(no.asked[0], /someone@example\.com/);
    const yes = opener(true);
    assert.equal(await openChatUrl('mailto:someone@example.com', yes), true);
    assert.deepEqual(yes.opened, ['mailto:someone@example.com']);
  });

  it('command:, vscode:, file:, javascript: and data: links, and a link that is not a string, are refused with the reason and open nothing', async () => {
    const o = opener(true);
    for (const url of ['command:workbench.action.terminal.new', 'vscode://vscode.git/clone?url=https://example.com/x.git', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<b>x</b>']) {
      await assert.rejects(openChatUrl(url, o), (err: Error) => err.message.startsWith(`Not opened: ${url}`), url);
    }
    await assert.rejects(openChatUrl({ toString: () => 'https://example.com' }, o), /no address/);
    assert.deepEqual(o.opened, []);
    assert.deepEqual(o.asked, []);
  });
});
