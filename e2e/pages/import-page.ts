// Page object for the roster import page (/import): upload, mapping, preview, confirm, report.
import { expect, type Page } from "@playwright/test";

export type Counts = { created: number; merged: number; refused: number };

export class ImportPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByTestId("nav-import").click();
    await expect(this.page.getByTestId("import-file")).toBeVisible();
  }

  /** Uploads a file and waits for the server's preview. */
  async upload(name: string, mimeType: string, buffer: Buffer) {
    await this.page.getByTestId("import-file").setInputFiles({ name, mimeType, buffer });
    await expect(this.page.getByTestId("import-rows")).toBeVisible();
    await expect(this.page.getByTestId("import-busy")).toHaveCount(0);
  }

  rows() {
    return this.page.getByTestId("import-row");
  }

  /** The preview row of a 1-based sheet row. */
  row(sheetRow: number) {
    return this.page.locator(`[data-testid="import-row"][data-row="${sheetRow}"]`);
  }

  async counts(): Promise<Counts> {
    const n = async (id: string) => Number(await this.page.getByTestId(id).textContent());
    return { created: await n("import-created"), merged: await n("import-merged"), refused: await n("import-refused") };
  }

  mapping(field: string) {
    return this.page.getByTestId(`import-map-${field}`);
  }

  async commit() {
    await this.page.getByTestId("import-commit").click();
    await expect(this.page.getByTestId("import-done")).toBeVisible();
  }
}
