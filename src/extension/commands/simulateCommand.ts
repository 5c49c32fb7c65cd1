import * as vscode from 'vscode';
import type { ConversationKind } from '../../core/activity/activity';
import type { ActivityRecord } from '../../core/activity/activityRecord';
import type { SimulateInput } from '../../core/gateway/gateway';
import type { PairingRequest } from '../../core/pairing/pairingRequest';
import { previewText } from '../../core/textPreview';
import { capitalize } from '../../core/displayText';
import type { Ctx } from '../ctx';
import { announcePairingElsewhere, askAboutPairing } from '../pairingNotifications';

/** Made-up people, so a developer can try the whole pairing flow with no Teams tenant. */
export const SIMULATED_USERS = [
  { id: '29:simulated-alice', name: 'Alice Wilber', aadObjectId: '11111111-aaaa-4aaa-8aaa-00000000a11c' },
  { id: '29:simulated-bob', name: 'Bob Franco', aadObjectId: '11111111-bbbb-4bbb-8bbb-000000000b0b' },
  { id: '29:simulated-carol', name: 'Carol Tester', aadObjectId: '11111111-cccc-4ccc-8ccc-00000000c0c0' },
];

/** Where the last simulation is kept (per workspace), for Repeat Last Simulation. */
const LAST_KEY = 'teamsBot.lastSimulation';
const CAN_REPEAT = 'teamsBot.canRepeatSimulation';

/** What a simulation did: the record, the bot's replies, and the pairing request it raised (if new). */
export interface SimulationOutcome {
  record: ActivityRecord;
  replies: string[];
  newRequest?: PairingRequest;
}

export function registerSimulateCommand(ctx: Ctx): vscode.Disposable[] {
  void vscode.commands.executeCommand('setContext', CAN_REPEAT, lastSimulation(ctx) !== undefined);
  return [
    // A given input (tests, other commands) reports nothing unless asked to: { report: true }.
    vscode.commands.registerCommand('teamsBot.simulateMessage', async (given?: SimulateInput, opts?: { report?: boolean }) => {
      if (!(await webhookRunning())) return undefined;
      const input = given ?? (await ask());
      if (!input) return undefined;
      return simulate(ctx, input, !given || opts?.report === true);
    }),
    vscode.commands.registerCommand('teamsBot.repeatLastSimulation', async () => {
      const input = lastSimulation(ctx);
      if (!input) {
        const choice = await ctx.toasts.info('Nothing was simulated in this workspace yet.', 'Simulate Incoming Message');
        if (choice) await vscode.commands.executeCommand('teamsBot.simulateMessage');
        return undefined;
      }
      if (!(await webhookRunning())) return undefined;
      return simulate(ctx, input, true);
    }),
  ];

  async function webhookRunning(): Promise<boolean> {
    if (ctx.host.gateway) return true;
    const choice = await ctx.toasts.error('Start the webhook first: simulated messages go through the same pipeline as real ones.', 'Start Webhook');
    if (choice) await vscode.commands.executeCommand('teamsBot.startWebhook');
    return false;
  }
}

export function lastSimulation(ctx: Ctx): SimulateInput | undefined {
  return ctx.extension.workspaceState.get<SimulateInput>(LAST_KEY);
}

/** Runs one simulation, remembers it for Repeat, and (when `tell`) shows one toast saying what happened. */
async function simulate(ctx: Ctx, input: SimulateInput, tell: boolean): Promise<ActivityRecord | undefined> {
  const gateway = ctx.host.gateway;
  if (!gateway) return undefined;
  await ctx.extension.workspaceState.update(LAST_KEY, input);
  void vscode.commands.executeCommand('setContext', CAN_REPEAT, true);
  const replies: string[] = [];
  const offReply = ctx.host.on('simulatorReply', (reply) => {
    if (typeof reply.activity.text === 'string') replies.push(reply.activity.text);
  });
  // A new sender's pairing request is announced by this command's own toast, not a second one.
  let newRequest: PairingRequest | undefined;
  const offRequest = ctx.stores()?.pairing.on('requested', (r) => {
    if (r.id === input.user.id) newRequest = r;
  });
  const release = announcePairingElsewhere(input.user.id);
  try {
    const record = await gateway.simulate(input);
    if (tell) void report(ctx, { record, replies, newRequest });
    return record;
  } finally {
    release();
    offRequest?.();
    // Replies from a forwarding bot arrive after the answer; keep listening briefly.
    setTimeout(offReply, 3000);
  }
}

