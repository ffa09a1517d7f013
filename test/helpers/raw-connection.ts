import { connect, type Socket } from 'node:net';

/**
 * A client socket at the byte level, for what fetch cannot do: partial headers, trickled bodies,
 * idle keep-alive. `received` collects what the server sent; `closed` resolves when it hung up.
 */
export class RawConnection {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  readonly connected: Promise<void>;
  #received: Buffer[] = [];

  constructor(serviceUrl: string) {
    const { hostname, port } = new URL(serviceUrl);
    this.socket = connect({ host: hostname, port: Number(port) });
    this.socket.on('data', (chunk: Buffer) => this.#received.push(chunk));
    this.socket.on('error', () => {});
    this.connected = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  get received(): string {
    return Buffer.concat(this.#received).toString('latin1');
  }

  write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** Writes one byte at a time, `gapMs` apart, until the server closes or `maxBytes` were sent. */
  async trickle(maxBytes: number, gapMs: number): Promise<number> {
    let sent = 0;
    let open = true;
    void this.closed.then(() => {
      open = false;
    });
    while (open && sent < maxBytes) {
      this.write('x');
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    return sent;
  }

  /** Resolves once the server sent something matching `pattern` (or closed). */
  async waitFor(pattern: RegExp): Promise<void> {
    while (!pattern.test(this.received) && !this.socket.destroyed && !this.socket.readableEnded) {
      await new Promise((resolve) => this.socket.once('data', resolve).once('close', resolve));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}
