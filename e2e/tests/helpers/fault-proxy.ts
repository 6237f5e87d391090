// An unreliable network between the app and the server: a loopback HTTP proxy that passes the
// app's files through untouched and, while faults are on, answers the sync requests
// (/api/v1/sync/*) by a fixed schedule: the response dropped after the server handled the
// request, the request sent twice, the response delayed, or the response cut midway.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "pass" | "drop" | "duplicate" | "delay" | "cut";

/** The schedule's default: every kind of fault, with passes between so syncs can finish. */
export const SCHEDULE: Fault[] = ["drop", "pass", "duplicate", "cut", "delay", "pass", "cut", "duplicate", "drop", "delay"];

/** How long a delayed response is held back. */
const DELAY_MS = 1_500;

type Upstream = { status: number; headers: IncomingMessage["headers"]; body: Buffer };

export class FaultProxy {
  private server?: Server;
  private next = 0;
  /** Faults are applied only while on: logging in happens on a clean line. */
  faultsOn = false;
  /** How often each fault was applied, by kind, for the journey to show they happened. */
  readonly applied: Record<Fault, number> = { pass: 0, drop: 0, duplicate: 0, delay: 0, cut: 0 };
  /** Sync requests received, by the `x-phone` header a journey gives each browser context. */
  private readonly received = new Map<string, number>();

  constructor(
    private readonly upstream: URL,
    private readonly schedule: Fault[] = SCHEDULE,
  ) {}

  get url(): string {
    const a = this.server?.address() as AddressInfo | undefined;
    if (!a) throw new Error("the proxy is not started");
    return `http://127.0.0.1:${a.port}`;
  }

  /** Sync requests received so far from the browser context with this `x-phone` header. */
  syncRequestsFrom(phone: string): number {
    return this.received.get(phone) ?? 0;
  }

  async start() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop() {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readAll(req);
    const isSync = (req.url ?? "").startsWith("/api/v1/sync/");
    if (isSync) {
      const phone = String(req.headers["x-phone"] ?? "");
      this.received.set(phone, (this.received.get(phone) ?? 0) + 1);
    }
    const fault: Fault = isSync && this.faultsOn ? this.schedule[this.next++ % this.schedule.length] : "pass";
    this.applied[fault] += isSync && this.faultsOn ? 1 : 0;
    switch (fault) {
      case "pass":
        return send(res, await this.forward(req, body));
      case "drop": {
        // The server does the work; the device never hears back.
        await this.forward(req, body);
        res.socket?.destroy();
        return;
      }
      case "duplicate": {
        // A retry by some box on the way: the server sees the same request twice.
        await this.forward(req, body);
        return send(res, await this.forward(req, body));
      }
      case "delay": {
        const answer = await this.forward(req, body);
        await new Promise((r) => setTimeout(r, DELAY_MS));
        return send(res, answer);
      }
      case "cut": {
        // Status and headers arrive, then the line breaks halfway through the body.
        const answer = await this.forward(req, body);
        res.writeHead(answer.status, framed(answer));
        res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
        await new Promise((r) => setTimeout(r, 50));
        res.socket?.destroy();
        return;
      }
    }
  }

  /** The request as the app sent it, to the server; its whole response, bytes untouched. */
  private forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const up = httpRequest(
        {
          host: this.upstream.hostname,
          port: this.upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: this.upstream.host, connection: "close" },
        },
        async (r) => {
          try {
            resolve({ status: r.statusCode ?? 502, headers: r.headers, body: await readAll(r) });
          } catch (e) {
            reject(e);
          }
        },
      );
      up.on("error", reject);
      up.end(body);
    });
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/** The server's headers, framed for the whole body by its length. */
function framed(answer: Upstream): IncomingMessage["headers"] {
  const headers = { ...answer.headers };
  delete headers["transfer-encoding"];
  delete headers["connection"];
  headers["content-length"] = String(answer.body.length);
  return headers;
}

function send(res: ServerResponse, answer: Upstream) {
  res.writeHead(answer.status, framed(answer));
  res.end(answer.body);
}
