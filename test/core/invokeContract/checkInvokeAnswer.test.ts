/**
 * The invoke contract table, answer by answer: what Teams accepts gives no
 * warning, each way of breaking the contract gives the one warning that names
 * it. The invokes and the good answers are the real ones the repo already has
 * (the card bot's recorded conversation) and the ones the Teams SDK itself
 * produces (@microsoft/teams.apps answers signin/tokenExchange failures 412).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { checkInvokeAnswer, type InvokeAnswer } from '../../../src/core/invokeContract/checkInvokeAnswer';
import { INVOKE_CONTRACTS } from '../../../src/core/invokeContract/invokeContracts';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'conversations', 'cards.conversation.json');
const cardsSteps = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { steps: { inbound: Record<string, unknown>; invokeResponse?: { status: number; body: unknown } }[] }).steps;
const recorded = cardsSteps.find((t) => t.inbound.type === 'invoke' && t.inbound.name === 'adaptiveCard/action')!;
const CARD_ACTION = recorded.inbound;

const invoke = (name: string) => ({ ...CARD_ACTION, name });
const answer = (status: number, body: unknown, latencyMs = 40): InvokeAnswer => ({ status, body, latencyMs });
const codes = (activity: { type?: unknown; name?: unknown }, a: InvokeAnswer, deadlineMs?: number) => checkInvokeAnswer(activity, a, { deadlineMs }).map((w) => w.code);

const CARD = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'done' }] };

describe('invoke contract checks (checkInvokeAnswer)', () => {
  it('the recorded answer of the real card bot to its real adaptiveCard/action invoke passes', () => {
    assert.ok(recorded.invokeResponse, 'the fixture has the bot\'s invoke answer');
    assert.deepEqual(checkInvokeAnswer(CARD_ACTION, answer(recorded.invokeResponse.status, recorded.invokeResponse.body)), []);
  });

  it('messages, events and the other non-invokes are not checked (Teams reads no answer for them)', () => {
    const message: Record<string, unknown> = { type: 'message', text: 'hi' };
    assert.deepEqual(codes(message, { none: 'bot-timeout' }), []);
    assert.deepEqual(codes({ type: 'conversationUpdate' }, answer(500, 'boom', 60_000)), []);
  });

  const good: [string, number, unknown][] = [
    ['adaptiveCard/action', 200, { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: CARD }],
    ['adaptiveCard/action', 200, { type: 'application/vnd.microsoft.activity.message', value: 'ok' }], // a missing statusCode means 200
    ['adaptiveCard/action', 200, { statusCode: 401, type: 'application/vnd.microsoft.activity.loginRequest', value: { text: 'sign in', connectionName: 'c', buttons: [] } }],
    ['adaptiveCard/action', 200, { statusCode: 500, type: 'application/vnd.microsoft.error', value: { code: '500', message: 'no' } }],
    ['adaptiveCard/action', 200, { statusCode: 412, type: 'application/vnd.microsoft.error.preconditionFailed', value: { code: '412', message: 'sso' } }],
    ['task/fetch', 200, { task: { type: 'continue', value: { title: 't', card: { contentType: 'application/vnd.microsoft.card.adaptive', content: CARD } } } }],
    ['task/fetch', 200, { task: { type: 'continue', value: { url: 'https://contoso.example/dialog', height: 500 } } }],
    ['task/fetch', 200, { task: { type: 'message', value: 'nothing to show' } }],
    ['task/submit', 200, undefined], // "no response at all" closes the dialog
    ['task/submit', 200, {}],
    ['task/submit', 200, { task: { type: 'message', value: 'Form was submitted' } }],
    ['message/fetchTask', 200, { task: { type: 'message', value: 'hi' } }],
    ['composeExtension/query', 200, { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } }],
    ['composeExtension/query', 200, { composeExtension: { type: 'message', text: 'no results' } }],
    ['composeExtension/queryLink', 200, { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [{ contentType: 'application/vnd.microsoft.card.thumbnail', content: {} }] } }],
    ['composeExtension/selectItem', 200, { composeExtension: { type: 'result', attachments: [] } }],
    ['composeExtension/fetchTask', 200, { task: { type: 'continue', value: { card: { contentType: 'application/vnd.microsoft.card.adaptive', content: CARD } } } }],
    ['composeExtension/fetchTask', 200, { composeExtension: { type: 'auth', suggestedActions: { actions: [] } } }],
    ['composeExtension/submitAction', 200, undefined],
    ['composeExtension/submitAction', 200, { composeExtension: { type: 'botMessagePreview', activityPreview: {} } }],
    ['signin/tokenExchange', 200, undefined],
    // What @microsoft/teams.apps answers when the exchange fails (app.oauth.js): 412 with the failure.
    ['signin/tokenExchange', 412, { id: 'x', connectionName: 'graph', failureDetail: 'unable to exchange token...' }],
    ['signin/verifyState', 200, undefined],
    ['signin/verifyState', 412, undefined],
    ['signin/failure', 200, undefined],
    ['config/fetch', 200, { responseType: 'config', config: { type: 'continue', value: { card: { contentType: 'application/vnd.microsoft.card.adaptive', content: CARD } } } }],
    ['config/submit', 200, { responseType: 'config', config: { type: 'message', value: 'saved' } }],
    ['config/fetch', 200, { responseType: 'config', config: { type: 'auth', suggestedActions: { actions: [] } } }],
    ['tab/fetch', 200, { tab: { type: 'continue', value: { cards: [{ card: CARD }] } } }],
    ['tab/submit', 200, { tab: { type: 'auth', suggestedActions: {} } }],
    ['fileConsent/invoke', 200, undefined],
    ['actionableMessage/executeAction', 200, undefined],
    ['message/submitAction', 200, undefined],
    ['handoff/action', 200, undefined],
    ['application/search', 200, { statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results: [{ title: 'a', value: '1' }] } }],
    ['some/futureInvoke', 200, { anything: true }],
    ['some/futureInvoke', 404, undefined],
  ];
  for (const [name, status, body] of good) {
    it(`accepts ${name} → HTTP ${status} ${body === undefined ? '(no body)' : JSON.stringify(body).slice(0, 70)}`, () => {
      assert.deepEqual(checkInvokeAnswer(invoke(name), answer(status, body)), []);
    });
  }

  const badBodies: [string, unknown, RegExp][] = [
    ['adaptiveCard/action', { statusCode: 200, type: 'application/json', value: 'x' }, /"type" "application\/json" is not one Teams knows/],
    ['adaptiveCard/action', { statusCode: 200, value: 'x' }, /string "type"/],
    ['adaptiveCard/action', { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: { text: 'x' } }, /"value" must be the message text \(a string\), not an object/],
    ['adaptiveCard/action', { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: { body: [] } }, /"value" must be an Adaptive Card/],
    ['adaptiveCard/action', { statusCode: 401, type: 'application/vnd.microsoft.card.adaptive', value: CARD }, /"statusCode" 401 does not go with "type" application\/vnd\.microsoft\.card\.adaptive/],
    ['adaptiveCard/action', { type: 'application/vnd.microsoft.error', value: {} }, /"statusCode" is missing, which means 200/],
    ['adaptiveCard/action', 'Order confirmed', /\{statusCode, type, value\}, not a string/],
    ['adaptiveCard/action', undefined, /\{statusCode, type, value\}, not nothing/],
    ['task/fetch', undefined, /\{task: \{type: "continue" \| "message", value\}\}, not an empty answer/],
    ['task/fetch', { task: { type: 'dialog', value: {} } }, /"task\.type" must be "continue" or "message", not "dialog"/],
    ['task/fetch', { task: { type: 'continue', value: { title: 'no content' } } }, /"task\.value" needs "card" .* or "url"/],
    ['task/fetch', { task: { type: 'message', value: { text: 'x' } } }, /"task\.value" must be the message text/],
    // The SDK's InvokeResponse envelope sent as the body: the most common slip, named as such.
    ['task/fetch', { status: 200, body: { task: { type: 'message', value: 'ok' } } }, /not an object with "status", "body"; it looks like an InvokeResponse/],
    ['task/submit', { type: 'message', value: 'x' }, /empty or \{task:/],
    ['composeExtension/query', { type: 'result', attachments: [] }, /\{composeExtension: \{type, …\}\}, not an object with "type", "attachments"/],
    ['composeExtension/query', { composeExtension: { type: 'list', attachments: [] } }, /"composeExtension\.type" must be one of result, auth, config, message, botMessagePreview, silentAuth, not "list"/],
    ['composeExtension/query', { composeExtension: { type: 'result', attachments: {} } }, /"composeExtension\.attachments" must be an array/],
    ['composeExtension/query', { composeExtension: { type: 'message' } }, /"composeExtension\.text" must be the message/],
    ['composeExtension/fetchTask', { card: CARD }, /\{task: \{type: "continue", value\}\} or \{composeExtension/],
    ['config/fetch', { config: { type: 'continue', value: { card: {} } } }, /"responseType" must be "config", not nothing/],
    ['tab/fetch', { tab: { type: 'continue', value: {} } }, /"tab\.value\.cards" must be an array/],
    ['application/search', { statusCode: 200, type: 'application/json', value: { results: [] } }, /searchResponse/],
  ];
  for (const [name, body, why] of badBodies) {
    it(`flags the body of ${name}: ${why.source.slice(0, 60)}`, () => {
      const warnings = checkInvokeAnswer(invoke(name), answer(200, body));
      assert.deepEqual(warnings.map((w) => w.code), ['invoke-body']);
      assert.match(warnings[0].text, why);
      assert.match(warnings[0].text, new RegExp(`the ${name.replace('/', '\\/')} invoke`));
      assert.match(warnings[0].text, /https:\/\/learn\.microsoft\.com\//, 'the warning says where Microsoft documents the answer');
    });
  }

  it('reads a JSON body the log kept as text (the bot sent JSON without saying so): Teams parses it regardless', () => {
    const body = JSON.stringify({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'ok' });
    assert.deepEqual(codes(CARD_ACTION, answer(200, body)), []);
  });

  it('does not guess at a body the gateway could not read (unknown Content-Encoding, too large to keep)', () => {
    assert.deepEqual(checkInvokeAnswer(CARD_ACTION, { status: 200, body: '(312 bytes in Content-Encoding zstd …)', latencyMs: 10, bodyUnreadable: 'zstd' }), []);
  });

  it('a status other than the ones Teams takes: the status is the warning, the body is not judged as well', () => {
    assert.deepEqual(codes(invoke('task/fetch'), answer(202, undefined)), ['invoke-status']);
    assert.deepEqual(codes(invoke('composeExtension/query'), answer(204, undefined)), ['invoke-status']);
    const [w] = checkInvokeAnswer(invoke('signin/tokenExchange'), answer(400, { error: 'x' }));
    assert.equal(w.code, 'invoke-status');
    assert.match(w.text, /HTTP 400; Teams needs HTTP 200 or 412/);
    // The universal actions contract: the HTTP status is 200 even for an error; the error goes in the body's statusCode.
    assert.match(checkInvokeAnswer(CARD_ACTION, answer(400, { statusCode: 400, type: 'application/vnd.microsoft.error', value: {} }))[0].text, /HTTP 400; Teams needs HTTP 200/);
  });

  it('a 5xx is a warning for every invoke, known or not, and says the user sees an error', () => {
    for (const name of [...Object.keys(INVOKE_CONTRACTS), 'some/futureInvoke']) {
      const warnings = checkInvokeAnswer(invoke(name), answer(500, '<html>stack trace</html>'));
      assert.deepEqual(warnings.map((w) => w.code), ['invoke-status'], name);
      assert.match(warnings[0].text, /HTTP 500; .*so the user sees an error/, name);
    }
  });

  it('no answer at all (timeout, unreachable, too large) is a warning naming why', () => {
    for (const none of ['bot-timeout', 'bot-unreachable', 'bot-answer-too-large']) {
      const warnings = checkInvokeAnswer(CARD_ACTION, { none });
      assert.deepEqual(warnings.map((w) => w.code), ['invoke-no-answer']);
      assert.match(warnings[0].text, new RegExp(`no answer to the adaptiveCard/action invoke \\(${none}\\)`));
    }
  });

  it('late against the documented deadline of each invoke: 5 s for message extension search and submit, 15 s otherwise', () => {
    assert.equal(INVOKE_CONTRACTS['composeExtension/query'].deadlineMs, 5000);
    assert.equal(INVOKE_CONTRACTS['composeExtension/submitAction'].deadlineMs, 5000);
    const search = { composeExtension: { type: 'result', attachments: [] } };
    assert.deepEqual(codes(invoke('composeExtension/query'), answer(200, search, 4999)), []);
    const [late] = checkInvokeAnswer(invoke('composeExtension/query'), answer(200, search, 6200));
    assert.equal(late.code, 'invoke-late');
    assert.match(late.text, /answered the composeExtension\/query invoke after 6\.2 s, but Teams waits only 5 s \(https:\/\/learn\.microsoft\.com\/microsoftteams\/platform\/messaging-extensions\/how-to\/search-commands\/respond-to-search\)/);
    assert.deepEqual(codes(CARD_ACTION, answer(200, recorded.invokeResponse!.body, 6200)), [], 'adaptiveCard/action has the general 15 s');
    assert.deepEqual(codes(CARD_ACTION, answer(200, recorded.invokeResponse!.body, 15_001)), ['invoke-late']);
  });

  it('late and wrong at once: both, late first; the deadline can be replaced (tests)', () => {
    assert.deepEqual(codes(invoke('task/fetch'), answer(200, { nope: 1 }, 150), 100), ['invoke-late', 'invoke-body']);
    assert.deepEqual(codes(invoke('task/fetch'), answer(200, { task: { type: 'message', value: 'x' } }, 50), 100), []);
  });

  it('every deadline in the table cites Microsoft\'s documentation in the code', () => {
    const source = readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'core', 'invokeContract', 'invokeContracts.ts'), 'utf8');
    const deadlines = [...source.matchAll(/const (\w+_DEADLINE_MS) =\n((?:\s*\/\/.*\n)+)\s*[\d_]+;/g)];
    assert.ok(deadlines.length >= 3, 'the deadlines are named constants');
    for (const [, name, comment] of deadlines) assert.match(comment, /https:\/\/learn\.microsoft\.com\//, `${name} cites its source`);
  });
});
