import { z } from "zod";
import { armKinds, dataSources, errorTypes } from "@/db/schema/studies";
import { boundedText, finiteNumber, id, version } from "./common";

/** One arm's value at one time point, as entered in the outcome grid. */
export const measurementInput = z
  .object({
    studyId: id,
    outcomeId: id,
    armKind: z.enum(armKinds),
    day: finiteNumber.min(0, "must be 0 or more").max(3650, "must be at most 3650 days"),
    mean: finiteNumber,
    errorType: z.enum(errorTypes),
    errorValue: finiteNumber.min(0, "must be 0 or more").nullable().default(null),
    ciLower: finiteNumber.nullable().default(null),
    ciUpper: finiteNumber.nullable().default(null),
    n: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(100000),
    dataSource: z.enum(dataSources).default("table"),
    sourceDetail: boundedText(200).default(""),
    /** The version read, for an update; absent when the cell was empty. */
    version: version.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.errorType === "CI95") {
      if (m.ciLower === null) ctx.addIssue({ code: "custom", path: ["ciLower"], message: "is required for a 95% CI" });
      if (m.ciUpper === null) ctx.addIssue({ code: "custom", path: ["ciUpper"], message: "is required for a 95% CI" });
      if (m.ciLower !== null && m.ciUpper !== null && m.ciLower > m.ciUpper)
        ctx.addIssue({ code: "custom", path: ["ciUpper"], message: "must not be below the lower bound" });
    } else if (m.errorValue === null) {
      ctx.addIssue({ code: "custom", path: ["errorValue"], message: `is required for ${m.errorType}` });
    }
  });

export type MeasurementInput = z.infer<typeof measurementInput>;
