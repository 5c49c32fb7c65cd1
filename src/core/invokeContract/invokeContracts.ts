/**
 * What Teams requires of the bot's answer to each invoke it sends: how long it
 * waits, which HTTP statuses it accepts, and what the body must look like. The
 * bodies follow the InvokeResponseBody map of the Teams SDK
 * (@microsoft/teams.api models/invoke-response.d.ts) and the Teams platform
 * documentation; a bot answering something else gets "Unable to reach app" or
 * a silently broken card in Teams, with nothing on the bot's side saying why.
 *
 * The gateway checks answers against this table (checkInvokeAnswer.ts) and
 * records problems as warnings; it never changes what is relayed.
 */

/** The general limit: Teams documents no shorter one for these invokes. */
const BOT_SERVICE_DEADLINE_MS =
  // "If the bot doesn't complete the operation within 10 to 15 seconds, depending on the channel, the Azure AI Bot
  // Service will time out and report back to the client a 504:GatewayTimeout"
  // https://learn.microsoft.com/azure/bot-service/bot-builder-howto-long-operations-guidance
  15_000;

/** Message extension search: the one invoke family for which Teams documents a shorter window. */
const SEARCH_DEADLINE_MS =
  // "When the user performs a query, Microsoft Teams issues a synchronous HTTP request to your service. At this point,
  // your code has 5 seconds to provide an HTTP response to the request."
  // https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/search-commands/respond-to-search
  5_000;

/** Message extension action submit. */
const ACTION_SUBMIT_DEADLINE_MS =
  // "After a user submits the dialog, your web service receives a composeExtensions/submitAction invoke message with
  // the command ID and parameter values. Your app has five seconds to respond to the invoke."
  // https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/action-commands/respond-to-task-module-submit
  5_000;

/** A problem with the body, as one phrase ("task.type must be "continue" or "message", not "dialog""); undefined when it fits. */
export type BodyCheck = (body: unknown) => string | undefined;

export interface InvokeContract {
  /** How long Teams waits for the answer, in ms (each value above cites Microsoft's documentation). */
  deadlineMs: number;
  /** The HTTP statuses Teams accepts for this invoke. */
  statuses: readonly number[];
  /** What the body must be; absent when Teams reads no body (any body is ignored). */
  body?: BodyCheck;
  /** Where Microsoft documents the answer, for the warning text. */
  doc: string;
}

// ---- body shapes ------------------------------------------------------------------------------------------------

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/**
 * adaptiveCard/action (Universal Actions, Action.Execute): the HTTP status is 200 and the body carries its own
 * statusCode, a type from the documented list and the value that type needs. A missing statusCode means 200.
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model#response-format
 * (The page's table writes the card type as application/vnd.microsoft.adaptive.card; Teams and every SDK send
 * application/vnd.microsoft.card.adaptive, which is what is accepted here.)
 */
const ADAPTIVE_CARD_ACTION_TYPES: Readonly<Record<string, { statusCodes: readonly number[]; value: (v: unknown) => string | undefined }>> = {
  [ADAPTIVE_CARD]: { statusCodes: [200], value: (v) => (isAdaptiveCard(v) ? undefined : '"value" must be an Adaptive Card (an object with "type": "AdaptiveCard")') },
  'application/vnd.microsoft.activity.message': { statusCodes: [200], value: (v) => (typeof v === 'string' ? undefined : `"value" must be the message text (a string), not ${typeName(v)}`) },
  'application/vnd.microsoft.error': { statusCodes: [400, 500], value: (v) => (isObject(v) ? undefined : `"value" must be an error object, not ${typeName(v)}`) },
  'application/vnd.microsoft.activity.loginRequest': { statusCodes: [401], value: (v) => (isObject(v) ? undefined : `"value" must be an OAuthCard, not ${typeName(v)}`) },
  'application/vnd.microsoft.error.incorrectAuthCode': { statusCodes: [401], value: () => undefined },
  'application/vnd.microsoft.error.preconditionFailed': { statusCodes: [412], value: (v) => (isObject(v) ? undefined : `"value" must be an error object, not ${typeName(v)}`) },
};

