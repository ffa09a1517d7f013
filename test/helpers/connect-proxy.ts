import { createServer, request as forward, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/**
 * A minimal forward proxy on loopback (absolute-form requests and CONNECT tunnels) that records
 * which API keys travel through it, so tests can see which proxy a key used.
 */
export class ConnectProxy {
  readonly keysSeen = new Set<string>();
  tunnels = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor() {
    // Plain-HTTP targets come in absolute form (GET http://host/path); TLS ones through CONNECT.
    this.#server = createServer((request, response) => {
      const key = request.headers['x-goog-api-key'];
      if (typeof key === 'string') this.keysSeen.add(key);
      const outbound = forward(
        request.url ?? '',
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      outbound.on('error', () => response.destroy());
      request.pipe(outbound);
    });
    this.#server.on('connect', (request, client: Socket, head: Buffer) => {
      this.tunnels++;
      const [host, port] = (request.url ?? '').split(':');
      const target = connect(Number(port), host ?? '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) target.write(head);
        client.on('data', (chunk: Buffer) => {
          for (const match of chunk.toString('latin1').matchAll(/x-goog-api-key: *([^\r\n]+)/gi))
            this.keysSeen.add(match[1] ?? '');
        });
        client.pipe(target).pipe(client);
      });
      for (const socket of [client, target]) {
        this.#sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this.#sockets.delete(socket));
      }
    });
  }

  static async start(): Promise<ConnectProxy> {
    const proxy = new ConnectProxy();
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
