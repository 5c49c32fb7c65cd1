import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startGateway, personalMessage } from '../support/gatewayHarness';

/** The files under `dir` this process holds open (Linux: /proc/self/fd). */
function openFilesUnder(dir: string): string[] {
  return fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir + path.sep) ? [target] : [];
    } catch {
      return [];
    }
  });
}

describe('a stopped gateway holds no file open', () => {
  it('after stop, activities.jsonl is written and no descriptor under the state dir is left for the garbage collector to close', async function () {
    if (!fs.existsSync('/proc/self/fd')) this.skip(); // needs Linux's /proc
    const gw = await startGateway({ dmPolicy: 'open', bot: { echo: true } });
    const stateDir = fs.realpathSync(gw.stateDir);
    try {
      const res = await gw.post(personalMessage({ id: '29:alice', name: 'Alice' }, 'hi', 'http://127.0.0.1:9/'));
      assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'echo');
      await gw.gateway.activities.flush();
      assert.ok(openFilesUnder(stateDir).some((f) => f.endsWith('activities.jsonl')), 'the log is open while running (else this test proves nothing)');
      await gw.gateway.stop();
      assert.deepEqual(openFilesUnder(stateDir), []);
      assert.match(fs.readFileSync(path.join(stateDir, 'activities.jsonl'), 'utf8'), /"reason":"echo"/);
    } finally {
      await gw.stop();
    }
  });
});
