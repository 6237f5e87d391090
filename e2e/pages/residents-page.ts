// Page objects for the residents list and the resident form.
import { expect, type Page } from "@playwright/test";

export class ResidentsPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByTestId("nav-residents").click();
    await expect(this.page.getByTestId("search")).toBeVisible();
  }

  rows() {
    return this.page.getByTestId("resident-row");
  }

  /** The form paths (`/residents/<id>`) of the first `n` residents of the list. */
  async firstPaths(n: number): Promise<string[]> {
    await expect(this.rows().nth(n - 1)).toBeVisible();
    const paths: string[] = [];
    for (let i = 0; i < n; i++) paths.push((await this.rows().nth(i).getAttribute("href")) ?? "");
    return paths;
  }

  async search(text: string) {
    await this.page.getByTestId("search").fill(text);
  }

  /** Opens the first resident of the list; returns its name and the form's URL. */
  async openFirst(): Promise<{ name: string; url: string }> {
    const row = this.rows().first();
    const name = (await row.locator(".row-main").textContent()) ?? "";
    await row.click();
    await expect(this.page.getByTestId("resident-form")).toBeVisible();
    return { name, url: this.page.url() };
  }
}

export class ResidentForm {
  constructor(private readonly page: Page) {}

  field(name: string) {
    return this.page.getByTestId(`field-${name}`);
  }

  async set(name: string, value: string) {
    await this.field(name).fill(value);
  }

  async save() {
    await this.page.getByTestId("save").click();
    await expect(this.page.getByTestId("form-message")).toHaveText(/已保存|Saved/);
  }
}
