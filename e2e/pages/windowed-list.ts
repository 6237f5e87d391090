// A long list that draws only the rows on the screen (app/src/components/windowed_list.rs), read
// as a person reads it: by scrolling, a screen at a time, from the top to the end.
import type { Locator, Page } from "@playwright/test";

/** Waits until the list has drawn what the screen needs: some animation frames in a row. */
async function frames(page: Page, n = 4) {
  await page.evaluate(
    (n) =>
      new Promise<void>((done) => {
        const next = (left: number) => (left === 0 ? done() : requestAnimationFrame(() => next(left - 1)));
        next(n);
      }),
    n,
  );
}

export type Scrolled = {
  /** Each row drawn on the way, by `attribute`, in the order first met. */
  seen: string[];
  /** The most rows drawn at one time. */
  most: number;
  /** The most DOM nodes the page held at one time. */
  nodes: number;
};

/** Scrolls the page from the top to the end a screen at a time, noting the rows drawn. */
export async function scrollThrough(page: Page, rows: Locator, attribute: string): Promise<Scrolled> {
  const seen = new Set<string>();
  let most = 0;
  let nodes = 0;
  await page.evaluate(() => window.scrollTo(0, 0));
  for (;;) {
    await frames(page);
    const drawn = await rows.evaluateAll((els, a) => els.map((e) => e.getAttribute(a) ?? ""), attribute);
    drawn.forEach((id) => seen.add(id));
    most = Math.max(most, drawn.length);
    nodes = Math.max(nodes, await page.evaluate(() => document.body.querySelectorAll("*").length));
    const moved = await page.evaluate(() => {
      const before = window.scrollY;
      window.scrollBy(0, window.innerHeight);
      return window.scrollY !== before;
    });
    if (!moved) break;
  }
  return { seen: [...seen], most, nodes };
}

export type Jumped = {
  /** Rows drawn. */
  drawn: number;
  /** Rows drawn that are at least partly on the screen. */
  onScreen: number;
  /** DOM nodes the page holds. */
  nodes: number;
};

/** Waits until the list is still: the same rows drawn and the page at the same place over a few
 * frames. Rows of unequal height (the ledger's reasons wrap) are drawn where their neighbours'
 * heights suggested, then measured, and the page settles a few frames later. */
async function still(page: Page, rows: Locator) {
  const state = async () =>
    JSON.stringify([await page.evaluate(() => window.scrollY), await rows.evaluateAll((els) => els.map((e) => e.outerHTML.length))]);
  let before = "";
  for (let i = 0; i < 30; i++) {
    await frames(page);
    const now = await state();
    if (now === before) return;
    before = now;
  }
}

/** Jumps to `fraction` of the page's height (0 the top, 1 the end), as a flung scroll bar does. */
export async function jumpTo(page: Page, rows: Locator, fraction: number): Promise<Jumped> {
  await page.evaluate((f) => window.scrollTo(0, f * (document.documentElement.scrollHeight - window.innerHeight)), fraction);
  await still(page, rows);
  const boxes = await rows.evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    }),
  );
  const nodes = await page.evaluate(() => document.body.querySelectorAll("*").length);
  return { drawn: boxes.length, onScreen: boxes.filter(Boolean).length, nodes };
}

/** Scrolls down a screen at a time, as a person looking for a row does, until `wanted` is drawn
 * or the page ends; whether it was found. */
export async function scrollUntil(page: Page, wanted: Locator): Promise<boolean> {
  for (;;) {
    await frames(page);
    if ((await wanted.count()) > 0) return true;
    const moved = await page.evaluate(() => {
      const before = window.scrollY;
      window.scrollBy(0, window.innerHeight);
      return window.scrollY !== before;
    });
    if (!moved) return (await wanted.count()) > 0;
  }
}