async function report(ctx: Ctx, outcome: SimulationOutcome): Promise<void> {
  const { record, newRequest } = outcome;
  const showActivity = () => vscode.commands.executeCommand('teamsBot.showActivity', record);
  if (newRequest) {
    if (!ctx.notify('info')) return;
    const who = newRequest.meta.name ?? newRequest.id;
    await askAboutPairing(ctx, `${who} wants to message your bot (code ${newRequest.code}). The simulated message was ${record.fate} (${record.reason}) until you approve.`, newRequest, 'Show Activity', showActivity);
    return;
  }
  // Give the bot a moment to answer, so its reply is in the same toast.
  await new Promise((r) => setTimeout(r, 700));
  const choice = await ctx.toasts.info(simulationSummary(outcome), 'Show Activity', 'Send Again');
  if (choice === 'Show Activity') await showActivity();
  if (choice === 'Send Again') await vscode.commands.executeCommand('teamsBot.repeatLastSimulation');
}

/** "Delivered (echo). Replies: “Echo: hi”" */
export function simulationSummary(outcome: SimulationOutcome): string {
  const { record, replies } = outcome;
  const head = record.fate === 'delivered' ? `Delivered (${record.reason}).` : `${capitalize(record.fate)}: ${record.reason}${record.pairingCode ? ` (code ${record.pairingCode})` : ''}.`;
  const said = replies.length ? ` Replies: ${replies.map((r) => `“${previewText(r, 80)}”`).join(', ')}` : '';
  return `${head}${said}`;
}

interface Where extends vscode.QuickPickItem {
  where: ConversationKind;
  mention: boolean;
}

/** Three steps whatever the conversation: who, where (a group or channel choice includes the @mention), what. */
async function ask(): Promise<SimulateInput | undefined> {
  const title = (step: number, what: string) => `Simulate Incoming Message (${step}/3): ${what}`;
  const user = await vscode.window.showQuickPick(
    [...SIMULATED_USERS.map((u) => ({ label: u.name, description: u.id, user: u })), { label: '$(edit) Another Teams user id…', description: '', user: undefined }],
    { title: title(1, 'who sends it?') },
  );
  if (!user) return undefined;
  let sender = user.user;
  if (!sender) {
    const id = await vscode.window.showInputBox({ title: title(1, 'Teams user id'), value: '29:', validateInput: (v) => (v.length > 3 ? undefined : 'Enter a Teams user id such as 29:1abc…') });
    if (!id) return undefined;
    sender = { id, name: id, aadObjectId: '' };
  }
  const places: Where[] = [
    { label: '$(person) Personal chat', where: 'personal', mention: false },
    { label: '$(organization) Group chat, @mentioning the bot', where: 'groupChat', mention: true },
    { label: '$(organization) Group chat, no mention', where: 'groupChat', mention: false },
    { label: '$(comment-discussion) Channel, @mentioning the bot', where: 'channel', mention: true },
    { label: '$(comment-discussion) Channel, no mention', where: 'channel', mention: false },
  ];
  const where = await vscode.window.showQuickPick(places, { title: title(2, 'where?') });
  if (!where) return undefined;
  const text = await vscode.window.showInputBox({ title: title(3, 'text'), value: 'Hello bot!' });
  if (text === undefined) return undefined;
  return { user: { id: sender.id, name: sender.name, aadObjectId: sender.aadObjectId || undefined }, kind: where.where, mention: where.mention, text };
}
