import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, launchBrowser, newContext, screenshot, signIn, signedInPage } from "./support";

/**
 * A new review from a search export to included studies and a computed PRISMA flow, in a real browser:
 * the administrator leads it; reviewer 1 and reviewer 2 screen blind, keyboard only, in their own browsers.
 */
let browser: Browser;
let lead: Page;
let reviewer1: Page;
let reviewer2: Page;
let reviewId: number;
const pageErrors: string[] = [];

const records = [
  { key: "A", title: "Bone marrow MSC exosomes improve locomotor recovery after spinal cord injury in rats", doi: "10.9999/scr.a", author: "Alvarez, Ana", year: 2019 },
  { key: "B", title: "Umbilical cord exosomes reduce apoptosis in the contused rat spinal cord", doi: "10.9999/scr.b", author: "Brown, Ben", year: 2020 },
  { key: "C", title: "Exosomes in spinal cord injury: a narrative review", doi: "10.9999/scr.c", author: "Chen, Cai", year: 2021 },
  { key: "D", title: "In vitro study of exosome uptake by cultured neurons", doi: "10.9999/scr.d", author: "Dahl, Dag", year: 2018 },
  { key: "E", title: "Tumour-derived exosomes in breast cancer patients", doi: "10.9999/scr.e", author: "Evans, Eve", year: 2017 },
  { key: "F", title: "Adipose exosomes and neuroinflammation after spinal cord injury in mice", doi: "", author: "Fischer, Fritz", year: 2022 },
  // G repeats A's DOI (in capitals): merged at import. H is F in capitals without a DOI: queued as a likely duplicate.
  { key: "G", title: "Bone marrow MSC exosomes improve locomotor recovery after spinal cord injury in rats.", doi: "10.9999/SCR.A", author: "Alvarez A", year: 2019 },
  { key: "H", title: "ADIPOSE EXOSOMES AND NEUROINFLAMMATION AFTER SPINAL CORD INJURY IN MICE", doi: "", author: "Fischer F", year: 2022 },
];
const ris = records
  .map((r) =>
    [
      "TY  - JOUR",
      `AU  - ${r.author}`,
      "AU  - Second, Sam",
      `TI  - ${r.title}`,
      "T2  - Journal of Neurotrauma",
      `PY  - ${r.year}`,
      ...(r.doi ? [`DO  - ${r.doi}`] : []),
      `AB  - Abstract of record ${r.key}: animals were rats or mice; exosomes were given after injury.`,
      "ER  - ",
    ].join("\n"),
  )
  .join("\n\n");

// The screening, as each reviewer's keys, in import order of the six records left after deduplication (A–F).
const titleAbstractKeys = { reviewer1: ["i", "i", "i", "e", "e", "m"], reviewer2: ["i", "i", "e", "e", "e", "i"] } as const;

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await newContext(browser);
  lead = await context.newPage();
  lead.on("pageerror", (e) => pageErrors.push(e.message));
  await signIn(lead, "admin", "admin-e2e-password");
  reviewer1 = (await signedInPage(browser, "reviewer1")).page;
  reviewer2 = (await signedInPage(browser, "reviewer2")).page;
  for (const p of [reviewer1, reviewer2]) p.on("pageerror", (e) => pageErrors.push(e.message));
});
afterAll(async () => browser?.close());

