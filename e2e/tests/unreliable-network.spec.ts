// Journey: two phones of one grid worker sync through a bad network, where sync responses are
// dropped after the server acted, requests arrive twice, answers come late or break off halfway.
// The workers only keep editing and syncing; in the end both phones and the server hold every
// edit, the later edit of a field wins everywhere, and nothing is refused or left waiting. And a
// third phone's first sync meets the same line: it ends holding exactly what the server sends.
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ResidentForm, ResidentsPage } from "../pages/residents-page";
import { storedRecords } from "../pages/device-store";
import { LoginPage } from "../pages/login-page";
import { LANDING, logIn, type Account } from "../pages/session";
import { admin, gridWorker } from "./demo";
import { FaultProxy } from "./helpers/fault-proxy";

/** Rounds of "sync now" a phone gets to come through the faults: each may meet one. */
const SYNC_ATTEMPTS = 25;

type Phone = { name: string; ctx: BrowserContext; page: Page };

async function phone(browser: Browser, proxy: FaultProxy, name: string): Promise<Phone> {
  // The header tells the proxy which phone a request comes from.
  const ctx = await browser.newContext({ baseURL: proxy.url, extraHTTPHeaders: { "x-phone": name } });
  const page = await ctx.newPage();
  await logIn(page, gridWorker);
  return { name, ctx, page };
}

async function edit(page: Page, path: string, fields: Record<string, string>) {
  await page.goto(path);
  const form = new ResidentForm(page);
  for (const [name, value] of Object.entries(fields)) await form.set(name, value);
  await form.save();
}

/** Presses "sync now" until a sync started by the press comes through whole: the outbox
 * empty, its push and its pull done. */
async function syncThroughFaults({ name, page }: Phone, proxy: FaultProxy) {
  await page.getByTestId("sync-status").click();
  const status = page.getByTestId("sync-status");
  for (let i = 0; i < SYNC_ATTEMPTS; i++) {
    const before = proxy.syncRequestsFrom(name);
    await page.getByTestId("sync-now").click();
    // Once this phone's sync reached the network, its status left "synced" until it ends.
    await expect.poll(() => proxy.syncRequestsFrom(name), { timeout: 20_000 }).toBeGreaterThan(before);
    await expect(status).toHaveAttribute("data-state", /synced|offline|error/, { timeout: 20_000 });
    if ((await status.getAttribute("data-state")) === "synced") return;
    // A fault met this attempt: press again, as a worker would.
  }
  throw new Error(`${name}: no sync came through in ${SYNC_ATTEMPTS} attempts`);
}

type Field = { value: unknown; hlc: string };

/** Every field the server holds for `who` (the admin: all of them), pulled straight from it, not
 * through the proxy. */
