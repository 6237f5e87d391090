// Journey: a phone opens Knock on a slow line. The login page and Today come from the wasm's
// main part alone; the other pages' part is fetched after the first sync that follows a login,
// or when one of its pages opens, and a phone that lost signal after one visit still opens them.
import { expect, test, type Page } from "@playwright/test";
import { LoginPage } from "../pages/login-page";
import { TodayPage } from "../pages/today-page";
import { LANDING, waitSynced } from "../pages/session";
import { HouseholdsPage, LedgerPage, Nav } from "../pages/worker-pages";
import { gridWorker } from "./demo";

/** The app's wasm files this page has fetched itself (not its service worker's fetches). */
async function wasmFetched(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((r) => new URL(r.name).pathname)
      .filter((p) => p.endsWith(".wasm")),
  );
}

test("the login page and Today load the main part only; the other pages' part follows the first sync and works offline", async ({ browser }) => {
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await page.goto("/login");
  const login = new LoginPage(page);
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await expect.poll(() => wasmFetched(page)).toHaveLength(1);
  const [main] = await wasmFetched(page);
  expect(main).toMatch(/^\/app-[0-9a-f]{16}\/app_bg\.wasm$/);

  // Every file the build names is served, the part on demand included, and kept a year.
  const html = await (await page.request.get("/")).text();
  const lazy: string[] = JSON.parse(html.match(/id="lazy-assets">([^<]*)</)![1]);
  const parts = lazy.filter((p) => p.endsWith(".wasm"));
  expect(parts.length).toBeGreaterThan(0);
  for (const p of parts) {
    const r = await page.request.get(p);
    expect(r.status(), p).toBe(200);
    expect(r.headers()["content-type"], p).toBe("application/wasm");
    expect(r.headers()["cache-control"], p).toContain("immutable");
  }

  await login.logIn(gridWorker.username, gridWorker.password);
  await expect(page).toHaveURL(LANDING);
  await new TodayPage(page).expectOpen();
  await waitSynced(page);
  // After the first sync the part of the other pages is fetched in the background.
  await expect.poll(() => wasmFetched(page)).toEqual(expect.arrayContaining([main, ...parts]));
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));

  // A later start finds its records on the device: the other part waits for a page of it,
  // rather than being compiled while Today is drawn.
  await page.reload();
  await new TodayPage(page).expectOpen();
  await waitSynced(page);
  // An absence: given the time a fetch from the cache takes many times over to show up.
  await page.evaluate(() => new Promise((done) => setTimeout(done, 1_000)));
  expect(await wasmFetched(page)).toEqual([main]);

  // Signal lost, a fresh start: Today, then pages of the other part, from the device alone.
  await phone.setOffline(true);
  await page.reload();
  await new TodayPage(page).expectOpen();
  const nav = new Nav(page);
  await nav.go("households");
  await expect(new HouseholdsPage(page).rows().first()).toBeVisible();
  expect(await wasmFetched(page)).toEqual([main, ...parts]);
  await nav.go("ledger");
  await expect(new LedgerPage(page).rows().first()).toBeVisible();
  await phone.close();
});

test("a page whose part cannot be fetched says so, and opens once it can", async ({ browser }) => {
  // No service worker, so that the page's own requests are the ones refused here.
  const phone = await browser.newContext({ serviceWorkers: "block" });
  const page = await phone.newPage();
  const part = /\/split_[^/]*\.wasm$/;
  await page.route(part, (route) => route.abort("internetdisconnected"));
  await page.goto("/login");
  await new LoginPage(page).logIn(gridWorker.username, gridWorker.password);
  await new TodayPage(page).expectOpen();
  await waitSynced(page);

  const nav = new Nav(page);
  await nav.go("households");
  const notice = page.getByTestId("page-not-downloaded");
  await expect(notice).toContainText("这个页面还没有下载到本机");
  // The app around the notice still works, and a failed fetch is tried again.
  await nav.go("today");
  await new TodayPage(page).expectOpen();
  await nav.go("households");
  await expect(notice).toBeVisible();

  await page.unroute(part);
  await notice.getByTestId("retry").click();
  await expect(new HouseholdsPage(page).rows().first()).toBeVisible();
  await expect(notice).toBeHidden();
  await phone.close();
});
