// The null bot: a bare node:http server that reads the body and answers 200 `{}`
// at once. Behind it the gateway and the bare proxy are measured with almost no
// bot cost in the way, so their ratio is the hop's own cost (the SDK echo bot
// spends ~1.5 ms of CPU per activity and hides it). PORT from env.
import http from 'node:http';

const BODY = Buffer.from('{}');
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': BODY.length });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write(`null bot listening on ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
