// Page object for the admin's user administration page (/users).
import { expect, type Page } from "@playwright/test";

export type NewUser = {
  username: string;
  name: string;
  role: "admin" | "supervisor" | "grid_worker" | "volunteer";
  grids: string[];
  password: string;
};

export class UsersPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByTestId("nav-users").first().click();
    await expect(this.page.getByTestId("users-list")).toBeVisible();
  }

  row(username: string) {
    return this.page.locator(`[data-testid="user-row"][data-username="${username}"]`);
  }

  message() {
    return this.page.getByTestId("users-message");
  }

  async create(u: NewUser) {
    const form = this.page.getByTestId("create-user-form");
    await form.getByTestId("new-username").fill(u.username);
    await form.getByTestId("new-name").fill(u.name);
    await form.getByTestId("new-role").selectOption(u.role);
    for (const grid of u.grids) {
      await form.locator(`[data-testid="new-grid-option"][data-name="${grid}"]`).check();
    }
    await form.getByTestId("new-password").fill(u.password);
    await form.getByTestId("create-user").click();
    await expect(this.message()).toHaveAttribute("data-kind", "ok");
    await expect(this.row(u.username)).toBeVisible();
  }

  /** Disables an enabled user or enables a disabled one, and waits for the list to say so. */
  async toggleDisabled(username: string) {
    const was = await this.row(username).getAttribute("data-disabled");
    await this.row(username).getByTestId("user-toggle").click();
    // Disabling asks first (it logs the person out everywhere); enabling does not.
    if (was !== "true") {
      await expect(this.row(username).getByTestId("user-toggle-confirm")).toContainText("所有设备上立即退出");
      await this.row(username).getByTestId("user-toggle-yes").click();
    }
    await expect(this.row(username)).toHaveAttribute("data-disabled", was === "true" ? "false" : "true");
  }

  async resetPassword(username: string, password: string) {
    await this.row(username).getByTestId("user-password").click();
    await this.row(username).getByTestId("password-input").fill(password);
    await this.row(username).getByTestId("password-save").click();
    await expect(this.message()).toContainText("密码已重置");
  }
}
