// Benchmark: first sync into IndexedDB in headless Chromium. A grid worker (their share of the
// demo community) and the supervisor (all of it, about 130,000 field values) log in on a fresh
// phone; we time login-to-synced and count what landed in IndexedDB. Prints figures; asserts
// only that the data arrived (docs/budgets.md: speed is measured, never asserted).
import { expect, test, type Page } from "@playwright/test";
import { storedRecords } from "../pages/device-store";
import { LoginPage } from "../pages/login-page";
import { pollSynced } from "../pages/session";
import { gridWorker, supervisor } from "../tests/demo";

async function stored(page: Page) {
  const all = await storedRecords(page);
  const byEntity: Record<string, number> = {};
  for (const rec of all) byEntity[rec.entity] = (byEntity[rec.entity] ?? 0) + 1;
  const fields = all.reduce((n, rec) => n + Object.keys(rec.fields).length, 0);
  return { records: all.length, fields, byEntity };
}

for (const { who, label } of [
  { who: gridWorker, label: "grid worker wangfang (2 grids)" },
  { who: supervisor, label: "supervisor zhaomin (all 5 grids)" },
]) {
  test(`first sync: ${label}`, async ({ browser }) => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await new LoginPage(page).open();
    await page.getByTestId("login-username").fill(who.username);
    await page.getByTestId("login-password").fill(who.password);
    // Each API request: when it was sent and when its answer had arrived, from the tap, so the
    // figure says how much of the sync is the server and how much the phone's writing.
    const calls: { path: string; sent: number; done: number }[] = [];
    const started = Date.now();
    page.on("requestfinished", (r) => {
      const path = new URL(r.url()).pathname;
      if (!path.startsWith("/api/v1/")) return;
      const t = r.timing();
      calls.push({ path: path.slice("/api/v1/".length), sent: t.startTime - started, done: t.startTime + t.responseEnd - started });
    });
    const tapped: number = await page.evaluate(() => performance.now());
    await page.getByTestId("login-submit").click();
    await pollSynced(page);
    const seconds = (Date.now() - started) / 1000;
    // When the app said the store was settled (its `knock:synced` mark), on the page's own
    // clock: the poll above sees it only once the page is free to answer, after the screens
    // have begun rebuilding from the new records.
    const settled =
      ((await page.evaluate(() => performance.getEntriesByName("knock:synced", "mark")[0]?.startTime ?? NaN)) - tapped) / 1000;
    const s = await stored(page);
    expect(s.records).toBeGreaterThan(100);
    console.log(
      `BENCH first-sync ${label}: ${settled.toFixed(2)} s to a settled store (${seconds.toFixed(2)} s until the page answered), ${s.records} records, ${s.fields} field values, ` +
        `${Math.round(s.fields / settled)} field values/s, ${Math.round(s.records / settled)} record writes/s ` +
        JSON.stringify(s.byEntity),
    );
    console.log(
      `BENCH first-sync ${label}: API calls (sent→answered, ms from the tap) ` +
        calls
          .sort((a, b) => a.sent - b.sent)
          .map((p) => `${p.path} ${Math.round(p.sent)}→${Math.round(p.done)}`)
          .join(", "),
    );
    await ctx.close();
  });
}
