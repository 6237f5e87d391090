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
