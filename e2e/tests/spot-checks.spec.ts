// Journey: spot checks (抽查). A supervisor draws a sample of a grid worker's visits of the last
// week, calls the resident, records that the visit happened and what the resident said; the
// overview shows that worker's confirmation rate. The grid worker sees no check, on any screen
// or in any answer of the server.
import { expect, test } from "@playwright/test";
import { logIn, syncNow } from "../pages/session";
import { gridWorker, supervisor } from "./demo";

test("a supervisor checks a worker's visit; the rate shows on the overview, never to the worker", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await laptop.newPage();
  await logIn(page, supervisor);
  await page.getByTestId("nav-spot-checks").click();
  await expect(page).toHaveURL(/\/spot-checks$/);
  await page.getByTestId("spot-worker").selectOption({ label: gridWorker.name });
  await page.getByTestId("spot-draw").click();
  const items = page.getByTestId("spot-item");
  await expect(items.first()).toBeVisible();
  expect(await items.count()).toBeLessThanOrEqual(5);
  for (const by of await items.locator(".row-sub").allTextContents()) expect(by).toContain(gridWorker.name);

  const first = items.first();
  const visit = (await first.getAttribute("data-visit")) ?? "";
  const resident = ((await first.locator(".row-main").textContent()) ?? "").trim();
  await first.getByTestId("spot-result").selectOption("confirmed");
  await first.getByTestId("spot-said").fill("上周来过，量了血压");
  await first.getByTestId("spot-save").click();
  await expect(page.getByTestId("spot-message")).toHaveText("已保存抽查结果。");
  // Checked: out of the sample, into the list of checks.
  await expect(page.locator(`[data-testid="spot-item"][data-visit="${visit}"]`)).toHaveCount(0);
  const done = page.getByTestId("spot-done").filter({ hasText: resident });
  await expect(done.first()).toContainText("属实");
  await expect(done.first()).toContainText("上周来过，量了血压");

  // The rate is the server's: once the check has reached it, the overview shows it.
  await syncNow(page);
  await page.getByTestId("nav-overview").click();
  const row = page.getByTestId("workload-row").filter({ hasText: gridWorker.name });
  await expect(async () => {
    await page.getByTestId("dashboard-refresh").click();
    await expect(row.getByTestId("workload-checked")).toHaveText(/^\d+% \(\d+\/\d+\)$/, { timeout: 2000 });
  }).toPass({ timeout: 20_000 });

  // The worker: no page, no figure, no record.
  const phone = await browser.newContext();
  const worker = await phone.newPage();
  await logIn(worker, gridWorker);
  await expect(worker.getByTestId("nav-spot-checks")).toHaveCount(0);
  const login = await request.post("/api/v1/login", {
    data: { username: gridWorker.username, password: gridWorker.password, device_id: "e2e-spot-probe" },
  });
  const { token } = await login.json();
  const d = await (await request.get("/api/v1/dashboard", { headers: { Authorization: `Bearer ${token}` } })).json();
  for (const w of d.workload) {
    expect(w).not.toHaveProperty("spot_reached");
    expect(w).not.toHaveProperty("spot_confirmed");
  }
  const pulled = await (await request.get("/api/v1/sync/pull?limit=5000", { headers: { Authorization: `Bearer ${token}` } })).json();
  expect(pulled.changes.some((c: { entity: string }) => c.entity === "spot_check")).toBe(false);
  await laptop.close();
  await phone.close();
});
