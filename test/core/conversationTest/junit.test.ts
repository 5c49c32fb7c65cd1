import * as assert from 'node:assert/strict';
import { junitReport } from '../../../src/core/conversationTest/junit';
import type { RunResult } from '../../../src/core/conversationTest/results';
import { parseXml } from '../../support/xml';

const hostile = 'a <b> & "c" \u0001 \ud800 ]]> \n\t end';

const run: RunResult = {
  passed: 1,
  failed: 2,
  files: [
    {
      file: 'test/conversations/cards.conversation.json',
      name: 'card bot <orders> & "more"',
      steps: [
        { index: 1, title: 'step 1: message "card"', status: 'failed', problems: [], differences: [{ where: 'reply 1', path: 'text', kind: 'changed', expected: 'Hello', actual: hostile }], durationMs: 12 },
        { index: 2, title: 'step 2: invoke adaptiveCard/action', status: 'passed', problems: [], differences: [], durationMs: 8 },
      ],
    },
    {
      file: 'b.transcript',
      name: 'b.transcript',
      steps: [{ index: 1, title: 'step 1: message "x"', status: 'failed', problems: [`the gateway reports failed (bot-error): ${hostile}`], differences: [], durationMs: 5 }],
    },
  ],
};

describe('conversation tests: the JUnit reporter', () => {
  it('writes well-formed JUnit XML: a suite per file, a case per step, the diff in each failure, whatever the bot said', () => {
    const xml = junitReport(run);
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
    const suites = parseXml(xml);
    assert.equal(suites.name, 'testsuites');
    assert.deepEqual([suites.attributes.tests, suites.attributes.failures], ['3', '2']);
    assert.deepEqual(suites.children.map((s) => [s.name, s.attributes.name, s.attributes.tests, s.attributes.failures]), [
      ['testsuite', 'card bot <orders> & "more"', '2', '1'],
      ['testsuite', 'b.transcript', '1', '1'],
    ]);
    const [card, invoke] = suites.children[0].children;
    assert.equal(card.attributes.name, 'step 1: message "card"');
    assert.equal(card.attributes.time, '0.012');
    assert.equal(card.children[0].name, 'failure');
    assert.equal(card.children[0].attributes.message, '1 difference from the recording');
    assert.match(card.children[0].text, /reply 1: text\n {6}- "Hello"\n {6}\+ "a <b> & \\"c\\" /);
    assert.deepEqual(invoke.children, []);
    const failure = suites.children[1].children[0].children[0];
    assert.equal(failure.attributes.message, 'the gateway reports failed (bot-error): a <b> & "c" \ufffd \ufffd ]]> \n\t end');
  });

  it('a run with no failures is a suite of passing cases', () => {
    const xml = junitReport({ passed: 1, failed: 0, files: [{ file: 'a', name: 'a', steps: [run.files[0].steps[1]] }] });
    const suites = parseXml(xml);
    assert.equal(suites.attributes.failures, '0');
    assert.deepEqual(suites.children[0].children.map((c) => c.children.length), [0]);
  });
});
