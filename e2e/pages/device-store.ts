// The phone's own store, read straight from IndexedDB: what the app keeps for the logged-in user.
import type { Page } from "@playwright/test";

export type StoredField = { value: unknown; hlc: string };
export type StoredRecord = { entity: string; id: string; fields: Record<string, StoredField> };

/** Every record in the logged-in user's store on this phone, each field with its stamp. */
export async function storedRecords(page: Page): Promise<StoredRecord[]> {
  const all: { entity: string; id: string; json: string }[] = await page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((d) => d.name).find((n) => n?.startsWith("knock-"));
    if (!name) throw new Error("no Knock store on this phone");
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    try {
      return await new Promise((res, rej) => {
        const r = db.transaction("records").objectStore("records").getAll();
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
    } finally {
      db.close();
    }
  });
  return all.map((r) => ({ entity: r.entity, id: r.id, fields: JSON.parse(r.json) }));
}
