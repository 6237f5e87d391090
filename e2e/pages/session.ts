// Shared steps of every journey: log in on a phone, wait for the first sync.
import { expect, type Page } from "@playwright/test";
import { LoginPage } from "./login-page";

export type Account = { username: string; password: string; name: string };

/** Logs in through the login page and waits until the device has synced once. */
export async function logIn(page: Page, who: Account, baseURL?: string) {
  const login = new LoginPage(page);
  await page.goto(`${baseURL ?? ""}/login`);
  await login.logIn(who.username, who.password);
  await expect(page.getByTestId("user-name")).toHaveText(who.name);
  await waitSynced(page);
  // The service worker must hold the shell before a journey may go offline.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
}

export async function waitSynced(page: Page, timeout = 30_000) {
  await expect(page.getByTestId("sync-status")).toHaveAttribute("data-state", "synced", { timeout });
}

export async function syncNow(page: Page) {
  await page.getByTestId("sync-status").click();
  await page.getByTestId("sync-now").click();
  await waitSynced(page);
}