const adaptiveCardAction: BodyCheck = (body) => {
  if (!isObject(body)) return `the body must be {statusCode, type, value}, not ${typeName(body)}`;
  const { statusCode, type, value } = body;
  if (typeof type !== 'string') return `the body must have a string "type" (one of ${Object.keys(ADAPTIVE_CARD_ACTION_TYPES).join(', ')})`;
  const known = ADAPTIVE_CARD_ACTION_TYPES[type];
  if (!known) return `"type" ${quote(type)} is not one Teams knows (one of ${Object.keys(ADAPTIVE_CARD_ACTION_TYPES).join(', ')})`;
  if (statusCode !== undefined && statusCode !== null) {
    if (typeof statusCode !== 'number') return `"statusCode" must be a number, not ${typeName(statusCode)}`;
    if (!known.statusCodes.includes(statusCode)) return `"statusCode" ${statusCode} does not go with "type" ${type} (it takes ${known.statusCodes.join(' or ')})`;
  } else if (!known.statusCodes.includes(200)) {
    return `"statusCode" is missing, which means 200, but "type" ${type} takes ${known.statusCodes.join(' or ')}`;
  }
  return known.value(value);
};

/** A TaskModuleResponse's "task": continue needs value.card or value.url; message's value is a string. */
function taskProblem(task: unknown, where: string): string | undefined {
  if (!isObject(task)) return `"${where}" must be an object, not ${typeName(task)}`;
  if (task.type === 'continue') {
    if (!isObject(task.value)) return `"${where}.value" must be the dialog's TaskInfo (with "card" or "url"), not ${typeName(task.value)}`;
    const { card, url } = task.value;
    if (card === undefined && url === undefined) return `"${where}.value" needs "card" (an Adaptive Card attachment) or "url"`;
    if (card !== undefined && !isObject(card)) return `"${where}.value.card" must be an attachment object, not ${typeName(card)}`;
    if (url !== undefined && typeof url !== 'string') return `"${where}.value.url" must be a string, not ${typeName(url)}`;
    return undefined;
  }
  if (task.type === 'message') {
    return task.value === undefined || typeof task.value === 'string' ? undefined : `"${where}.value" must be the message text (a string), not ${typeName(task.value)}`;
  }
  return `"${where}.type" must be "continue" or "message", not ${describe(task.type)}`;
}

/** task/fetch, message/fetchTask: the dialog to open, {task: {type, value}}. */
const taskFetch: BodyCheck = (body) => {
  if (!isObject(body) || body.task === undefined) return `the body must be {task: {type: "continue" | "message", value}}, not ${describeBody(body)}`;
  return taskProblem(body.task, 'task');
};

/** task/submit: no answer is fine (the dialog closes); a task in the answer must be well formed. */
const taskSubmit: BodyCheck = (body) => {
  if (isEmpty(body)) return undefined;
  if (!isObject(body) || body.task === undefined) return `the body must be empty or {task: {type: "continue" | "message", value}}, not ${describeBody(body)}`;
  return taskProblem(body.task, 'task');
};

const COMPOSE_TYPES = ['result', 'auth', 'config', 'message', 'botMessagePreview', 'silentAuth'];

function composeExtensionProblem(ce: unknown): string | undefined {
  if (!isObject(ce)) return `"composeExtension" must be an object, not ${typeName(ce)}`;
  if (typeof ce.type !== 'string' || !COMPOSE_TYPES.includes(ce.type)) return `"composeExtension.type" must be one of ${COMPOSE_TYPES.join(', ')}, not ${describe(ce.type)}`;
  if (ce.type === 'result' && ce.attachments !== undefined && !Array.isArray(ce.attachments)) return `"composeExtension.attachments" must be an array, not ${typeName(ce.attachments)}`;
  if (ce.type === 'message' && typeof ce.text !== 'string') return '"composeExtension.text" must be the message (a string) when "type" is "message"';
  return undefined;
}

