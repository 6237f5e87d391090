// Journey: vaccination mobilisation (应接尽接). With no signal, a grid worker opens the grid's list
// of residents aged 3 or more not fully vaccinated — highest risk and oldest first, each with the
// nearest vaccination point — records one refusal (a reason is asked for) and one vaccination
// (the resident leaves the list at once); synced, the community's figures count both.
import { expect, test } from "@playwright/test";
import { serverDashboard } from "../pages/overview-page";
import { logIn, syncNow } from "../pages/session";
import { scrollUntil } from "../pages/windowed-list";
import { gridWorker, supervisor } from "./demo";

test("a refusal with its reason and a vaccination are recorded offline and counted", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const before = await serverDashboard(request, supervisor.username, supervisor.password);
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, gridWorker);
  await phone.setOffline(true);
  await page.getByTestId("nav-vaccination").click();
  await expect(page).toHaveURL(/\/vaccination$/);
  const items = page.getByTestId("vacc-item");
  await expect(items.first()).toBeVisible();
  const total = Number(await page.getByTestId("vacc-count").getAttribute("data-total"));
  expect(total).toBeGreaterThan(1);
  // Highest risk first, with where to go.
  await expect(items.first().getByTestId("tier")).toHaveAttribute("data-tier", "red");
  await expect(items.first().getByTestId("vacc-place")).toContainText(/接种/);

  // A refusal needs its reason.
  const item = (id: string) => page.locator(`[data-testid="vacc-item"][data-resident="${id}"]`);
  const refuserId = (await items.filter({ hasNotText: "上次动员" }).first().getAttribute("data-resident")) ?? "";
  const refuser = item(refuserId);
  await refuser.getByTestId("vacc-mobilise").click();
  const form = refuser.getByTestId("mobilise-form");
  await form.getByTestId("mobilise-outcome").selectOption("refused");
  await form.getByTestId("mobilise-save").click();
  await expect(form.getByTestId("mobilise-message")).toHaveText("请填写拒绝原因，方便下次动员。");
  await form.getByTestId("mobilise-reason").fill("担心副作用，下周再问");
  await form.getByTestId("mobilise-save").click();
  await expect(page.getByTestId("mobilise-message")).toHaveText("已保存动员记录。");
  await expect(refuser.getByTestId("mobilise-form")).toHaveCount(0);
  await expect(refuser.getByTestId("vacc-last")).toContainText("拒绝接种（担心副作用，下周再问）");

  // One dose short of the course, vaccinated today: off the list.
  const twoDoses = items.filter({ hasText: "已接种 2 剂，全程 3 剂" }).filter({ hasNotText: "上次动员" });
  // Further down the list, reached by scrolling: only the rows on the screen are drawn.
  expect(await scrollUntil(page, twoDoses)).toBe(true);
  const shortId = (await twoDoses.first().getAttribute("data-resident")) ?? "";
  const short = item(shortId);
  await short.getByTestId("vacc-mobilise").click();
  await short.getByTestId("mobilise-outcome").selectOption("vaccinated");
  await expect(short.getByTestId("mobilise-date")).toBeVisible();
  await short.getByTestId("mobilise-save").click();
  await expect(short).toHaveCount(0);
  await expect(page.getByTestId("vacc-count")).toHaveAttribute("data-total", String(total - 1));

  await phone.setOffline(false);
  await syncNow(page);
  const after = await serverDashboard(request, supervisor.username, supervisor.password);
  expect(after.total.vacc_mobilised).toBe(before.total.vacc_mobilised + 2);
  expect(after.total.vacc_vaccinated).toBe(before.total.vacc_vaccinated + 1);
  expect(after.total.vacc_eligible).toBe(before.total.vacc_eligible - 1);
  await phone.close();
});
