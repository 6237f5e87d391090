// Journey: a supervisor checks the packs of their grids: the same door cards as the volunteers
// see, each with the volunteer's name, narrowed by batch, by volunteer and by status.
import { expect, test } from "@playwright/test";
import { DeliveriesPage } from "../pages/deliveries-page";
import { logIn } from "../pages/session";
import { supervisor, volunteer, volunteer2 } from "./demo";

test("a supervisor filters the deliveries by batch, volunteer and status", async ({ page }) => {
  await logIn(page, supervisor);
  const list = new DeliveriesPage(page);
  await list.open();
  const all = await list.cards().count();
  expect(all).toBeGreaterThan(0);
  const card = list.cards().first();
  for (const part of ["door-place", "door-name", "door-contents", "delivery-status", "door-volunteer"]) {
    await expect(card.getByTestId(part)).toBeVisible();
  }

  await page.getByTestId("filter-volunteer").selectOption({ label: volunteer.name });
  const mine = await list.cards().count();
  expect(mine).toBeGreaterThan(0);
  expect(mine).toBeLessThan(all);
  for (const who of await page.getByTestId("door-volunteer").allTextContents()) {
    expect(who).toContain(volunteer.name);
  }
  await page.getByTestId("filter-volunteer").selectOption({ label: volunteer2.name });
  const theirs = await list.cards().count();
  await expect(page.getByTestId("door-volunteer").filter({ hasText: volunteer.name })).toHaveCount(0);
  await page.getByTestId("filter-volunteer").selectOption("");
  await expect(list.cards()).toHaveCount(all);

  await page.getByTestId("filter-status").selectOption("delivered");
  const delivered = await list.cards().count();
  expect(delivered).toBeGreaterThan(0);
  expect(new Set(await page.getByTestId("delivery-status").allTextContents())).toEqual(new Set(["已送达"]));
  await expect(page.getByTestId("deliveries-count")).toHaveText(`已完成 ${delivered} · 剩余 0`);
  await page.getByTestId("filter-status").selectOption("pending");
  expect(new Set(await page.getByTestId("delivery-status").allTextContents())).toEqual(new Set(["待配送"]));
  await page.getByTestId("filter-status").selectOption("");

  // Every delivery is of one batch: the batches' counts add up to all of them.
  const plans = (await page.getByTestId("filter-plan").locator("option").allTextContents()).slice(1);
  expect(plans.length).toBeGreaterThan(0);
  let sum = 0;
  for (const plan of plans) {
    await page.getByTestId("filter-plan").selectOption(plan);
    await expect(page.getByTestId("filter-plan")).toHaveValue(plan);
    sum += await list.cards().count();
  }
  expect(sum).toBe(all);
  // Filters combine: one batch of one volunteer is no more than all of theirs.
  await page.getByTestId("filter-volunteer").selectOption({ label: volunteer.name });
  expect(await list.cards().count()).toBeLessThanOrEqual(mine);
  expect(mine + theirs).toBeLessThanOrEqual(all);
});
