// Page object for the home page.
import { expect, type Page } from "@playwright/test";

export class HomePage {
  constructor(private readonly page: Page) {}

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