/** composeExtension/query, queryLink, anonymousQueryLink, selectItem, querySettingUrl: {composeExtension: {type, …}}. */
const composeExtensionResult: BodyCheck = (body) => {
  if (!isObject(body) || body.composeExtension === undefined) return `the body must be {composeExtension: {type, …}}, not ${describeBody(body)}`;
  return composeExtensionProblem(body.composeExtension);
};

/** composeExtension/fetchTask: the dialog to open ({task}) or a composeExtension (auth, config, message). */
const composeExtensionFetchTask: BodyCheck = (body) => {
  if (isObject(body) && body.task !== undefined) return taskProblem(body.task, 'task');
  if (isObject(body) && body.composeExtension !== undefined) return composeExtensionProblem(body.composeExtension);
  return `the body must be {task: {type: "continue", value}} or {composeExtension: {type, …}}, not ${describeBody(body)}`;
};

/** composeExtension/submitAction: no answer is fine; otherwise a task (another dialog) or a composeExtension. */
const composeExtensionSubmitAction: BodyCheck = (body) => (isEmpty(body) ? undefined : composeExtensionFetchTask(body));

/** config/fetch, config/submit: {responseType: "config", config: {type: "auth" | "continue" | "message", …}}. */
const configResponse: BodyCheck = (body) => {
  if (!isObject(body) || body.config === undefined) return `the body must be {responseType: "config", config}, not ${describeBody(body)}`;
  if (body.responseType !== 'config') return `"responseType" must be "config", not ${describe(body.responseType)}`;
  if (!isObject(body.config)) return `"config" must be an object, not ${typeName(body.config)}`;
  if (body.config.type === 'auth') return undefined;
  return taskProblem(body.config, 'config');
};

/** tab/fetch, tab/submit: {tab: {type: "continue" | "auth" | "silentAuth", value}}. */
const tabResponse: BodyCheck = (body) => {
  if (!isObject(body) || body.tab === undefined) return `the body must be {tab: {type, value}}, not ${describeBody(body)}`;
  if (!isObject(body.tab)) return `"tab" must be an object, not ${typeName(body.tab)}`;
  const type = body.tab.type;
  if (type !== undefined && type !== 'continue' && type !== 'auth' && type !== 'silentAuth') return `"tab.type" must be "continue", "auth" or "silentAuth", not ${describe(type)}`;
  if (type === 'continue' && !(isObject(body.tab.value) && Array.isArray(body.tab.value.cards))) return '"tab.value.cards" must be an array of cards when "tab.type" is "continue"';
  return undefined;
};

/** signin/tokenExchange: 200 (no body needed), or 412 with {id, connectionName, failureDetail} so Teams falls back to the sign-in card. */
const tokenExchange: BodyCheck = (body) => {
  if (isEmpty(body)) return undefined;
  if (!isObject(body)) return `the body must be empty or {id, connectionName, failureDetail}, not ${typeName(body)}`;
  return undefined;
};

/** application/search (Input.ChoiceSet dynamic search): {statusCode, type: searchResponse, value: {results}}. */
const searchResponse: BodyCheck = (body) => {
  if (!isObject(body)) return `the body must be {statusCode, type, value: {results}}, not ${typeName(body)}`;
  if (body.type !== 'application/vnd.microsoft.search.searchResponse') return `"type" must be "application/vnd.microsoft.search.searchResponse", not ${describe(body.type)}`;
  if (!isObject(body.value) || !Array.isArray(body.value.results)) return '"value.results" must be an array of {title, value}';
  return undefined;
};

// ---- the table -------------------------------------------------------------------------------------------------

const DOCS = {
  universalActions: 'https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model#response-format',
  dialogs: 'https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/task-modules/task-modules-bots',
  search: 'https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/search-commands/respond-to-search',
  actionSubmit: 'https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/action-commands/respond-to-task-module-submit',
  actionFetch: 'https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/action-commands/create-task-module',
  linkUnfurling: 'https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/link-unfurling',
  sso: 'https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/bot-sso-code',
  auth: 'https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/add-authentication',
  config: 'https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bot-configuration-experience',
  tabs: 'https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/build-adaptive-card-tabs',
  fileConsent: 'https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4',
  dynamicSearch: 'https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search',
  sdk: 'https://learn.microsoft.com/azure/bot-service/bot-builder-howto-long-operations-guidance',
};

