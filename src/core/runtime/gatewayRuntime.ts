/**
 * The entry of dist/gateway.js (outside core/gateway, so that the folders it gathers, gateway and
 * conversationTest, need not import each other): everything that pulls in Express, the Teams
 * SDK and @azure/identity. The extension requires this file only when the
 * webhook starts, so activation never pays for it.
 */
export { Gateway } from '../gateway/gateway';
// The extension's bundle has its own copy of core classes: test `instanceof` against this one (or err.name).
export { StateDirInUseError } from '../gateway/stateDirLock';
export type { GatewayEvents, GatewayOptions, GatewayState, GatewayStatus, SimulateInput } from '../gateway/gateway';
export { createConnectorSender } from '../gateway/teamsConnection';
export { sendApprovalNotice, approvalNotifier } from '../gateway/approvalNotice';
// The Credential Check asks Entra ID through @azure/identity, as the gateway's replies do.
export { checkCredentials } from '../credentials/credentialCheck';
export type { CredentialCheckResult, FixTarget } from '../credentials/credentialCheck';
// The Delivery Check runs the Credential Check as one of its hops.
export { runDeliveryCheck } from '../deliveryCheck/deliveryCheck';
// Conversation tests (the Test Explorer): the runner starts a Gateway, and reading a test compiles its JSON schema.
export { runConversationTests } from '../conversationTest/runner';
export { readConversationFile, findConversationFiles, formatConversationTest } from '../conversationTest/conversationFile';
export { conversationFromRecords } from '../conversationTest/fromRecords';
export { failureText, stepTitle } from '../conversationTest/diffText';
// The Chat panel's session runs its activities through the running Gateway.
export { ChatSession } from '../chat/chatSession';
