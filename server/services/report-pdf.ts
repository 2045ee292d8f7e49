import "server-only";
import { chromium, type Browser } from "playwright-core";
import { SESSION_COOKIE } from "@/server/auth/session";
import { chromiumPath, reportOrigin } from "@/lib/env";
import { AppError, tryAgainLater } from "@/server/errors";
import { paperLabels, type PaperSize } from "@/server/schemas/report";

/**
 * "Download PDF": the report page rendered by headless Chromium exactly as the browser prints it (one source of
 * truth), with Chromium's own footer ("page X of Y" and the data timestamp on every page).
 *
 * Chromium is heavy, so a server renders one PDF at a time: at most MAX_WAITING further requests wait for their
 * turn (each at most WAIT_MS), any more are refused at once with 503 — a client cannot start a Chromium per request.
 * One browser process is kept between renders and closed after IDLE_MS without work.
 */
const MAX_WAITING = 2;
const WAIT_MS = 20_000;
const IDLE_MS = 60_000;
const RENDER_TIMEOUT_MS = 60_000;

let running = false;
const queue: (() => void)[] = [];

async function takeTurn(): Promise<void> {
  if (!running) {
    running = true;
    return;
  }
  if (queue.length >= MAX_WAITING) throw tryAgainLater("busy", "Another report is being rendered to PDF; try again in a few seconds.", 5);
  await new Promise<void>((resolve, reject) => {
    const turn = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      queue.splice(queue.indexOf(turn), 1);
      reject(tryAgainLater("busy", "The PDF renderer is busy with other reports; try again in a few seconds.", 5));
    }, WAIT_MS);
    queue.push(turn);
  });
}

function endTurn(): void {
  const next = queue.shift();
  if (next) next();
  else running = false;
}

let browser: Promise<Browser> | null = null;
let idleTimer: ReturnType<typeof setTimeout> | null = null;

function launch(executablePath: string): Promise<Browser> {
  if (idleTimer) clearTimeout(idleTimer);
  if (!browser) {
    browser = chromium.launch({ executablePath, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    const launched = browser;
    launched.then(
      (b) => b.on("disconnected", () => void (browser === launched && (browser = null))),
      () => void (browser === launched && (browser = null)),
    );
  }
  return browser;
}

function closeWhenIdle(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    const closing = browser;
    browser = null;
    void closing?.then((b) => b.close()).catch(() => undefined);
  }, IDLE_MS);
  idleTimer.unref?.();
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Page margins shared with the page's own @page rules (app/reviews/[id]/report/report.css). */
const MARGIN = { top: "16mm", right: "14mm", bottom: "18mm", left: "14mm" };

export type PdfRequest = {
  reviewId: number;
  /** The report page's query string ("?sections=…"), already validated; "render=pdf" is added here. */
  query: string;
  /** The requester's session: the page is loaded as them, so its own membership check holds. */
  sessionToken: string;
  paper: PaperSize;
};

export function pdfAvailable(): boolean {
  return chromiumPath() !== null;
}

/**
 * Starts the shared Chromium in the background (if there is one and it is not running), so that a "Download PDF"
 * click from the report page finds it ready instead of waiting a second or two for it to start. It closes again after
 * IDLE_MS without a render; at most one is ever running.
 */
export function warmUpPdfRenderer(): void {
  const executable = chromiumPath();
  if (!executable || running) return;
  launch(executable).then(closeWhenIdle, () => undefined);
}

/** The PDF, and how long its parts took (ms): waiting for a turn, loading the page until ready, printing it. */
export type RenderedPdf = { pdf: Uint8Array; timings: { queue: number; page: number; print: number } };

export async function renderReportPdf(request: PdfRequest): Promise<RenderedPdf> {
  const executable = chromiumPath();
  if (!executable) throw new AppError("unavailable", "No Chromium is installed on the server (CHROMIUM_PATH); print the report from your browser instead: it gives the same pages.");
  const queued = performance.now();
  await takeTurn();
  const started = performance.now();
  try {
    const origin = reportOrigin();
    const context = await (await launch(executable)).newContext();
    try {
      await context.addCookies([{ name: SESSION_COOKIE, value: request.sessionToken, url: origin, httpOnly: true, sameSite: "Lax" }]);
      // The renderer carries a session: it may talk to this server only, never follow anything elsewhere.
      await context.route("**/*", (route) => (new URL(route.request().url()).origin === origin ? route.continue() : route.abort()));
      const page = await context.newPage();
      page.setDefaultTimeout(RENDER_TIMEOUT_MS);
      const separator = request.query ? "&" : "?";
      const response = await page.goto(`${origin}/reviews/${request.reviewId}/report${request.query}${separator}render=pdf`, { waitUntil: "load" });
      if (!response || response.status() !== 200 || !new URL(page.url()).pathname.endsWith("/report"))
        throw new AppError("unavailable", `The report page answered ${response?.status() ?? "nothing"} (${new URL(page.url()).pathname}) to the PDF renderer.`);
      await page.waitForFunction(() => document.documentElement.dataset.reportReady === "1");
      // The page states its data timestamp and hash; the footer of every PDF page repeats them.
      const footerText = (await page.locator("[data-report-footer]").first().textContent()) ?? "";
      const ready = performance.now();
      const pdf = await page.pdf({
        format: paperLabels[request.paper] === "A4" ? "A4" : "Letter",
        printBackground: true,
        preferCSSPageSize: true,
        margin: MARGIN,
        displayHeaderFooter: true,
        headerTemplate: "<span></span>",
        footerTemplate: `<div style="font-family: Arial, Helvetica, sans-serif; font-size: 7.5pt; color: #334155; width: 100%; margin: 0 14mm; display: flex; justify-content: space-between;"><span>${escapeHtml(footerText.trim())}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
      });
      return { pdf, timings: { queue: started - queued, page: ready - started, print: performance.now() - ready } };
    } finally {
      await context.close().catch(() => undefined);
    }
  } finally {
    endTurn();
    closeWhenIdle();
  }
}
