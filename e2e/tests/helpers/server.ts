// A Knock server of a journey's own, for journeys that stop and restart it. Uses the binary and
// built app that `cargo xtask test` passes in KNOCK_SERVER_BIN and KNOCK_DIST_DIR, with the demo
// community, whose passwords (random for its database) it reads from the lines the server prints.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDemoAccounts } from "../demo";

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
  /** Everything the server printed since it last started. */
  private printed = "";

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
        KNOCK_DEMO: "1",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    this.printed = "";
    await new Promise<void>((resolve, reject) => {
      this.child!.stdout!.on("data", (d) => {
        this.printed += d.toString();
        if (this.printed.includes("Knock is serving at")) resolve();
      });
      this.child!.on("exit", (code) => reject(new Error(`server exited (${code}) before serving`)));
    });
  }

  /** `who` with the password this server printed for it (the same after every restart). */
  async account(who: { username: string; name: string }): Promise<{ username: string; name: string; password: string }> {
    // The lines follow the banner: wait for them a little.
    for (let i = 0; i < 100; i++) {
      const password = parseDemoAccounts(this.printed).get(who.username);
      if (password) return { username: who.username, name: who.name, password };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server printed no demo account for ${who.username}`);
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