const url = (path = "") => `/reviews/${reviewId}/screening${path}`;
/** Elements that stick out to the right of the viewport (a horizontal page scroll), described for the failure message. */
const overflowing = (page: Page) =>
  page.evaluate(() =>
    document.documentElement.scrollWidth <= window.innerWidth
      ? []
      : [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest("[class*=overflow-x-auto]"))
          .slice(0, 8)
          .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px)`),
  );
const prismaBox = (page: Page, label: string) => page.locator(`[data-prisma="${label}"]`).innerText();
const currentRecord = (page: Page) => page.locator("article[data-record-id]").getAttribute("data-record-id");

async function onPhone(page: Page, name: string) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  expect(await overflowing(page)).toEqual([]);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Presses `key` on the screening page and waits until the record on screen is another one. */
async function decideByKey(page: Page, key: string) {
  const before = await currentRecord(page);
  await page.keyboard.press(key);
  await expect.poll(async () => (await page.locator("article[data-record-id]").count()) === 0 || (await currentRecord(page)) !== before).toBe(true);
}

describe("screening a new review, from a search export to included studies", () => {
  it("lets the administrator create the review, add the two screeners and set the screening up", async () => {
    await lead.goto("/");
    await lead.getByLabel("New review title").fill("Exosomes after spinal cord injury: screening");
    await lead.getByRole("button", { name: "Create review" }).click();
    await lead.waitForURL(/\/reviews\/\d+$/);
    reviewId = Number(new URL(lead.url()).pathname.split("/").pop());
    await lead.goto(`/reviews/${reviewId}/members`);
    for (const username of ["reviewer1", "reviewer2"]) {
      await lead.getByLabel("Username of an existing account").fill(username);
      await lead.getByLabel("Role", { exact: true }).selectOption("reviewer");
      await lead.getByRole("button", { name: "Add member" }).click();
      await expect.poll(() => lead.getByRole("table", { name: "Members" }).innerText()).toContain(username);
    }
    await lead.goto(url());
    await expect.poll(() => lead.locator("main").innerText()).toContain("No search results yet");
    expect(await lead.getByRole("navigation", { name: "Review sections" }).getByRole("link", { name: "Screening" }).getAttribute("aria-current")).toBe("page");
    const settings = lead.getByRole("form", { name: "Screening settings" });
    await settings.getByLabel("Reviewer 1").selectOption({ label: "Reviewer 1 (demo) (reviewer1)" });
    await settings.getByLabel("Reviewer 2").selectOption({ label: "Reviewer 2 (demo) (reviewer2)" });
    await settings.getByLabel("Order offered first").selectOption("original");
    await settings.getByLabel(/Inclusion terms/).fill("exosom*\nrat*\nspinal cord");
    await settings.getByLabel(/Exclusion terms/).fill("review\nin vitro\ncancer");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => settings.innerText()).toContain("Screening settings saved.");
    // The standard full-text exclusion reasons are there; the lead rewords one.
    await lead.getByRole("button", { name: "Rename Wrong intervention" }).click();
    await lead.getByLabel("New wording of Wrong intervention").fill("Wrong intervention (not exosomes)");
    await lead.getByRole("form", { name: "Rename Wrong intervention" }).getByRole("button", { name: "Save" }).click();
    await expect.poll(() => lead.getByRole("region", { name: "Full-text exclusion reasons" }).innerText()).toContain("Wrong intervention (not exosomes)");
    await expectAccessible(lead);
  });

  it("imports a RIS export with a progress bar; the same DOI is merged at once, a likely duplicate queued", async () => {
    await lead.goto(url("/import"));
    // Bad details are refused with the field's label before anything is sent.
    await lead.getByLabel("Search export file").setInputFiles({ name: "pubmed-2024-03-01.ris", mimeType: "application/x-research-info-systems", buffer: Buffer.from(ris) });
    await lead.getByRole("button", { name: "Read file" }).click();
    await expect.poll(() => lead.locator("main").innerText()).toContain("pubmed-2024-03-01.ris: 8 records read as RIS");
    await lead.getByRole("button", { name: "Import 8 records" }).click();
    await expect.poll(() => lead.locator("#import-source-error").innerText()).toBe("Source (database or register) is required");
    await lead.getByLabel("Source (database or register)").fill("PubMed");
    await lead.getByLabel(/Search query/).fill('("exosomes"[MeSH] OR exosom*) AND "spinal cord injuries"[MeSH]');
    await lead.getByRole("button", { name: "Import 8 records" }).click();
    await expect.poll(() => lead.getByRole("status").filter({ hasText: "Imported 8 records" }).innerText(), { timeout: 30_000 }).toContain(
      "1 exact duplicate (same DOI or PMID) merged, 1 likely duplicate pair queued",
    );
    await expectAccessible(lead);
    await screenshot(lead, "screening-import");
    await onPhone(lead, "screening-import");
  });

  it("shows the likely duplicate side by side with its score; the lead merges it", async () => {
    await lead.goto(url("/duplicates"));
    const card = lead.locator("[data-candidate]").first();
    await card.waitFor();
    expect(await card.innerText()).toMatch(/Similarity \d+%/);
    expect(await card.innerText()).toContain("ADIPOSE EXOSOMES AND NEUROINFLAMMATION");
    await expectAccessible(lead);
    await screenshot(lead, "screening-duplicates");
    await card.getByRole("button", { name: /^Merge/ }).click();
    await expect.poll(() => lead.locator("main").innerText()).toContain("Merged duplicates (2)");
    expect(await lead.locator("main").innerText()).toContain("Same DOI: 1 · same PMID: 0 · merged by a person: 1");
  });

  it("lets reviewer 1 screen titles and abstracts with the keyboard only, with highlighted terms and undo", async () => {
    await reviewer1.goto(url("/screen"));
    await reviewer1.locator("article[data-record-id]").waitFor();
    expect(await reviewer1.locator("article h2").innerText()).toBe(records[0]!.title);
    // The lead's terms are highlighted: inclusion in green, exclusion in red.
    expect(await reviewer1.locator('article mark[data-term="include"]').allInnerTexts()).toEqual(expect.arrayContaining(["exosomes", "spinal cord", "rats"]));
    await expectAccessible(reviewer1);
    await screenshot(reviewer1, "screening-screen-reviewer1");
    // Include A, then undo: A comes back.
    const first = await currentRecord(reviewer1);
    await decideByKey(reviewer1, "i");
    await expect.poll(() => reviewer1.getByRole("button", { name: /^Undo/ }).isEnabled()).toBe(true);
    await reviewer1.keyboard.press("u");
    await expect.poll(() => currentRecord(reviewer1)).toBe(first);
    expect(await reviewer1.getByRole("status").filter({ hasText: "Undone" }).count()).toBe(1);
    // Only the decisions; no other reviewer's are anywhere on the page.
    for (const key of titleAbstractKeys.reviewer1) await decideByKey(reviewer1, key);
    await expect.poll(() => reviewer1.locator("main").innerText()).toContain("You have screened every record at title and abstract.");
    expect(await reviewer1.getByTestId("screened-count").innerText()).toBe("6");
  });

  it("keeps reviewer 1's decisions from reviewer 2, who screens blind in another browser, keyboard only", async () => {
    await reviewer2.goto(url("/records"));
    await reviewer2.locator("[data-record]").first().waitFor();
    await reviewer2.locator("[data-record]").first().getByRole("button").click();
    await expect.poll(() => reviewer2.locator("[data-record]").first().innerText()).toContain("Title and abstract: awaiting · 1 of 2 decided");
    expect(await reviewer2.locator("[data-record]").first().innerText()).not.toContain("Reviewer 1 (demo)");
    await reviewer2.goto(url("/screen"));
    await reviewer2.locator("article[data-record-id]").waitFor();
    expect(await reviewer2.locator("main").innerText()).not.toMatch(/Reviewer 1 \(demo\): (Include|Exclude|Maybe)/);
    await onPhone(reviewer2, "screening-screen-reviewer2");
    for (const key of titleAbstractKeys.reviewer2) await decideByKey(reviewer2, key);
    await expect.poll(() => reviewer2.locator("main").innerText()).toContain("You have screened every record at title and abstract.");
  });

  it("shows the lead the conflict with both decisions; the lead settles it with a reason; κ is shown for the stage", async () => {
    await lead.goto(url("/conflicts"));
    const conflict = lead.locator("[data-conflict]").first();
    await conflict.waitFor();
    const text = await conflict.innerText();
    expect(text).toContain(records[2]!.title);
    expect(text).toMatch(/Reviewer 1 \(demo\): Include[\s\S]*Reviewer 2 \(demo\): Exclude/);
    expect(await lead.locator("[data-conflict]").count()).toBe(1); // maybe + include is not a conflict
    await expectAccessible(lead);
    await screenshot(lead, "screening-conflict");
    await conflict.getByLabel("Include").check();
    await conflict.getByLabel("Reason for the decision").fill("A review, but its reference list is to be checked at full text.");
    await conflict.getByRole("button", { name: "Settle" }).click();
    await expect.poll(() => lead.locator("main").innerText()).toContain("Settled: Include");

    // By hand: 4 of 6 agree (po = 24/36); reviewer 1 gave include 3, maybe 1, exclude 2, reviewer 2 include 3,
    // exclude 3, so pe = (3·3 + 1·0 + 2·3)/36 = 15/36 and κ = (24 − 15)/(36 − 15) = 9/21.
    const expected = 9 / 21;
    await lead.goto(url());
    await expect.poll(() => lead.locator('[data-kappa="title_abstract"]').innerText()).toContain(`Cohen's κ ${expected.toFixed(2)} over 6 records decided by both`);
  });

  it("lets both screen the full texts, each exclusion with a reason chosen by its number", async () => {
    // Included at title/abstract: A, B, C (settled) and F (maybe + include). Full text, in that order.
    const fullText = { reviewer1: [["i"], ["i"], ["e", "1"], ["e", "1"]], reviewer2: [["i"], ["i"], ["e", "1"], ["e", "3"]] };
    for (const [page, keys] of [
      [reviewer1, fullText.reviewer1],
      [reviewer2, fullText.reviewer2],
    ] as const) {
      await page.goto(url("/screen?stage=full_text"));
      await page.locator("article[data-record-id]").waitFor();
      for (const sequence of keys) {
        if (sequence.length === 2) {
          await page.keyboard.press(sequence[0]!);
          await page.getByRole("group", { name: /Exclusion reason/ }).waitFor();
          await decideByKey(page, sequence[1]!);
        } else await decideByKey(page, sequence[0]!);
      }
      await expect.poll(() => page.locator("main").innerText()).toContain("You have screened every record at full text.");
    }
    await screenshot(reviewer2, "screening-full-text-done");
    // F: the same decision for different reasons is a conflict; the lead settles it on a reason.
    await lead.goto(url("/conflicts"));
    await lead.getByRole("button", { name: "Full text" }).click();
    const conflict = lead.locator("[data-conflict]").first();
    await conflict.waitFor();
    expect(await conflict.innerText()).toContain(records[5]!.title);
    await conflict.getByLabel("Exclude").check();
    await conflict.getByLabel("Exclusion reason").selectOption({ index: 3 });
    await conflict.getByRole("button", { name: "Settle" }).click();
    await expect.poll(() => lead.locator("main").innerText()).toContain("Settled: Exclude");
  });

  it("turns the included records into studies that keep their link", async () => {
    await lead.goto(url("/records"));
    await lead.getByLabel("Show").selectOption("included");
    await expect.poll(() => lead.locator("[data-record]").count()).toBe(2);
    for (let i = 0; i < 2; i++) {
      const row = lead.locator("[data-record]").nth(i);
      await row.getByRole("button").first().click();
      await row.getByRole("button", { name: "Create study from this record" }).click();
      await expect.poll(() => row.innerText()).toContain("Linked to study #");
      if (i === 1) await screenshot(lead, "screening-records");
      await row.getByRole("button").first().click();
    }
    await expectAccessible(lead);
    await lead.goto(`/reviews/${reviewId}/studies`);
    await expect.poll(() => lead.locator("tbody").innerText()).toContain("Alvarez et al.");
    expect(await lead.locator("tbody").innerText()).toContain("Brown et al.");
  });

  it("counts the PRISMA 2020 boxes from the decisions made, on the screening overview", async () => {
    await lead.goto(url());
    await lead.getByRole("group", { name: "PRISMA 2020 counts" }).waitFor();
    // Expected from the scenario: 8 imported, 2 duplicates; the rest from the keys pressed and the settled conflicts.
    const screened = records.length - 2;
    const taExcluded = titleAbstractKeys.reviewer1.filter((k, i) => k === "e" && titleAbstractKeys.reviewer2[i] === "e").length;
    const sought = screened - taExcluded;
    const expected: Record<string, number> = {
      "Records identified": records.length,
      "Duplicate records removed": 2,
      "Records screened": screened,
      "Records excluded": taExcluded,
      "Reports sought for retrieval": sought,
      "Reports not retrieved": 0,
      "Reports assessed for eligibility": sought,
      "Reports excluded": 2,
      "Studies included in review": 2,
    };
    for (const [label, n] of Object.entries(expected)) expect(await prismaBox(lead, label), label).toBe(`n = ${n}`);
    const main = await lead.locator("main").innerText();
    expect(main).toContain("PubMed: 8");
    expect(main).toContain("Reports of included studies: 2");
    expect(main).not.toMatch(/NaN|Infinity|undefined/);
    expect(main).toContain("Order used: original order (12)");
    await expectAccessible(lead);
    await screenshot(lead, "screening-overview");
    await onPhone(lead, "screening-overview");
    expect(pageErrors).toEqual([]);
  });
});
