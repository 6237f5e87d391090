// Journey: a grid worker marks a young resident who cannot use a smartphone; with no visit at the
// door yet she is due today, her row says why and whom to reach, the call goes to her guardian,
// the ledger's 需线下渠道 filter lists her although her tier is green, and only a visit at the
// door, not a call, takes her off Today — all offline.
import { expect, test } from "@playwright/test";
import { ResidentForm } from "../pages/residents-page";
import { logIn } from "../pages/session";
import { TodayPage } from "../pages/today-page";
import { HouseholdsPage, LedgerPage, Nav, VisitForm } from "../pages/worker-pages";
import { gridWorker } from "./demo";

test("someone kept an offline channel is due at the door and reached through a contact", async ({ browser }) => {
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, gridWorker);
  await phone.setOffline(true);
  const nav = new Nav(page);

  await nav.go("households");
  await new HouseholdsPage(page).rows().first().click();
  await page.getByTestId("add-member").click();
  const form = new ResidentForm(page);
  // A name of its own per run, so a second run on one server finds only this one.
  const name = `符晓澄${String(Date.now() % 100000)}`;
  await form.set("name", name);
  await form.set("birth_date", "1990-03-14");
  await form.set("guardian_name", "符建国");
  await form.set("guardian_phone", "13912345678");
  await form.field("tag_no_smartphone").check();
  await form.save();
  await expect(page.getByTestId("offline-channel")).toContainText("不会使用智能手机");
  await expect(page.getByTestId("offline-carer")).toContainText("符建国");

  await nav.go("today");
  const today = new TodayPage(page);
  await today.search(name);
  const item = today.items().filter({ hasText: name });
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId("today-row")).toContainText("需入户走访（线下渠道）");
  await expect(item.getByTestId("today-offline")).toHaveText("线下渠道：不会使用智能手机 · 联系人 符建国 13912345678");
  // She has no phone of her own: the call goes to her guardian, and says so to a screen reader.
  const call = item.getByTestId("today-call");
  await expect(call).toHaveAttribute("href", "tel:13912345678");
  await expect(call).toHaveAccessibleName("拨打 符建国");

  // A call does not meet the offline channel; a visit at the door does.
  const visitFor = async (method: string) => {
    await item.getByTestId("today-visit").click();
    const visit = new VisitForm(page);
    await visit.field("method").selectOption(method);
    await visit.save();
    await nav.go("today");
    await today.search(name);
  };
  await visitFor("phone");
  await expect(item).toHaveCount(1);
  await visitFor("in_person");
  await expect(item).toHaveCount(0);

  await nav.go("ledger");
  const ledger = new LedgerPage(page);
  await ledger.search(name);
  await expect(ledger.rows()).toHaveCount(0);
  await page.getByTestId("filter-group").selectOption("offline_channel");
  await expect(ledger.rows()).toHaveCount(1);
  await expect(ledger.rows().first()).toContainText("线下渠道：不会使用智能手机");
  await phone.close();
});
