// Benchmark: bytes on the wire for a phone's first visit (the login page, from an empty cache)
// and for a grid worker's first sync, as Chromium counts them: each response's headers and
// body as received (compressed where the server compressed it), for the page's own requests
// and for the service worker's, which caches the shell and its files on the first visit.
// Prints figures; asserts only that the page loaded and the data arrived (docs/budgets.md).
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { LoginPage } from "../pages/login-page";
import { pollSynced } from "../pages/session";
import { gridWorker } from "../tests/demo";

type Transfer = {
  url: string;
  /** Content-Encoding of the response: br, gzip or identity. */
  encoding: string;
  /** Headers and body as received. */
  wire: number;
  /** The body once decoded. */
  decoded: number;
};

/** Records every response the page gets from the network (not those its service worker
 * answers: the worker's own requests are read from the worker, see serviceWorkerTransfers). */
async function recordTransfers(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const pending = new Map<string, Transfer>();
  const done: Transfer[] = [];
  cdp.on("Network.responseReceived", (e) => {
    if (e.response.fromServiceWorker) return;
    const encoding = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === "content-encoding")?.[1];
    pending.set(e.requestId, { url: e.response.url, encoding: encoding ?? "identity", wire: 0, decoded: 0 });
  });
  cdp.on("Network.dataReceived", (e) => {
    const t = pending.get(e.requestId);
    if (t) t.decoded += e.dataLength;
  });
  cdp.on("Network.loadingFinished", (e) => {
    const t = pending.get(e.requestId);
    if (!t) return;
    t.wire = e.encodedDataLength;
    pending.delete(e.requestId);
    done.push(t);
  });
  /** The transfers finished since the last call. */
  return () => done.splice(0);
}

/** What the service worker fetched from the network while installing (Resource Timing in the
 * worker: `transferSize` is headers and body as received, 0 for what came from the HTTP cache). */
async function serviceWorkerTransfers(page: Page, context: BrowserContext): Promise<Transfer[] | undefined> {
  const active = await page.evaluate(() =>
    Promise.race([
      navigator.serviceWorker.ready.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 60_000)),
    ]),
  );
  const worker = context.serviceWorkers()[0];
  if (!active || !worker) return undefined;
  return worker.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => {
      const r = e as PerformanceResourceTiming;
      // Resource Timing does not say the encoding.
      return { url: r.name, encoding: "", wire: r.transferSize, decoded: r.decodedBodySize };
    }),
  );
}

const sum = (ts: Transfer[], f: (t: Transfer) => number) => ts.reduce((n, t) => n + f(t), 0);
const bytes = (n: number) => `${n.toLocaleString("en-US")} B`;

/** "wasm 480,123 B (br), js 5,012 B (br), …": the page's transfers by kind of file. */
function byKind(ts: Transfer[]) {
  const kinds = new Map<string, Transfer[]>();
  for (const t of ts) {
    const path = new URL(t.url).pathname;
    const kind = path.startsWith("/api/") ? "api" : (/\.(\w+)$/.exec(path)?.[1] ?? "html");
    kinds.set(kind, [...(kinds.get(kind) ?? []), t]);
  }
  return [...kinds]
    .sort(([, a], [, b]) => sum(b, (t) => t.wire) - sum(a, (t) => t.wire))
    .map(([kind, ts]) => {
      const encodings = [...new Set(ts.map((t) => t.encoding).filter((e) => e))].join("/");
      return `${kind} ${bytes(sum(ts, (t) => t.wire))}${encodings ? ` (${encodings})` : ""}`;
    })
    .join(", ");
}

test("bytes on the wire: first visit to the login page, and a grid worker's first sync", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const take = await recordTransfers(page);

  await new LoginPage(page).open();
  await page.waitForLoadState("networkidle");
  const sw = await serviceWorkerTransfers(page, context);
  const visit = take();
  const swWire = sw ? sum(sw, (t) => t.wire) : 0;
  expect(visit.some((t) => t.url.endsWith(".wasm"))).toBe(true);
  console.log(
    `BENCH bytes first visit, login page: ${bytes(sum(visit, (t) => t.wire) + swWire)} on the wire ` +
      `(page ${bytes(sum(visit, (t) => t.wire))} in ${visit.length} responses, ${bytes(sum(visit, (t) => t.decoded))} decoded: ` +
      `${byKind(visit)}; service worker ${sw ? `${bytes(swWire)} in ${sw.length} requests: ${byKind(sw)}` : "not active, not counted"})`,
  );

  await page.getByTestId("login-username").fill(gridWorker.username);
  await page.getByTestId("login-password").fill(gridWorker.password);
  take();
  await page.getByTestId("login-submit").click();
  await pollSynced(page);
  await page.waitForLoadState("networkidle");
  const sync = take();
  const api = sync.filter((t) => new URL(t.url).pathname.startsWith("/api/v1/"));
  // A first sync asks for records pages (docs/sync-protocol.md, "Records pages"), then pulls.
  const pulls = api.filter((t) => ["/api/v1/sync/pull", "/api/v1/sync/records"].includes(new URL(t.url).pathname));
  expect(pulls.length).toBeGreaterThan(0);
  const wire = sum(api, (t) => t.wire);
  const decoded = sum(api, (t) => t.decoded);
  console.log(
    `BENCH bytes first sync, grid worker ${gridWorker.username}: ${bytes(wire)} on the wire in ${api.length} API responses ` +
      `(${pulls.length} pull pages: ${bytes(sum(pulls, (t) => t.wire))}, ${[...new Set(pulls.map((t) => t.encoding))].join("/")}), ` +
      `${bytes(decoded)} decoded (${(decoded / Math.max(wire, 1)).toFixed(1)}x)` +
      (sync.length > api.length ? `; besides the API: ${byKind(sync.filter((t) => !api.includes(t)))}` : ""),
  );
  await context.close();
});
