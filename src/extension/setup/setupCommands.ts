import * as vscode from 'vscode';
import { editConfigFile } from '../../core/config/configWriter';
import { messagingEndpoint, syncEndpoint } from '../../core/setup/endpoint';
import type { DoctorReport } from '../../core/drivers/teamsCliOutput';
import type { Ctx } from '../ctx';
import type { TunnelController } from '../tunnelController';
import { devtunnel, explainFailure, runInTerminal, teamsCli } from '../tools';
import { readSetupValues, suggestedTunnelId } from './setupConfig';
import { createConfig } from '../commands/configCommands';
import { ensureLaunchConfig, startTeamsBotLaunch } from '../debug/launchConfig';

export const DOCTOR_SCHEME = 'teams-bot-doctor';

export function registerSetupCommands(ctx: Ctx, tunnel: TunnelController): vscode.Disposable[] {
  let lastDoctor = '';
  const doctorDocs = new (class implements vscode.TextDocumentContentProvider {
    provideTextDocumentContent(): string {
      return lastDoctor;
    }
  })();
  return [
    vscode.workspace.registerTextDocumentContentProvider(DOCTOR_SCHEME, doctorDocs),
    vscode.commands.registerCommand('teamsBot.setupBot', () => setUpBot(ctx, tunnel)),
    vscode.commands.registerCommand('teamsBot.startDebugging', () => startTeamsBotLaunch(ctx)),
    vscode.commands.registerCommand('teamsBot.signInTeams', () => runInTerminal('Teams CLI sign-in', teamsCli(ctx).loginCommand())),
    vscode.commands.registerCommand('teamsBot.signInDevtunnel', () => runInTerminal('devtunnel sign-in', devtunnel(ctx).loginCommand())),
    vscode.commands.registerCommand('teamsBot.startTunnel', () => startTunnel(ctx, tunnel)),
    vscode.commands.registerCommand('teamsBot.stopTunnel', () => tunnel.stop()),
    vscode.commands.registerCommand('teamsBot.copyTunnelUrl', async () => {
      const url = tunnel.url;
      if (!url) {
        void vscode.window.showInformationMessage('No tunnel is running.', 'Start Tunnel').then((c) => c && vscode.commands.executeCommand('teamsBot.startTunnel'));
        return undefined;
      }
      const values = await readSetupValues(ctx);
      const endpoint = messagingEndpoint(url, values.webhookPath);
      await vscode.env.clipboard.writeText(endpoint);
      void vscode.window.setStatusBarMessage(`Copied ${endpoint}`, 3000);
      return endpoint;
    }),
    vscode.commands.registerCommand('teamsBot.updateEndpoint', () => updateEndpoint(ctx, tunnel)),
    vscode.commands.registerCommand('teamsBot.openInstallLink', async () => {
      const { teamsAppId } = await readSetupValues(ctx);
      if (!teamsAppId) return needsSetup('Open Install Link');
      try {
        const link = await teamsCli(ctx).installLink(teamsAppId);
        await vscode.env.openExternal(vscode.Uri.parse(link));
        return link;
      } catch (err) {
        void explainFailure(ctx, 'Getting the install link', err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('teamsBot.runDoctor', async () => {
      const { teamsAppId } = await readSetupValues(ctx);
      if (!teamsAppId) return needsSetup('Run Teams App Doctor');
      try {
        const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Running Teams app doctor…' }, () => teamsCli(ctx).doctor(teamsAppId));
        lastDoctor = renderDoctor(report);
        const uri = vscode.Uri.from({ scheme: DOCTOR_SCHEME, path: `/doctor-${teamsAppId}.md`, query: String(Date.now()) });
        await vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, async () => {
          await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
        });
        return report;
      } catch (err) {
        void explainFailure(ctx, 'Teams app doctor', err);
        return undefined;
      }
    }),
  ];
}

function needsSetup(what: string): undefined {
  void vscode.window.showInformationMessage(`${what} needs a Teams app: run Set Up Bot first (it records teamsAppId in the config).`, 'Set Up Bot').then((c) => c && vscode.commands.executeCommand('teamsBot.setupBot'));
  return undefined;
}

/** Failures first, then warnings, then what passed: what to fix is at the top. */
export function renderDoctor(report: DoctorReport): string {
  const order = { fail: 0, warn: 1, info: 2, pass: 3 } as const;
  const icon = { fail: '❌', warn: '⚠️', info: 'ℹ️', pass: '✅' } as const;
  const checks = [...report.checks].sort((a, b) => order[a.status] - order[b.status]);
  const s = report.summary;
  const lines = [
    `# Teams app doctor: ${report.appName || report.appId}`,
    '',
    `**${s.fail} failed**, ${s.warn} warnings, ${s.pass} passed, ${s.info} notes (of ${s.total} checks).`,
    '',
    '| | check | category | detail |',
    '|---|---|---|---|',
    ...checks.map((c) => `| ${icon[c.status]} | ${c.label.replace(/\|/g, '\\|')} | ${c.category} | ${(c.detail ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

async function startTunnel(ctx: Ctx, tunnel: TunnelController): Promise<string | undefined> {
  const values = await readSetupValues(ctx);
  if (!values.tunnelId) return needsSetup('Start Tunnel');
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting tunnel ${values.tunnelId}…`, cancellable: true }, (_p, token) =>
      tunnel.start(values.tunnelId!, values.tunnelPort ?? values.webhookPort, abortOn(token)),
    );
  } catch (err) {
    void explainFailure(ctx, 'Starting the tunnel', err, () => startTunnel(ctx, tunnel));
    return undefined;
  }
}

/** The top complaint of every tunnel workflow: the registered endpoint still points at an old tunnel URL. */
export async function updateEndpoint(ctx: Ctx, tunnel: TunnelController, opts: { quiet?: boolean } = {}): Promise<boolean | undefined> {
  const values = await readSetupValues(ctx);
  if (!values.teamsAppId) return needsSetup('Update Teams App Endpoint');
  const url = tunnel.url ?? (await startTunnel(ctx, tunnel));
  if (!url) return undefined;
  const endpoint = messagingEndpoint(url, values.webhookPath);
  try {
    const result = await syncEndpoint(teamsCli(ctx), values.teamsAppId, endpoint);
    if (result.changed) {
      ctx.logger.info(`[setup] Teams app ${values.teamsAppId} endpoint: ${result.previous ?? '(none)'} → ${endpoint}`);
      if (!opts.quiet) void vscode.window.showInformationMessage(`The Teams app now sends messages to ${endpoint}.${result.needsReinstall ? ' Reinstall the app in Teams to pick up the change.' : ''}`, ...(result.needsReinstall ? ['Open Install Link'] : [])).then((c) => c && vscode.commands.executeCommand('teamsBot.openInstallLink'));
    } else if (!opts.quiet) {
      void vscode.window.showInformationMessage(`The Teams app endpoint is already ${endpoint}.`);
    }
    return result.changed;
  } catch (err) {
    if (opts.quiet) throw err;
    void explainFailure(ctx, 'Updating the Teams app endpoint', err, () => updateEndpoint(ctx, tunnel));
    return undefined;
  }
}

/**
 * Set Up Bot: each step checks before it acts, so it can be stopped and run
 * again at any point, and on a folder that is set up it changes nothing.
 */
export async function setUpBot(ctx: Ctx, tunnel: TunnelController): Promise<boolean> {
  const folder = ctx.folder;
  const configFile = ctx.configFile;
  if (!folder || !configFile) {
    void vscode.window.showErrorMessage('Open the folder of your bot first: Set Up Bot writes teams-bot.config.json there.');
    return false;
  }
  if (!(await vscode.workspace.fs.stat(vscode.Uri.file(configFile)).then(() => true, () => false))) await createConfig(ctx);

  let step = 'Checking the devtunnel CLI';
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Set Up Bot', cancellable: true }, async (progress, token) => {
      const signal = abortOn(token);
      const say = (s: string) => {
        step = s;
        progress.report({ message: s });
        ctx.logger.info(`[setup] ${s}`);
      };

      say('Checking the devtunnel CLI');
      const tunnelUser = await devtunnel(ctx).userShow({ signal });
      say('Checking the Teams CLI');
      const teamsStatus = await teamsCli(ctx).status({ signal });
      if (!tunnelUser.loggedIn || !teamsStatus.loggedIn) {
        const who = [!tunnelUser.loggedIn ? 'devtunnel' : undefined, !teamsStatus.loggedIn ? 'the Teams CLI' : undefined].filter(Boolean).join(' and ');
        void vscode.window.showWarningMessage(`Sign in to ${who} in the terminal, then run Set Up Bot again.`, 'Run Set Up Bot Again');
        if (!tunnelUser.loggedIn) await vscode.commands.executeCommand('teamsBot.signInDevtunnel');
        if (!teamsStatus.loggedIn) await vscode.commands.executeCommand('teamsBot.signInTeams');
        return false;
      }

      let values = await readSetupValues(ctx);
      const port = values.tunnelPort ?? values.webhookPort;
      let tunnelId = values.tunnelId;
      if (!tunnelId) {
        tunnelId = await vscode.window.showInputBox({
          title: 'Set Up Bot: dev tunnel id',
          prompt: 'A persistent tunnel keeps the same URL across restarts, so the Teams endpoint stays valid.',
          value: suggestedTunnelId(folder.name),
          validateInput: (v) => (/^[a-z0-9][a-z0-9-]{2,59}$/.test(v) ? undefined : 'Use 3 to 60 lowercase letters, digits or dashes.'),
        });
        if (!tunnelId) return false;
      }
      say(`Preparing tunnel ${tunnelId} (port ${port})`);
      const info = await tunnel.start(tunnelId, port, signal);
      if (values.tunnelId !== tunnelId) await editConfigFile(configFile, [{ path: ['tunnel', 'id'], value: tunnelId }]);

      const endpoint = messagingEndpoint(info, values.webhookPath);
      values = await readSetupValues(ctx);
      if (!values.teamsAppId) {
        const name = await vscode.window.showInputBox({ title: 'Set Up Bot: Teams app name', value: folder.name, validateInput: (v) => (v.trim() ? undefined : 'Enter a name.') });
        if (!name) return false;
        say(`Creating the Teams app "${name}" with endpoint ${endpoint}`);
        const created = await teamsCli(ctx).appCreate({ name: name.trim(), endpoint }, { signal });
        const app = created.app;
        await editConfigFile(configFile, [
          { path: ['appId'], value: app.botId },
          ...(app.credentials?.tenantId ? [{ path: ['tenantId'], value: app.credentials.tenantId }] : []),
          { path: ['teamsAppId'], value: app.teamsAppId },
        ]);
        if (created.clientSecret) await ctx.secrets.store(app.botId, created.clientSecret);
        ctx.logger.info(`[setup] created Teams app ${app.teamsAppId} (bot ${app.botId}); its client secret is in Secret Storage`);
        say('Opening the install link');
        await vscode.env.openExternal(vscode.Uri.parse(app.installLink));
      } else {
        say('Checking the Teams app endpoint');
        const result = await syncEndpoint(teamsCli(ctx), values.teamsAppId, endpoint, signal);
        if (result.changed) ctx.logger.info(`[setup] endpoint updated: ${result.previous ?? '(none)'} → ${endpoint}`);
      }
      await ensureLaunchConfig(ctx);
      void vscode.window.showInformationMessage('Your bot is set up: press F5 to start the webhook, the tunnel and your bot under the debugger.', 'Open Install Link').then((c) => c && vscode.commands.executeCommand('teamsBot.openInstallLink'));
      return true;
    });
  } catch (err) {
    void explainFailure(ctx, `Set Up Bot (${step})`, err, () => setUpBot(ctx, tunnel));
    return false;
  }
}

function abortOn(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