const OK = [200] as const;
const general = (doc: string, body?: BodyCheck, statuses: readonly number[] = OK): InvokeContract => ({ deadlineMs: BOT_SERVICE_DEADLINE_MS, statuses, body, doc });

/** Every invoke name the Teams SDK handles (InvokeResponseBody in @microsoft/teams.api), with its contract. */
export const INVOKE_CONTRACTS: Readonly<Record<string, InvokeContract>> = {
  'adaptiveCard/action': general(DOCS.universalActions, adaptiveCardAction),
  'task/fetch': general(DOCS.dialogs, taskFetch),
  'task/submit': general(DOCS.dialogs, taskSubmit),
  'message/fetchTask': general(DOCS.dialogs, taskFetch),
  'message/submitAction': general(DOCS.dialogs),
  'composeExtension/query': { deadlineMs: SEARCH_DEADLINE_MS, statuses: OK, body: composeExtensionResult, doc: DOCS.search },
  'composeExtension/selectItem': general(DOCS.search, composeExtensionResult),
  'composeExtension/queryLink': general(DOCS.linkUnfurling, composeExtensionResult),
  'composeExtension/anonymousQueryLink': general(DOCS.linkUnfurling, composeExtensionResult),
  'composeExtension/querySettingUrl': general(DOCS.search, composeExtensionResult),
  'composeExtension/setting': general(DOCS.search),
  'composeExtension/onCardButtonClicked': general(DOCS.search),
  'composeExtension/fetchTask': general(DOCS.actionFetch, composeExtensionFetchTask),
  'composeExtension/submitAction': { deadlineMs: ACTION_SUBMIT_DEADLINE_MS, statuses: OK, body: composeExtensionSubmitAction, doc: DOCS.actionSubmit },
  // The Teams SDK answers 412 (with the failure) when the exchange fails, so Teams shows the sign-in card instead.
  'signin/tokenExchange': general(DOCS.sso, tokenExchange, [200, 412]),
  // The Teams SDK answers 404 (no state) or 412 (the code was not accepted) when verification fails.
  'signin/verifyState': general(DOCS.auth, undefined, [200, 404, 412]),
  'signin/failure': general(DOCS.sso),
  'config/fetch': general(DOCS.config, configResponse),
  'config/submit': general(DOCS.config, configResponse),
  'tab/fetch': general(DOCS.tabs, tabResponse),
  'tab/submit': general(DOCS.tabs, tabResponse),
  'fileConsent/invoke': general(DOCS.fileConsent),
  'actionableMessage/executeAction': general(DOCS.sdk),
  'handoff/action': general(DOCS.sdk),
  'suggestedActions/submit': general(DOCS.sdk),
  'application/search': general(DOCS.dynamicSearch, searchResponse),
  'htmlwidget/calltool': general(DOCS.sdk),
};

/** An invoke the table does not know: only what holds for every invoke (an answer in time, not a server error). */
export const UNKNOWN_INVOKE: InvokeContract = { deadlineMs: BOT_SERVICE_DEADLINE_MS, statuses: [], doc: DOCS.sdk };

// ---- helpers --------------------------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAdaptiveCard(v: unknown): boolean {
  return isObject(v) && v.type === 'AdaptiveCard';
}

/** No body, an empty string or {}: "no response", which some invokes allow. */
function isEmpty(body: unknown): boolean {
  return body === undefined || body === null || body === '' || (isObject(body) && Object.keys(body).length === 0);
}

function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? quote(v) : typeName(v);
}

/** What the body was, briefly: its top-level keys, or its type. */
function describeBody(body: unknown): string {
  if (isEmpty(body)) return 'an empty answer';
  // The keys are the bot's: quoted (and so escaped) and clipped like its other strings.
  if (isObject(body)) return `an object with ${Object.keys(body).slice(0, 5).map(quote).join(', ')}`;
  return typeName(body);
}

/** A bot's string in a warning: short, so a warning never carries a payload. */
function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
