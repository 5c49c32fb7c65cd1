import * as path from 'node:path';

/**
 * The heavy parts live in their own bundles beside dist/extension.js and are
 * required on first use, so activation loads neither Express, the Teams SDK,
 * @azure/identity nor the JSON Schema validator.
 */
export type GatewayModule = typeof import('../core/runtime/gatewayRuntime');
export type ConfigModule = typeof import('../core/runtime/configRuntime');
/** The Chat panel (dist/chat.js): its page's script and card renderer are the webview's, never the extension host's. */
export type ChatModule = typeof import('./chat/chatPanel');

let gatewayModule: GatewayModule | undefined;
let configModule: ConfigModule | undefined;
let chatModule: ChatModule | undefined;

export function loadGatewayModule(): GatewayModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (gatewayModule ??= require(path.join(__dirname, 'gateway.js')) as GatewayModule);
}

export function loadConfigModule(): ConfigModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (configModule ??= require(path.join(__dirname, 'config.js')) as ConfigModule);
}

export function loadChatModule(): ChatModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (chatModule ??= require(path.join(__dirname, 'chat.js')) as ChatModule);
}
