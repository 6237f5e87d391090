// The phone's own store, read straight from IndexedDB: what the app keeps for the logged-in user.
import type { Page } from "@playwright/test";

export type StoredField = { value: unknown; hlc: string };
export type StoredRecord = { entity: string; id: string; fields: Record<string, StoredField> };

/**
 * Every record in the logged-in user's store on this phone, each field with its stamp. The app
 * keeps a first sync's pages whole in `bases` and every later write as a single record in
 * `records`, which wins (app/src/db/stored.rs).
 */
export async function storedRecords(page: Page): Promise<StoredRecord[]> {
  const { single, bases } = await page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((d) => d.name).find((n) => n?.startsWith("knock-"));
    if (!name) throw new Error("no Knock store on this phone");
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const all = <T>(store: string): Promise<T[]> =>
      new Promise((res, rej) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
    try {
      return {
        single: await all<{ key: string; entity: string; id: string; json: string }>("records"),
        // A base's JSON is UTF-8 bytes (a string in bases written before): text for the trip
        // out of the page.
        bases: (await all<{ json: string | Uint8Array }>("bases")).map((b) =>
          typeof b.json === "string" ? b.json : new TextDecoder().decode(b.json),
        ),
      };
    } finally {
      db.close();
    }
  });
  const out = new Map<string, StoredRecord>();
  for (const json of bases) {
    for (const r of JSON.parse(json) as StoredRecord[]) out.set(`${r.entity}/${r.id}`, r);
  }
  for (const r of single) out.set(r.key, { entity: r.entity, id: r.id, fields: JSON.parse(r.json) });
  return [...out.values()];
}
