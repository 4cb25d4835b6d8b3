import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** How the proxy treats requests right now. */
export type FaultMode =
  | { kind: "pass" }
  | { kind: "status"; status: number; headers?: Record<string, string> }
  | { kind: "reset" }
  | { kind: "slow"; delayMs: number }
  | { kind: "down" };

/**
 * An HTTP proxy in front of a real server that injects faults: error statuses, connection
 * resets, slow answers, or no listener at all ("down"). Counts what it did.
 */
export class FaultProxy {
  mode: FaultMode = { kind: "pass" };
  /** When set, only requests whose path matches get the mode's fault; others are forwarded. */
  only: RegExp | undefined;
  readonly counts = { forwarded: 0, statuses: 0, resets: 0, slowed: 0, refusedWhileDown: 0 };
  /** Method and path of every request received, in order. */
  readonly requests: string[] = [];
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(private target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  retarget(target: string): void {
    this.target = target;
  }

  async start(port = 0): Promise<this> {
    const server = http.createServer((request, response) => this.handle(request, response));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops every connection: clients see connection refused. */
  async down(): Promise<void> {
    this.mode = { kind: "down" };
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.mode = { kind: "pass" };
    if (!this.server) await this.start(this.port);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await this.down();
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.requests.push(`${request.method} ${request.url}`);
    const mode = this.only === undefined || this.only.test(request.url ?? "") ? this.mode : { kind: "pass" as const };
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      switch (mode.kind) {
        case "status":
          this.counts.statuses++;
          response.writeHead(mode.status, { "content-type": "application/json", ...mode.headers });
          response.end(JSON.stringify({ error: "injected fault" }));
          return;
        case "reset":
          this.counts.resets++;
          request.socket.resetAndDestroy();
          return;
        case "down":
          this.counts.refusedWhileDown++;
          request.socket.destroy();
          return;
        case "slow": {
          this.counts.slowed++;
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.forward(request, Buffer.concat(chunks), response);
          }, mode.delayMs);
          this.timers.add(timer);
          return;
        }
        default:
          this.forward(request, Buffer.concat(chunks), response);
      }
    });
  }

  private forward(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): void {
    this.counts.forwarded++;
    const upstream = http.request(
      this.target + request.url,
      { method: request.method, headers: { ...request.headers, host: new URL(this.target).host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => {
      if (!response.headersSent) response.writeHead(502).end();
      else response.destroy();
    });
    upstream.end(body);
  }
}
