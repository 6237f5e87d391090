// Journey: care for the workers (issue 17). A grid worker asks privately for psychological
// support from her card; the supervisor sees the request on the overview and marks it arranged,
// and issues her a week's masks on the supplies page, where who holds what is listed; after a
// sync her card shows the masks and when they are due again.
import { expect, test } from "@playwright/test";
import { logIn, syncNow } from "../pages/session";
import { gridWorker, supervisor } from "./demo";

test("a worker asks for support privately and receives protective gear", async ({ browser }) => {
  test.setTimeout(150_000);
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, gridWorker);
  const support = page.getByTestId("support");
  await support.locator("summary").click();
  await expect(support).toContainText("只有你所在网格的督导员能看到");
  await page.getByTestId("support-way").selectOption("phone");
  const note = `连续加班一周，晚上睡不着 ${Date.now() % 100000}`;
  await page.getByTestId("support-note").fill(note);
  await page.getByTestId("support-send").click();
  await expect(page.getByTestId("support-message")).toContainText("已私下发送");
  await syncNow(page);

  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const office = await laptop.newPage();
  await logIn(office, supervisor);
  await office.getByTestId("nav-overview").click();
  const request = office.getByTestId("support-request").filter({ hasText: note });
  await expect(request).toContainText(gridWorker.name);
  await request.getByTestId("support-arranged").click();
  await expect(request).toContainText("已安排");

  await office.goto("/supplies");
  await office.getByTestId("move-item").selectOption({ label: "N95 口罩" });
  await office.getByTestId("move-kind").selectOption("issued");
  await office.getByTestId("move-quantity").fill("14");
  // Issued to nobody is refused in words, and nothing is recorded.
  await office.getByTestId("save-move").click();
  await expect(office.getByTestId("form-message")).toContainText("请选择发给谁");
  await office.getByTestId("move-worker").selectOption({ label: gridWorker.name });
  await office.getByTestId("save-move").click();
  await expect(office.getByTestId("form-message")).toContainText("已");
  const held = office.getByTestId("gear-row").filter({ hasText: gridWorker.name });
  await expect(held.first()).toContainText("N95 口罩");
  await syncNow(office);
  await laptop.close();

  await syncNow(page);
  await page.getByTestId("nav-home").click();
  const mine = page.getByTestId("gear-mine");
  await expect(mine).toContainText("N95 口罩");
  await expect(mine).toContainText("应补发");
  await phone.close();
});
