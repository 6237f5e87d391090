// Page object for the user card (/me, the 更多 tab): who is logged in, their grids, logout.
import { expect, type Page } from "@playwright/test";

export class HomePage {
  constructor(private readonly page: Page) {}

  /** Opens the card from the header's 更多 tab. */
  async open() {
    await this.page.getByTestId("nav-home").click();
    await expect(this.page).toHaveURL(/\/me$/);
  }

  async expectUser(name: string, roleLabel: string) {
    await expect(this.page.getByTestId("user-name")).toHaveText(name);
    await expect(this.page.getByTestId("user-role")).toHaveText(roleLabel);
  }

  grids() {
    return this.page.getByTestId("grid-list").locator("li");
  }

  async logOut() {
    await this.page.getByTestId("logout").click();
  }
}
