// Journey: the server goes down while a phone has edits waiting; the worker keeps working; when
// the server is back the edits arrive by themselves, each once.
import { expect, test } from "@playwright/test";
import { ResidentForm } from "../pages/residents-page";
import { logIn, waitSynced } from "../pages/session";
import { OwnServer } from "./helpers/server";
import { admin as demoAdmin, gridWorker as demoWorker } from "./demo";

test("edits made while the server is down arrive once when it returns", async ({ browser, request }) => {
  const server = new OwnServer();
  await server.start();
  // This server's database has demo passwords of its own.
  const admin = await server.account(demoAdmin);
  const gridWorker = await server.account(demoWorker);
  try {
    const ctx = await browser.newContext({ baseURL: server.url });
    const a = await ctx.newPage();
    await logIn(a, gridWorker);

    await server.stop();
    const name = `停机新增 ${Date.now()}`;
    await a.goto("/residents/new");
    const form = new ResidentForm(a);
    await form.set("name", name);
    await form.set("birth_date", "1950-05-06");
    await form.save();
    await expect(a.getByTestId("sync-status")).not.toHaveAttribute("data-state", "synced", { timeout: 10_000 });
    // Still working: another edit of the same new resident.
    await form.set("notes", "服务器停机时记录");
    await form.save();
    await expect(a.getByTestId("sync-status")).toContainText(/3 条待同步|离线/);

    await server.start();
    // Backoff retries find the server again without a click.
    await waitSynced(a, 90_000);

    const login = await request.post(`${server.url}/api/v1/login`, {
      data: { username: admin.username, password: admin.password, device_id: "e2e-check" },
    });
    const { token } = await login.json();
    const changes: { entity: string; id: string; field: string; value: unknown }[] = [];
    let cursor: string | undefined;
    for (;;) {
      const r = await request.get(`${server.url}/api/v1/sync/pull`, {
        params: { limit: 5000, ...(cursor ? { cursor } : {}) },
        headers: { Authorization: `Bearer ${token}` },
      });
      const page = await r.json();
      changes.push(...page.changes);
      cursor = page.cursor;
      if (!page.has_more) break;
    }
    const named = changes.filter((c) => c.entity === "resident" && c.field === "name" && c.value === name);
    expect(named).toHaveLength(1);
    const id = named[0].id;
    const notes = changes.find((c) => c.entity === "resident" && c.id === id && c.field === "notes");
    expect(notes?.value).toBe("服务器停机时记录");
    await ctx.close();
  } finally {
    await server.stop();
  }
});
