// Journey: a grid worker's phone loses signal, keeps working through reloads, and its edits
// reach the server and a colleague's phone by themselves when signal returns.
import { expect, test } from "@playwright/test";
import { ResidentForm, ResidentsPage } from "../pages/residents-page";
import { logIn, syncNow, waitSynced } from "../pages/session";
import { gridWorker } from "./demo";

test("phone A starts and edits offline; back online the edits reach the server and phone B", async ({ browser }) => {
  const phoneA = await browser.newContext();
  const a = await phoneA.newPage();
  await logIn(a, gridWorker);
  const residents = new ResidentsPage(a);
  await residents.open();
  const { url } = await residents.openFirst();

  await phoneA.setOffline(true);
  await a.reload();
  const form = new ResidentForm(a);
  await expect(form.field("notes")).toBeVisible();
  const note = `离线记录 ${Date.now()}`;
  await form.set("notes", note);
  await form.set("phone", "13912345678");
  await form.save();
  await expect(a.getByTestId("sync-status")).toHaveAttribute("data-state", "offline");
  await expect(a.getByTestId("sync-status")).toContainText("2 条待同步");

  await a.reload();
  await expect(form.field("notes")).toHaveValue(note);
  await expect(form.field("phone")).toHaveValue("13912345678");

  // Back online: no click, the `online` event syncs.
  await phoneA.setOffline(false);
  await waitSynced(a);

  const phoneB = await browser.newContext();
  const b = await phoneB.newPage();
  await logIn(b, gridWorker);
  await b.goto(url);
  await expect(new ResidentForm(b).field("notes")).toHaveValue(note);
  await expect(new ResidentForm(b).field("phone")).toHaveValue("13912345678");

  // And a later edit on B reaches A on A's next sync.
  const later = `B 补充 ${Date.now()}`;
  await new ResidentForm(b).set("notes", later);
  await new ResidentForm(b).save();
  await waitSynced(b);
  await syncNow(a);
  await a.goto(url);
  await expect(form.field("notes")).toHaveValue(later);
  await phoneA.close();
  await phoneB.close();
});

test("logging out with unsynced edits asks first, and logging out clears the device", async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await logIn(page, gridWorker);
  const residents = new ResidentsPage(page);
  await residents.open();
  await residents.openFirst();
  await ctx.setOffline(true);
  const form = new ResidentForm(page);
  await form.set("notes", "未同步的备注");
  await form.save();

  await page.getByTestId("nav-home").click();
  await page.getByTestId("logout").click();
  const confirm = page.getByTestId("logout-confirm");
  await expect(confirm).toContainText("1 条修改尚未同步");
  await page.getByTestId("logout-cancel").click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId("user-name")).toBeVisible();

  // Sync first: back online, the edit goes up, then the logout goes through by itself.
  await ctx.setOffline(false);
  await page.getByTestId("logout").click();
  await page.getByTestId("logout-sync").click();
  await expect(page).toHaveURL(/\/login$/, { timeout: 20_000 });
  const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(databases.filter((n) => n?.startsWith("knock-"))).toEqual([]);
  await ctx.close();
});
