import { strict as assert } from 'node:assert';
import { InFlight } from '../../../src/webview/chat/inFlight';

describe('Chat panel: one card action in flight per card', () => {
  it('a second run for the same card while the first is on its way is ignored; after it ends the card works again', async () => {
    const inFlight = new InFlight();
    let calls = 0;
    let finish!: () => void;
    const first = inFlight.run('card-1', () => { calls++; return new Promise<string>((resolve) => { finish = () => resolve('sent'); }); });
    assert.equal(inFlight.has('card-1'), true);
    const second = await inFlight.run('card-1', async () => { calls++; return 'sent again'; });
    assert.equal(second, undefined, 'the double-click was sent');
    assert.equal(calls, 1);
    finish();
    assert.equal(await first, 'sent');
    assert.equal(inFlight.has('card-1'), false);
    assert.equal(await inFlight.run('card-1', async () => { calls++; return 'next'; }), 'next');
    assert.equal(calls, 2);
  });

  it('other cards are not held up, and a failed action frees its card', async () => {
    const inFlight = new InFlight();
    let finish!: () => void;
    const slow = inFlight.run('card-1', () => new Promise<void>((resolve) => { finish = resolve; }));
    assert.equal(await inFlight.run('card-2', async () => 'other card'), 'other card');
    await assert.rejects(inFlight.run('card-3', async () => { throw new Error('refused'); }), /refused/);
    assert.equal(inFlight.has('card-3'), false);
    finish();
    await slow;
  });
});
