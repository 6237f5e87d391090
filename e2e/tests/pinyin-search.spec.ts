// Journey: a grid worker on a phone's Latin keyboard finds people by pinyin, offline — a new
// resident by the initials and by the full spelling of her name, her household by the same, and
// the households of a street by its name's initials.
import { expect, test } from "@playwright/test";
import { ResidentForm, ResidentsPage } from "../pages/residents-page";
import { logIn } from "../pages/session";
import { HouseholdsPage, Nav } from "../pages/worker-pages";
import { gridWorker } from "./demo";

test("a resident and her household are found by the pinyin of her name, offline", async ({ browser }) => {
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, gridWorker);
  await phone.setOffline(true);
  const nav = new Nav(page);

  // A resident whose name no demo resident shares: 鞠曼砚, "ju man yan".
  await nav.go("households");
  const households = new HouseholdsPage(page);
  const first = households.rows().first();
  const address = ((await first.locator(".row-main").textContent()) ?? "").trim();
  await first.click();
  await page.getByTestId("add-member").click();
  const form = new ResidentForm(page);
  await form.set("name", "鞠曼砚");
  // A birth date of its own per run, so a second run on one server is not a duplicate.
  const day = String((Date.now() % 28) + 1).padStart(2, "0");
  await form.set("birth_date", `1946-02-${day}`);
  await form.save();

  const residents = new ResidentsPage(page);
  await nav.go("home");
  await residents.open();
  for (const typed of ["jmy", "jumanyan", "Ju Man Yan", "manyan"]) {
    await residents.search(typed);
    await expect(residents.rows().filter({ hasText: "鞠曼砚" }).first(), typed).toBeVisible();
    await expect(residents.rows().filter({ hasNotText: "鞠曼砚" }), typed).toHaveCount(0);
  }

  await nav.go("households");
  await households.search("jmy");
  await expect(households.rows().filter({ hasText: "鞠曼砚" }).locator(".row-main")).toHaveText([address]);

  // Most demo addresses are in 幸福里 (xingfuli): its initials find households, and a spelling
  // that is in no name or address finds none.
  await households.search("xfl");
  await expect(households.rows().first()).toBeVisible();
  await households.search("qqqxxz");
  await expect(households.rows()).toHaveCount(0);
  await phone.close();
});