async function serverState(request: APIRequestContext, baseURL: string, who: Account = admin): Promise<Map<string, Field>> {
  const login = await request.post(`${baseURL}/api/v1/login`, {
    data: { username: who.username, password: who.password, device_id: "e2e-unreliable-check" },
  });
  expect(login.ok()).toBe(true);
  const { token } = await login.json();
  const state = new Map<string, Field>();
  let cursor: string | undefined;
  for (;;) {
    const r = await request.get(`${baseURL}/api/v1/sync/pull`, {
      params: { limit: 5000, ...(cursor ? { cursor } : {}) },
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(r.ok()).toBe(true);
    const page = await r.json();
    for (const c of page.changes) state.set(`${c.entity}/${c.id}/${c.field}`, { value: c.value, hlc: c.hlc });
    cursor = page.cursor;
    if (!page.has_more) return state;
  }
}

test("edits synced through dropped, repeated, delayed and cut responses reach both phones and the server", async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const proxy = new FaultProxy(new URL(baseURL!));
  await proxy.start();
  try {
    // Logging in and the first full download happen on a clean line.
    const phoneA = await phone(browser, proxy, "A");
    const phoneB = await phone(browser, proxy, "B");
    const [a, b] = [phoneA.page, phoneB.page];
    const list = new ResidentsPage(a);
    await list.open();
    const [r1, r2, r3] = await list.firstPaths(3);

    proxy.faultsOn = true;
    const tag = Date.now().toString(36);
    // What each resident must end with, field by field.
    const expected = new Map<string, Record<string, string>>([
      [r1, { notes: `A 第二次备注 ${tag}`, phone: "13600000011" }],
      [r2, { notes: `B 备注 ${tag}`, emergency_contact: "张三" }],
      [r3, { notes: `A 对 r3 的备注 ${tag}`, phone: "13600000033" }],
    ]);
    await edit(a, r1, { notes: `A 第一次备注 ${tag}`, phone: "13600000011" });
    await edit(b, r2, { notes: `B 备注 ${tag}`, emergency_contact: "张三" });
    await edit(a, r3, { notes: `A 对 r3 的备注 ${tag}` });
    await edit(b, r3, { phone: "13600000033" });
    // Give the automatic pushes time to meet faults before the second edit of r1.
    await a.waitForTimeout(3_000);
    await edit(a, r1, { notes: `A 第二次备注 ${tag}` });

    // A up, B up and down, A down: each phone's last pull comes after the other's last push.
    await syncThroughFaults(phoneA, proxy);
    await syncThroughFaults(phoneB, proxy);
    await syncThroughFaults(phoneA, proxy);
    test.info().annotations.push({ type: "faults applied", description: JSON.stringify(proxy.applied) });
    for (const kind of ["drop", "duplicate", "delay", "cut"] as const) {
      expect(proxy.applied[kind], `sync requests that met "${kind}"`).toBeGreaterThan(0);
    }
    // The line is clean again: a timed sync failing now would only blur what is checked.
    proxy.faultsOn = false;

    for (const page of [a, b]) {
      for (const [path, fields] of expected) {
        await page.goto(path);
        const form = new ResidentForm(page);
        for (const [name, value] of Object.entries(fields)) await expect(form.field(name)).toHaveValue(value);
      }
      // Nothing was set aside as refused, and nothing waits.
      await page.getByTestId("sync-status").click();
      await expect(page.getByTestId("rejected-none")).toBeVisible();
      await expect(page.getByTestId("sync-status")).toHaveAttribute("data-state", "synced");
    }

    const state = await serverState(request, baseURL!);
    for (const [path, fields] of expected) {
      const id = path.split("/").pop();
      for (const [name, value] of Object.entries(fields)) {
        expect(state.get(`resident/${id}/${name}`)?.value, `server: ${name} of ${id}`).toBe(value);
      }
    }
    await phoneA.ctx.close();
    await phoneB.ctx.close();
  } finally {
    await proxy.stop();
  }
});

/** Every field of every record in the phone's store, as the server's state is keyed. */
async function deviceState(page: Page): Promise<Map<string, Field>> {
  const records = await storedRecords(page);
  return new Map(
    records.flatMap((r) =>
      Object.entries(r.fields).map(([field, f]) => [`${r.entity}/${r.id}/${field}`, { value: f.value, hlc: f.hlc }] as const),
    ),
  );
}

test("a first sync through cut, dropped, repeated and delayed pages ends with exactly what the server sends", async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(300_000);
  // The first page passes and the second breaks off: the phone has part of the worker's records
  // and a cursor, and finishes with pulls that meet the rest of the faults.
  const proxy = new FaultProxy(new URL(baseURL!), ["pass", "cut", "pass", "drop", "duplicate", "delay", "pass"]);
  await proxy.start();
  try {
    const ctx = await browser.newContext({ baseURL: proxy.url, extraHTTPHeaders: { "x-phone": "C" } });
    const page = await ctx.newPage();
    proxy.faultsOn = true;
    const login = new LoginPage(page);
    await login.open();
    await login.logIn(gridWorker.username, gridWorker.password);
    await expect(page).toHaveURL(LANDING);
    await syncThroughFaults({ name: "C", ctx, page }, proxy);
    for (const kind of ["cut", "drop", "duplicate", "delay"] as const) {
      expect(proxy.applied[kind], `sync requests that met "${kind}"`).toBeGreaterThan(0);
    }
    proxy.faultsOn = false;

    const device = await deviceState(page);
    const server = await serverState(request, baseURL!, gridWorker);
    expect(server.size).toBeGreaterThan(1000);
    for (const [key, field] of server) expect(device.get(key), key).toEqual(field);
    expect(device.size, "nothing the server did not send").toBe(server.size);
    await ctx.close();
  } finally {
    await proxy.stop();
  }
});
