// `npm run bench` (after `npm run build`): node bench/run.mjs [--quick] [--profile] [--n N] [--warmup N]
//   [--startup-runs N] [--f5-runs N] [--only forward,null,drop,records,startup,pickup,f5] [--no-pin] [--out DIR]
// The orchestrator is TypeScript (it reuses test/support); tsx loads it.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
const require = createRequire(import.meta.url);
const { main } = require('./main.ts');
main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
