// Journey: two phones edit the same resident while both are offline. Different fields both
// survive; the same field ends as the later edit, on both phones.
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { ResidentForm, ResidentsPage } from "../pages/residents-page";
import { logIn, syncNow, waitSynced } from "../pages/session";
import { gridWorker } from "./demo";

async function phone(browser: import("@playwright/test").Browser): Promise<[BrowserContext, Page]> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await logIn(page, gridWorker);
  return [ctx, page];
}

async function edit(page: Page, url: string, field: string, value: string) {
  await page.goto(url);
  const form = new ResidentForm(page);
  await form.set(field, value);
  await form.save();
}

test("offline edits of one resident on two phones merge field by field", async ({ browser }) => {
  const [ctxA, a] = await phone(browser);
  const [ctxB, b] = await phone(browser);
  const list = new ResidentsPage(a);
  await list.open();
  const { url } = await list.openFirst();
  await b.goto(url);
  await expect(new ResidentForm(b).field("notes")).toBeVisible();

  await ctxA.setOffline(true);
  await ctxB.setOffline(true);
  await edit(a, url, "phone", "13600000001");
  await edit(b, url, "notes", "B 记录的备注");
  // The same field on both: B's edit is the later one.
  await edit(a, url, "emergency_contact", "张三");
  await a.waitForTimeout(50);
  await edit(b, url, "emergency_contact", "李四");

  await ctxA.setOffline(false);
  await waitSynced(a);
  await ctxB.setOffline(false);
  await waitSynced(b);
  await syncNow(a);

  for (const page of [a, b]) {
    await page.goto(url);
    const form = new ResidentForm(page);
    await expect(form.field("phone")).toHaveValue("13600000001");
    await expect(form.field("notes")).toHaveValue("B 记录的备注");
    await expect(form.field("emergency_contact")).toHaveValue("李四");
  }
  await ctxA.close();
  await ctxB.close();
});
