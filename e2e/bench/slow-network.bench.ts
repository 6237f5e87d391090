// Benchmark: a phone on a congested mobile network (Chromium's network emulation: 150 ms round
// trip, 1.6 Mbit/s down, 750 kbit/s up), first with a desktop CPU and then with a 4× slower
// one. Times a first visit from an empty cache until the login form can be used, and a grid
// worker's first sync from pressing 登录 until everything is in IndexedDB. The service worker
// is blocked: Chromium's emulation does not reach a worker's own fetches, and on a first visit
// the page fetches everything itself anyway. Prints figures; asserts only that the page and the
// data arrived (docs/budgets.md: speed is measured, never asserted).
import { expect, test } from "@playwright/test";
import { LoginPage } from "../pages/login-page";
import { pollSynced } from "../pages/session";
import { gridWorker } from "../tests/demo";

const NETWORK = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1_000_000) / 8,
  uploadThroughput: (750 * 1_000) / 8,
};

for (const cpu of [1, 4]) {
  test(`slow network (150 ms, 1.6 Mbit/s), ${cpu}x CPU: first visit and first sync`, async ({ browser }) => {
    const context = await browser.newContext({ serviceWorkers: "block" });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", NETWORK);
    if (cpu > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
    let received = 0;
    cdp.on("Network.loadingFinished", (e) => {
      received += e.encodedDataLength;
    });

    const started = Date.now();
    await new LoginPage(page).open();
    await expect(page.getByTestId("login-submit")).toBeEnabled({ timeout: 120_000 });
    const firstVisit = (Date.now() - started) / 1000;
    const visitBytes = received;

    await page.getByTestId("login-username").fill(gridWorker.username);
    await page.getByTestId("login-password").fill(gridWorker.password);
    received = 0;
    const pressed = Date.now();
    await page.getByTestId("login-submit").click();
    await pollSynced(page, 280_000);
    const firstSync = (Date.now() - pressed) / 1000;
    await expect(page.getByTestId("today-row").first()).toBeVisible();
    console.log(
      `BENCH slow network (150 ms RTT, 1.6 Mbit/s down), ${cpu}x CPU: first visit to a usable login form ` +
        `${firstVisit.toFixed(2)} s (${Math.round(visitBytes / 1024)} KiB received); grid worker ` +
        `${gridWorker.username}'s first sync ${firstSync.toFixed(2)} s (${Math.round(received / 1024)} KiB received)`,
    );
    await context.close();
  });
}
