// Page object for what a role may reach (model/src/access.rs): the tab bar, the user card's
// links, a page tried by URL and turned back to the role's home with the notice, and the pages
// for an address or a record that is not there.
import { expect, type Page } from "@playwright/test";

/** Every tab and user-card link there is, by test id. */
export const NAV_IDS = [
  "nav-today",
  "nav-households",
  "nav-residents",
  "nav-vaccination",
  "nav-spot-checks",
  "nav-gatherings",
  "nav-upward",
  "nav-rota",
  "nav-visit-sheet",
  "nav-guides",
  "nav-ledger",
  "nav-overview",
  "nav-needs",
  "nav-services",
  "nav-deliveries",
  "nav-supplies",
  "nav-packs-plan",
  "nav-users",
  "nav-import",
  "nav-sync",
] as const;

export const REFUSED_ZH = "你的角色不能打开此页面";

export class RolePages {
  constructor(private readonly page: Page) {}

  /** The test ids of the links in the tab bar and on the user card on the page now open, in
   * the order of NAV_IDS. */
  async navLinks(): Promise<string[]> {
    const found: string[] = [];
    for (const id of NAV_IDS) {
      if ((await this.page.getByTestId(id).count()) > 0) found.push(id);
    }
    return found;
  }

  /** Opens `path` by its address and expects to be turned back to `home` with the notice. */
  async expectRefused(path: string, home: string) {
    await this.page.goto(path);
    await expect(this.page).toHaveURL(new RegExp(`${home}$`));
    await expect(this.page.getByTestId("refused-notice")).toContainText(REFUSED_ZH);
  }

  /** Opens `path` by its address and expects to stay there, with no notice. */
  async expectOpens(path: string) {
    await this.page.goto(path);
    await expect(this.page).toHaveURL(new RegExp(`${path.replace(/[?]/g, "\\?")}$`));
    await expect(this.page.getByTestId("refused-notice")).toHaveCount(0);
  }

  notice() {
    return this.page.getByTestId("refused-notice");
  }

  notFound() {
    return this.page.getByTestId("not-found");
  }

  recordNotHere() {
    return this.page.getByTestId("record-not-here");
  }

  async goHome() {
    await this.page.getByTestId("go-home").click();
  }
}
