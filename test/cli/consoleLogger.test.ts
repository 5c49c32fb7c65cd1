import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { consoleLogger } from '../../src/cli/consoleLogger';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('consoleLogger', () => {
  it('info to stdout, warnings and errors to stderr, below the threshold nowhere; every line timed, labelled and redacted', () => {
    const out = capture();
    const err = capture();
    const logger = consoleLogger('info', out.stream, err.stream);
    logger.debug('not shown');
    logger.info('[msteams] delivered message');
    logger.warn('client_secret=hunter2 was refused');
    logger.error('boom');
    const outLines = out.text().split('\n').filter(Boolean);
    const errLines = err.text().split('\n').filter(Boolean);
    assert.equal(outLines.length, 1);
    assert.match(outLines[0], /^\d\d:\d\d:\d\d\.\d{3} INFO  \[msteams\] delivered message$/);
    assert.deepEqual(errLines.map((l) => l.slice(13)), ['WARN  client_secret=[redacted] was refused', 'ERROR boom']);
  });

  it('debug lines appear when the threshold is debug', () => {
    const out = capture();
    consoleLogger('debug', out.stream, out.stream).debug('details');
    assert.match(out.text(), / DEBUG details\n$/);
  });
});
