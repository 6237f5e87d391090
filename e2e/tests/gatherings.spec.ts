// Journey: the register of weddings and funerals (红白理事会). A grid worker, offline, registers a
// wedding planned in five days with its expected size and the advice given; it heads the
// register; once synced, the supervisor's overview lists it among the gatherings coming soon;
// after the day, what happened is recorded on the same page.
import { expect, test } from "@playwright/test";
import { logIn, syncNow } from "../pages/session";
import { gridWorker, supervisor } from "./demo";

const chinaDay = (daysAhead: number) => new Date(Date.now() + 8 * 3600_000 + daysAhead * 86_400_000).toISOString().slice(0, 10);

test("a wedding registered offline heads the register and reaches the overview", async ({ browser }) => {
  test.setTimeout(120_000);
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, gridWorker);
  await phone.setOffline(true);
  await page.getByTestId("nav-gatherings").click();
  await page.getByTestId("add-gathering").click();
  const place = `幸福里社区活动室${Date.now() % 100000}`;
  await page.getByTestId("field-kind").selectOption("wedding");
  await page.getByTestId("field-date").fill(chinaDay(5));
  await page.getByTestId("field-place").fill(place);
  await page.getByTestId("field-organiser").fill("张建华");
  await page.getByTestId("field-expected_size").fill("80");
  await page.getByTestId("field-advice").fill("建议控制在 50 人以内，分批就餐");
  await page.getByTestId("save").click();
  await expect(page.getByTestId("form-message")).toHaveText(/已保存/);

  // A size out of range is refused in words, and nothing saved is lost.
  await page.getByTestId("field-actual_size").fill("-5");
  await page.getByTestId("save").click();
  await expect(page.getByTestId("error-actual_size")).toBeVisible();

  await page.getByTestId("gatherings-back").click();
  const first = page.getByTestId("gathering-row").first();
  await expect(first).toContainText(`${chinaDay(5)} · 婚礼`);
  await expect(first).toContainText(place);
  await expect(first).toContainText("预计 80 人");

  await phone.setOffline(false);
  await syncNow(page);
  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const office = await laptop.newPage();
  await logIn(office, supervisor);
  await office.getByTestId("nav-overview").click();
  await expect(office.getByTestId("gatherings-soon")).toContainText(place);
  await laptop.close();
  await phone.close();
});
