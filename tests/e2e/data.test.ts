import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, demoReviewId, expectAccessible, launchBrowser, screenshot, signedInPage, signIn } from "./support";

let browser: Browser;
let lead: Page;
let reviewId: number;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page: lead } = await signedInPage(browser, "lead"));
  reviewId = await demoReviewId(lead);
});
afterAll(async () => browser?.close());

async function download(page: Page, name: string, nth = 0) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name, exact: true }).nth(nth).click()]);
  return { filename: file.suggestedFilename(), text: readFileSync((await file.path())!, "utf8"), bytes: readFileSync((await file.path())!) };
}

const csvFile = (name: string, lines: string[]) => ({ name, mimeType: "text/csv", buffer: Buffer.from(lines.join("\r\n"), "utf8") });

describe("Data page", () => {
  it("offers every member the downloads, reached from the Data tab", async () => {
    await lead.goto(`/reviews/${reviewId}`);
    await lead.getByRole("navigation", { name: "Review sections" }).getByRole("link", { name: "Data" }).click();
    await lead.waitForURL(`**/reviews/${reviewId}/data`);
    await expect.poll(() => lead.getByRole("heading", { level: 1 }).innerText()).toBe("Data in and out");
    for (const name of ["Study data (CSV)", "Study data (XLSX)", "Whole review (JSON)", "References (RIS)"]) expect(await lead.getByRole("link", { name, exact: true }).count()).toBe(1);
    expect(await lead.getByRole("link", { name: "R script", exact: true }).count()).toBe(3);

    const studyData = await download(lead, "Study data (CSV)");
    expect(studyData.filename).toMatch(/study-data\.csv$/);
    expect(studyData.text.split("\r\n")[0]).toMatch(/^\ufeffStudy,First author,Year,Title/);
    expect(studyData.text).toContain("Chang 2021");
    const xlsx = await download(lead, "Study data (XLSX)");
    expect(xlsx.bytes.subarray(0, 2).toString()).toBe("PK");
    const script = await download(lead, "R script", 1);
    expect(script.filename).toBe("analysis-1.2.R");
    expect(script.text).toContain("library(metafor)");
    const ris = await download(lead, "References (RIS)");
    expect(ris.text).toContain("TY  - JOUR");
    const archive = JSON.parse((await download(lead, "Whole review (JSON)")).text) as { schemaVersion: number; studies: unknown[] };
    expect(archive.schemaVersion).toBe(1);
    expect(archive.studies).toHaveLength(21);
    await expectAccessible(lead);
    await screenshot(lead, "data-page-lead");
  });

  it("shows every problem of a bad file by row and column, and imports nothing", async () => {
    await lead.goto(`/reviews/${reviewId}/data`);
    await lead.getByLabel("File", { exact: true }).setInputFiles(
      csvFile("bad.csv", [
        "Study;First author;Year;Arm;Treated or control;Outcome;Day;Mean;SD;n",
        "Bad 2024;Bad et al.;2024;Drug;treated;BBB locomotor score;7;5,5;-1;8",
        "Bad 2024;Bad et al.;2024;Vehicle;control;BBB locomotor score;7;25;1,2;0",
      ]),
    );
    const problems = lead.getByRole("table", { name: "Problems by row and column" });
    await expect.poll(() => problems.innerText()).toContain("SD must be 0 or more");
    const text = await problems.innerText();
    expect(text).toMatch(/2\s+SD\s+SD must be 0 or more/);
    expect(text).toMatch(/3\s+Mean\s+Mean 25 is outside the scale/);
    expect(text).toMatch(/3\s+n\s+n must be at least 1/);
    expect(await lead.getByRole("button", { name: "Import", exact: true }).isDisabled()).toBe(true);
    await expectAccessible(lead);
    await screenshot(lead, "data-import-problems");
  });

  it("previews a new study with its arms and values, then imports it for everyone to see", async () => {
    await lead.goto(`/reviews/${reviewId}/data`);
    await lead.getByLabel("File", { exact: true }).setInputFiles(
      csvFile("new-study.csv", [
        "Study,First author,Year,DOI,Arm,Treated or control,Shared control,Outcome,Day,Mean,SEM,n,Source",
        'Newman 2024,Newman et al.,2024,10.1234/newman.2024,"Low dose",treated,Vehicle,BBB locomotor score,28,"11,5",0.6,9,figure',
        "Newman 2024,Newman et al.,2024,10.1234/newman.2024,High dose,treated,Vehicle,BBB locomotor score,28,12.5,0.7,9,figure",
        "Newman 2024,Newman et al.,2024,10.1234/newman.2024,Vehicle,control,,BBB locomotor score,28,9.25,0.5,10,figure",
      ]),
    );
    const studiesTable = lead.getByRole("table", { name: "Each study of the file and what the import does to it" });
    await expect.poll(() => studiesTable.innerText()).toContain("Newman 2024");
    expect(await studiesTable.innerText()).toContain("New arms: Low dose, High dose, Vehicle");
    expect(await lead.getByText("1 new study, 0 updated, 0 unchanged; 3 new arms; 3 new outcome values").count()).toBe(1);
    await screenshot(lead, "data-import-preview");
    await lead.getByRole("button", { name: "Import", exact: true }).click();
    await expect.poll(() => lead.getByRole("status").filter({ hasText: "Imported:" }).innerText()).toContain("1 new study");
    // The study is there for the team, with its values.
    await lead.goto(`/reviews/${reviewId}/studies`);
    await expect.poll(() => lead.locator("main").innerText()).toContain("Newman et al.");
  });

  it("gives a reviewer the downloads but not the import, and fits a phone without sideways scrolling", async () => {
    const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 390, height: 844 } });
    const phone = await context.newPage();
    await signIn(phone, "reviewer1");
    await phone.goto(`/reviews/${reviewId}/data`);
    await expect.poll(() => phone.getByRole("link", { name: "Study data (CSV)" }).count()).toBe(1);
    expect(await phone.getByLabel("File", { exact: true }).count()).toBe(0);
    expect(await phone.getByText("Only the lead imports data into this review.").count()).toBe(1);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(phone);
    await screenshot(phone, "data-page-phone-reviewer");
    await phone.close();
    const leadPhone = await context.newPage();
    await signIn(leadPhone, "lead");
    await leadPhone.goto(`/reviews/${reviewId}/data`);
    await leadPhone.getByLabel("File", { exact: true }).setInputFiles(csvFile("bad.csv", ["Study,First author,Year,Arm,Treated or control,Day,Mean,SD,n", "X 2020,X et al.,2020,A,treated,1,1,-2,5"]));
    await expect.poll(() => leadPhone.getByRole("table", { name: "Problems by row and column" }).innerText()).toContain("SD must be 0 or more");
    expect(await leadPhone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(leadPhone, "data-import-phone-lead");
    await context.close();
  });
});
