// Journey: the admin creates a grid worker for one grid in the app; the new worker logs in on
// their phone and gets only that grid's households; the admin disables them and the worker's
// next sync says they must log in again, with the data still on the phone.
import { expect, test, type Page } from "@playwright/test";
import { storedRecords } from "../pages/device-store";
import { logIn } from "../pages/session";
import { UsersPage } from "../pages/users-page";
import { admin } from "./demo";

const GRID = "幸福里第三网格";

/** The household records on this device, the grids they lie in, and the grid records' names. */
async function storedGrids(page: Page) {
  const all = await storedRecords(page);
  const households = all.filter((r) => r.entity === "household");
  const grids = all.filter((r) => r.entity === "grid").map((r) => r.fields.name?.value);
  return {
    households: households.length,
    householdGrids: [...new Set(households.map((h) => h.fields.grid_id?.value))],
    grids,
  };
}

test("an admin creates a grid worker, who sees only their grid, then disables them", async ({ browser }) => {
  const worker = {
    username: `sunli${Date.now().toString(36)}`,
    name: "孙丽",
    password: "sunli-pass-1",
  };

  // The admin creates the worker for one grid.
  const adminCtx = await browser.newContext();
  const adminPage = await adminCtx.newPage();
  await logIn(adminPage, admin);
  const users = new UsersPage(adminPage);
  await users.open();
  await expect(users.row("wangfang")).toBeVisible();
  await expect(users.row("wangfang").getByTestId("user-role")).toHaveText("网格员");
  await users.create({ ...worker, role: "grid_worker", grids: [GRID] });
  await expect(users.row(worker.username).getByTestId("user-grids")).toHaveText(GRID);
  await expect(users.row(worker.username).getByTestId("user-role")).toHaveText("网格员");

  // A taken user name is refused in the person's language.
  const form = adminPage.getByTestId("create-user-form");
  await form.getByTestId("new-username").fill("wangfang");
  await form.getByTestId("new-role").selectOption("admin");
  await form.getByTestId("new-password").fill("long-enough");
  await form.getByTestId("create-user").click();
  await expect(users.message()).toHaveAttribute("data-kind", "error");
  await expect(users.message()).toHaveText("用户名已被使用");

  // Without a connection the page says it needs one, and comes back with it.
  await adminCtx.setOffline(true);
  await expect(adminPage.getByTestId("users-offline")).toHaveText("需要联网才能管理用户");
  await adminCtx.setOffline(false);
  await expect(adminPage.getByTestId("users-list")).toBeVisible();

  await adminPage.getByTestId("nav-home").click();
  await adminPage.getByTestId("logout").click();
  await expect(adminPage.getByTestId("login-submit")).toBeVisible();

  // The worker logs in and gets their grid's households, and no other grid's.
  const workerCtx = await browser.newContext();
  const workerPage = await workerCtx.newPage();
  await logIn(workerPage, worker);
  await expect(workerPage.getByTestId("grid-list")).toHaveText(GRID);
  await expect(workerPage.getByTestId("nav-users")).toHaveCount(0);
  await workerPage.getByTestId("nav-households").click();
  await expect(workerPage.getByTestId("household-row").first()).toBeVisible();
  const stored = await storedGrids(workerPage);
  expect(stored.households).toBeGreaterThan(0);
  expect(stored.householdGrids).toHaveLength(1);
  expect(stored.grids).toEqual([GRID]);

  // The admin disables the worker.
  await logIn(adminPage, admin);
  await users.open();
  await users.toggleDisabled(worker.username);
  await expect(users.row(worker.username)).toHaveAttribute("data-disabled", "true");
  await expect(users.row(worker.username).getByTestId("user-disabled")).toBeVisible();
  await expect(users.row(worker.username).getByTestId("user-toggle")).toHaveText("启用");

  // The worker's next sync is refused: they are signed out with the reason, their data kept
  // on the phone, and the old password no longer lets them in.
  await workerPage.goto("/sync");
  await expect(workerPage.getByTestId("login-expired")).toBeVisible();
  await expect(workerPage.getByTestId("login-expired")).toContainText("重新登录");
  expect((await storedGrids(workerPage)).households).toBe(stored.households);
  await workerPage.getByTestId("login-username").fill(worker.username);
  await workerPage.getByTestId("login-password").fill(worker.password);
  await workerPage.getByTestId("login-submit").click();
  await expect(workerPage.getByTestId("login-error")).toBeVisible();

  // Enabled again with a new password, they log in and the same store syncs again.
  await users.toggleDisabled(worker.username);
  await users.resetPassword(worker.username, "sunli-pass-2");
  await workerPage.getByTestId("login-password").fill("sunli-pass-2");
  await workerPage.getByTestId("login-submit").click();
  await expect(workerPage).toHaveURL(/\/today$/);
  await expect(workerPage.getByTestId("sync-status")).toHaveAttribute("data-state", "synced", { timeout: 30_000 });

  await workerCtx.close();
  await adminCtx.close();
});
