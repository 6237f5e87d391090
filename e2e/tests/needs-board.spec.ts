// Journey: a grid worker raises an emergency need from a resident's door; the supervisor's needs
// board puts it on top with the minutes it has waited, and the supervisor filters, assigns,
// escalates and resolves it; the worker's phone then no longer lists it as open.
import { expect, test } from "@playwright/test";
import { logIn, syncNow } from "../pages/session";
import { gridWorker, supervisor } from "./demo";

test("an emergency need tops the supervisor's board and is assigned, escalated and resolved", async ({ browser }) => {
  const phone = await browser.newContext();
  const worker = await phone.newPage();
  await logIn(worker, gridWorker);
  await worker.getByTestId("nav-residents").click();
  await worker.getByTestId("resident-row").first().click();
  await worker.getByTestId("raise-need").click();
  const description = `需要吸氧 ${Date.now() % 100000}`;
  await worker.getByTestId("field-kind").selectOption("referral");
  await worker.getByTestId("field-urgency").selectOption("emergency");
  await worker.getByTestId("field-description").fill(description);
  await worker.getByTestId("save").click();
  await expect(worker.getByTestId("form-message")).toBeVisible();
  await syncNow(worker);

  const laptop = await browser.newContext({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false });
  const sup = await laptop.newPage();
  await logIn(sup, supervisor);
  await sup.getByTestId("nav-needs").click();
  const rows = sup.getByTestId("need-row");
  // Emergencies first: the first row is an emergency, with its waiting time in minutes.
  await expect(rows.first().getByTestId("need-emergency-age")).toContainText(/已等待 \d+ 分钟/);
  const ours = rows.filter({ hasText: description });
  await expect(ours).toHaveCount(1);
  await expect(ours.getByTestId("need-emergency-age")).toContainText("已等待 0 分钟");

  // Filters: the need is among the emergencies and the referrals, not among the normal needs.
  await sup.getByTestId("needs-filter-urgency").selectOption("normal");
  await expect(rows.filter({ hasText: description })).toHaveCount(0);
  await sup.getByTestId("needs-filter-urgency").selectOption("emergency");
  await sup.getByTestId("needs-filter-kind").selectOption("referral");
  await expect(rows.filter({ hasText: description })).toHaveCount(1);
  const count = await rows.count();
  for (let i = 0; i < count; i++) await expect(rows.nth(i).getByTestId("need-emergency-age")).toBeVisible();

  await rows.filter({ hasText: description }).click();
  await sup.getByTestId("need-assignee-select").selectOption({ label: gridWorker.name });
  await expect(sup.getByTestId("form-message")).toHaveText("已指派负责人。");
  await sup.getByTestId("need-escalate").click();
  await expect(sup.getByTestId("need-escalated")).toBeVisible();
  // Withdrawing closes the need for good: a mis-tap only asks, and going back changes nothing.
  const statusBefore = await sup.getByTestId("need-status").textContent();
  await sup.getByTestId("need-cancel").click();
  await expect(sup.getByTestId("need-cancel-confirm")).toContainText("撤销后这条需求就关闭了");
  await sup.getByTestId("need-cancel-no").click();
  await expect(sup.getByTestId("need-cancel-confirm")).toHaveCount(0);
  await expect(sup.getByTestId("need-status")).toHaveText(statusBefore ?? "");
  await sup.getByTestId("field-resolution").fill("已联系 120 送医");
  await sup.getByTestId("need-resolve").click();
  await expect(sup.getByTestId("need-status")).toHaveText(statusBefore ?? "");
  await sup.getByTestId("need-resolve-yes").click();
  await expect(sup.getByTestId("need-status")).toHaveText("已解决");
  await syncNow(sup);

  // The worker's phone: after a sync the need is no longer open.
  await syncNow(worker);
  await worker.getByTestId("nav-needs").click();
  await expect(worker.getByTestId("needs-list")).toBeVisible();
  await expect(worker.getByTestId("need-row").filter({ hasText: description })).toHaveCount(0);
  await phone.close();
  await laptop.close();
});
