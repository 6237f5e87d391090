// A Knock server of a journey's own, for journeys that stop and restart it. Uses the binary and
// built app that `cargo xtask test` passes in KNOCK_SERVER_BIN and KNOCK_DIST_DIR.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export class OwnServer {
  private child?: ChildProcess;
  readonly dataDir = mkdtempSync(join(tmpdir(), "knock-e2e-"));
  port = 0;

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    const bin = process.env.KNOCK_SERVER_BIN;
    if (!bin) throw new Error("KNOCK_SERVER_BIN is not set: run the journeys with `cargo xtask test`");
    if (!this.port) this.port = await freePort();
    this.child = spawn(bin, [], {
      env: {
        ...process.env,
        KNOCK_ADDR: `127.0.0.1:${this.port}`,
        KNOCK_DATA_DIR: this.dataDir,
        KNOCK_DIST_DIR: process.env.KNOCK_DIST_DIR ?? "../dist",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      this.child!.stdout!.on("data", (d) => {
        out += d.toString();
        if (out.includes("Knock is serving at")) resolve();
      });
      this.child!.on("exit", (code) => reject(new Error(`server exited (${code}) before serving`)));
    });
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.on("exit", () => resolve());
      child.kill("SIGTERM");
    });
    this.child = undefined;
  }
}
