import * as vscode from 'vscode';
import type { ConversationKind } from '../../core/activity';
import type { ActivityRecord } from '../../core/activityRecord';
import type { SimulateInput } from '../../core/gateway/gateway';
import type { Ctx } from '../ctx';

/** Made-up people, so a developer can try the whole pairing flow with no Teams tenant. */
export const SIMULATED_USERS = [
  { id: '29:simulated-alice', name: 'Alice Wilber', aadObjectId: '11111111-aaaa-4aaa-8aaa-00000000a11c' },
  { id: '29:simulated-bob', name: 'Bob Franco', aadObjectId: '11111111-bbbb-4bbb-8bbb-000000000b0b' },
  { id: '29:simulated-carol', name: 'Carol Tester', aadObjectId: '11111111-cccc-4ccc-8ccc-00000000c0c0' },
];

export function registerSimulateCommand(ctx: Ctx): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('teamsBot.simulateMessage', async (given?: SimulateInput) => {
      const gateway = ctx.host.gateway;
      if (!gateway) {
        const choice = await vscode.window.showErrorMessage('Start the webhook first: simulated messages go through the same pipeline as real ones.', 'Start Webhook');
        if (choice) await vscode.commands.executeCommand('teamsBot.startWebhook');
        return undefined;
      }
      const input = given ?? (await ask());
      if (!input) return undefined;
      const replies: string[] = [];
      const off = ctx.host.on('simulatorReply', (reply) => {
        if (typeof reply.activity.text === 'string') replies.push(reply.activity.text);
      });
      try {
        const record = await gateway.simulate(input);
        if (!given) void report(record, replies);
        return record;
      } finally {
        // Replies from a forwarding bot arrive after the answer; keep listening briefly.
        setTimeout(off, 3000);
      }
    }),
  ];
}

async function report(record: ActivityRecord, replies: string[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 700));
  const head = record.fate === 'delivered' ? `Delivered (${record.reason}).` : `${capitalize(record.fate)}: ${record.reason}${record.pairingCode ? ` (code ${record.pairingCode})` : ''}.`;
  const said = replies.length ? ` Replies: ${replies.map((r) => `“${r.split('\n')[0].slice(0, 80)}”`).join(', ')}` : '';
  const choice = await vscode.window.showInformationMessage(`${head}${said}`, 'Show Activity');
  if (choice) await vscode.commands.executeCommand('teamsBot.showActivity', record);
}

async function ask(): Promise<SimulateInput | undefined> {
  const user = await vscode.window.showQuickPick(
    [...SIMULATED_USERS.map((u) => ({ label: u.name, description: u.id, user: u })), { label: '$(edit) Another Teams user id…', description: '', user: undefined }],
    { title: 'Simulate Incoming Message (1/4): who sends it?' },
  );
  if (!user) return undefined;
  let sender = user.user;
  if (!sender) {
    const id = await vscode.window.showInputBox({ title: 'Teams user id', value: '29:', validateInput: (v) => (v.length > 3 ? undefined : 'Enter a Teams user id such as 29:1abc…') });
    if (!id) return undefined;
    sender = { id, name: id, aadObjectId: '' };
  }
  const kind = await vscode.window.showQuickPick(
    [
      { label: '$(person) Personal chat', where: 'personal' as ConversationKind },
      { label: '$(organization) Group chat', where: 'groupChat' as ConversationKind },
      { label: '$(comment-discussion) Channel', where: 'channel' as ConversationKind },
    ],
    { title: 'Simulate Incoming Message (2/4): where?' },
  );
  if (!kind) return undefined;
  let mention = false;
  if (kind.where !== 'personal') {
    const m = await vscode.window.showQuickPick([{ label: '@mention the bot', mention: true }, { label: 'No mention', mention: false }], { title: 'Simulate Incoming Message (3/4): mention?' });
    if (!m) return undefined;
    mention = m.mention;
  }
  const text = await vscode.window.showInputBox({ title: 'Simulate Incoming Message (4/4): text', value: 'Hello bot!' });
  if (text === undefined) return undefined;
  return { user: { id: sender.id, name: sender.name, aadObjectId: sender.aadObjectId || undefined }, kind: kind.where, mention, text };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
