import { expect } from 'chai';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { requestText } from '../../platform/http/request-text';

describe('platform/http/request-text requestText', () => {
  let server: http.Server;
  let base: string;
  const seen: { method?: string; body: string; type?: string; auth?: string }[] = [];
  let connections = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, body, type: req.headers['content-type'], auth: req.headers.authorization });
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 500);
        res.statusCode = req.url === '/missing' ? 404 : 200;
        res.end(req.url === '/missing' ? '{"title":"not found"}' : `echo:${body}`);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('sends method, headers and body, and answers status and text (UTF-8, over a kept-alive socket)', async () => {
    const before = connections;
    const a = await requestText(`${base}/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: '{"名":"值"}',
    });
    const b = await requestText(`${base}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(a).to.deep.equal({ status: 200, text: 'echo:{"名":"值"}' });
    expect(b.text).to.equal('echo:{}');
    expect(connections - before, "the second request reuses the first one's socket").to.be.at.most(1);
    expect(seen.slice(-2)).to.deep.equal([
      { method: 'POST', body: '{"名":"值"}', type: 'application/json', auth: 'Bearer t' },
      { method: 'POST', body: '{}', type: 'application/json', auth: undefined },
    ]);
  });

  it('resolves any HTTP status (the caller decides what a 404 means)', async () => {
    expect(await requestText(`${base}/missing`, { method: 'GET' })).to.deep.equal({ status: 404, text: '{"title":"not found"}' });
  });

  it('rejects when nothing answers in time, and when nothing listens', async () => {
    let err: Error | null = null;
    await requestText(`${base}/slow`, { method: 'GET', timeoutMs: 50 }).catch((e: Error) => (err = e));
    expect(err, 'time-out').to.be.instanceOf(Error);
    expect(String(err)).to.match(/within 50 ms/);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let refused: NodeJS.ErrnoException | null = null;
    await requestText(`http://127.0.0.1:${port}/`, { method: 'GET' }).catch((e: NodeJS.ErrnoException) => (refused = e));
    expect(refused, 'connection refused').to.not.equal(null);
    expect(refused!.code).to.equal('ECONNREFUSED');
  });
});

describe('platform/http/request-text: a kept-alive socket the server closed while idle', () => {
  // a raw server that answers the first request of each connection with keep-alive and resets the
  // connection on its second, as an HTTP server does whose idle time-out ends just as the client reuses it
  let server: net.Server;
  let base: string;
  let connections = 0;
  const answered: string[] = [];
  const sockets: net.Socket[] = [];
  before(async () => {
    server = net.createServer((socket) => {
      connections++;
      sockets.push(socket);
      let requests = 0;
      socket.on('data', (chunk) => {
        if (!chunk.toString('latin1').includes('\r\n\r\n')) return;
        requests++;
        if (requests > 1) return void socket.resetAndDestroy();
        answered.push(chunk.toString('latin1').split(' ')[1]);
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('sends the request once more on a fresh connection, and only that once', async () => {
    expect(await requestText(`${base}/first`, { method: 'POST', body: '{}' })).to.deep.equal({ status: 200, text: 'ok' });
    // the second goes out on the kept-alive socket, which the server resets unread
    expect(await requestText(`${base}/second`, { method: 'POST', body: '{}' })).to.deep.equal({ status: 200, text: 'ok' });
    expect(answered).to.deep.equal(['/first', '/second']);
    expect(connections).to.equal(2);
  });
});
