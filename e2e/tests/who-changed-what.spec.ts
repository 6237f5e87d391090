// Journey: who changed what (issue 17). 孙丽 (building leader) and 王芳 (grid worker) both look
// after a resident of 幸福里小区; each changes the resident's phone, 王芳 offline, so her later
// value overwrites 孙丽's unseen. The supervisor's overview lists the contest with both values
// and both names; she keeps 孙丽's value with one tap and the contest is gone. The resident's
// 修改记录, which needs a connection, lists both changes and the correction, the correction the
// current value.
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ContestedCard, HistoryPanel } from "../pages/history-page";
import { OverviewPage } from "../pages/overview-page";
import { ResidentForm, ResidentsPage } from "../pages/residents-page";
import { logIn, syncNow, waitSynced, type Account } from "../pages/session";
import { buildingLeader, gridWorker, supervisor } from "./demo";

const PHONE = "phone";

async function device(browser: Browser, who: Account, wide = false): Promise<[BrowserContext, Page]> {
  const ctx = await browser.newContext(wide ? { viewport: { width: 1366, height: 900 } } : {});
  const page = await ctx.newPage();
  await logIn(page, who);
  return [ctx, page];
}

test("an overwritten phone number is flagged, taken back with one tap, and its history says who", async ({ browser }) => {
  test.setTimeout(240_000);
  const tail = String(Date.now() % 10_000).padStart(4, "0");
  const hers = `1391111${tail}`;
  const his = `1372222${tail}`;

  // 孙丽 opens the first resident of her doors; 王芳 has the same page open, then loses signal.
  const [leaderCtx, leader] = await device(browser, buildingLeader);
  const residents = new ResidentsPage(leader);
  await residents.open();
  const { url } = await residents.openFirst();
  const id = new URL(url).pathname.split("/").pop()!;
  const [workerCtx, worker] = await device(browser, gridWorker);
  await worker.goto(url);
  await expect(new ResidentForm(worker).field(PHONE)).toBeVisible();
  await workerCtx.setOffline(true);

  const leaderForm = new ResidentForm(leader);
  await leaderForm.set(PHONE, hers);
  await leaderForm.save();
  await syncNow(leader);

  const workerForm = new ResidentForm(worker);
  await workerForm.set(PHONE, his);
  await workerForm.save();
  await workerCtx.setOffline(false);
  await waitSynced(worker);
  await syncNow(worker);
  await leaderCtx.close();
  await workerCtx.close();

  // The supervisor sees the contest, 王芳's value holding, and keeps 孙丽's in one tap: the
  // server writes it anew (a supervisor writes no resident field of their own), and it is gone.
  const [supCtx, sup] = await device(browser, supervisor, true);
  const overview = new OverviewPage(sup);
  await overview.open();
  const card = new ContestedCard(sup);
  const row = card.row(id, PHONE);
  await expect(card.card()).toContainText("修改冲突");
  await expect(row.getByTestId("contested-record")).toHaveAttribute("href", `/residents/${id}`);
  await expect(card.holding(row)).toContainText(his);
  await expect(card.holding(row)).toContainText(gridWorker.name);
  await expect(card.holding(row)).toContainText("当前值");
  await expect(card.overwritten(row)).toContainText(hers);
  await expect(card.overwritten(row)).toContainText(buildingLeader.name);
  await card.takeOverwritten(row);
  await waitSynced(sup);
  await overview.refresh();
  await expect(row).toHaveCount(0);

  // The history is the server's: offline it says so; online it lists who changed what.
  await sup.goto(`/residents/${id}`);
  await expect(new ResidentForm(sup).field(PHONE)).toHaveValue(hers);
  const history = new HistoryPanel(sup);
  await supCtx.setOffline(true);
  await history.toggle();
  await expect(history.error()).toContainText("需要联网");
  await history.toggle();
  await supCtx.setOffline(false);
  await history.toggle();
  const phones = history.entries(PHONE);
  await expect(phones.first()).toHaveAttribute("data-current", "true");
  await expect(phones.first()).toContainText(hers);
  await expect(phones.first()).toContainText(supervisor.name);
  await expect(phones.filter({ hasText: his }).first()).toContainText(gridWorker.name);
  await expect(phones.filter({ hasText: buildingLeader.name })).toContainText(hers);
  await expect(phones.filter({ hasText: buildingLeader.name })).toHaveAttribute("data-current", "false");
  await expect(history.panel()).toContainText(/服务器保存 \d+ 天内的修改/);
  await supCtx.close();
});
