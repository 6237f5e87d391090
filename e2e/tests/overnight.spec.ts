// Journey: the app left open overnight. A grid worker leaves Knock open on Today in the evening;
// after midnight (China time) Today counts from the new day without a sync, an edit or a tap:
// those due tomorrow are due today now.
import { expect, test } from "@playwright/test";
import { logIn } from "../pages/session";
import { gridWorker } from "./demo";

test("Today moves to the new day at midnight with the app left open", async ({ page }) => {
  // 23:58 in China (15:58 UTC) on the current UTC date: the phone's clock, which the test turns.
  const now = new Date();
  const evening = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 15, 58));
  await page.clock.install({ time: evening });
  await logIn(page, gridWorker);
  await page.getByTestId("nav-today").click();
  const count = page.getByTestId("today-count");
  await expect(count).toHaveAttribute("data-total", /\d+/);
  const before = Number(await count.getAttribute("data-total"));

  // Three minutes later it is tomorrow: the list grows by those due then, with nobody touching it.
  await page.clock.runFor("03:00");
  await expect.poll(async () => Number(await count.getAttribute("data-total"))).toBeGreaterThan(before);
});
