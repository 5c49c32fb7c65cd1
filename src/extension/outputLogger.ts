import type * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { redactText } from '../core/redact';

/** The core's Logger written to the "Teams Bot" LogOutputChannel: the same lines the CLI prints. */
export function outputLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    trace: (m) => channel.trace(redactText(m)),
    debug: (m) => channel.debug(redactText(m)),
    info: (m) => channel.info(redactText(m)),
    warn: (m) => channel.warn(redactText(m)),
    error: (m) => channel.error(redactText(m)),
  };
}
