// Shared steps of every journey: log in on a phone, wait for the first sync.
import { expect, type Page } from "@playwright/test";
import { HomePage } from "./home-page";
import { LoginPage } from "./login-page";

export type Account = { username: string; password: string; name: string };

/** Where each role lands after login: Today, the deliveries, the overview, or (the street
 * office) the escalated needs. */
export const LANDING = /\/(today|deliveries|overview|upward)$/;

/**
 * Logs in through the login page, lands on the role's first task, then opens the user card
 * (更多), where journeys start from its links, and waits until the device has synced once.
 */
export async function logIn(page: Page, who: Account, baseURL?: string) {
  const login = new LoginPage(page);
  await page.goto(`${baseURL ?? ""}/login`);
  await login.logIn(who.username, who.password);
  await expect(page).toHaveURL(LANDING);
  await new HomePage(page).open();
  await expect(page.getByTestId("user-name")).toHaveText(who.name);
  await waitSynced(page);
  // The service worker must hold the shell before a journey may go offline.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
}

export async function waitSynced(page: Page, timeout = 30_000) {
  await expect(page.getByTestId("sync-status")).toHaveAttribute("data-state", "synced", { timeout });
}

/** Waits for a first sync, for the benchmarks, which time it: the page itself resolves when the
 * app marks the store settled (`knock:synced`, set with the sync badge's state), so the wait
 * takes no time from the page it measures. Polling the badge every 20 ms forced a style and
 * layout of the whole page each time: about a seventh of the main thread during a supervisor's
 * first sync. */
export async function pollSynced(page: Page, timeout = 240_000) {
  await page.evaluate(
    (ms) =>
      new Promise<void>((resolve, reject) => {
        const done = () => performance.getEntriesByName("knock:synced", "mark").length > 0;
        if (done()) return resolve();
        const watch = new PerformanceObserver(() => {
          if (done()) {
            watch.disconnect();
            resolve();
          }
        });
        watch.observe({ type: "mark" });
        setTimeout(() => {
          watch.disconnect();
          reject(new Error(`the first sync did not end within ${ms} ms`));
        }, ms);
      }),
    timeout,
  );
  await expect(page.getByTestId("sync-status")).toHaveAttribute("data-state", "synced");
}

export async function syncNow(page: Page) {
  await page.getByTestId("sync-status").click();
  await page.getByTestId("sync-now").click();
  await waitSynced(page);
}
