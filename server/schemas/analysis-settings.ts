import { z } from "zod";
import { ciMethods, measures, models, tau2Methods, timepointModes } from "@/db/schema/analysis";
import { studyFields } from "./study";

export const analysisSettingsInput = z
  .object({
    outcomeId: z.number().int().positive().nullable(),
    timepoint: z.enum(timepointModes),
    day: z.number().finite().min(0).max(3650).nullable(),
    measure: z.enum(measures),
    model: z.enum(models),
    tau2Method: z.enum(tau2Methods),
    ciMethod: z.enum(ciMethods),
    level: z.number().gt(0.5, "must be above 0.5").lt(1, "must be below 1"),
    subgroupField: z.union([z.enum(studyFields), z.literal("")]),
  })
  .partial()
  .refine((s) => s.timepoint !== "day" || (s.day !== null && s.day !== undefined), { path: ["day"], message: "is required when the time point is a given day" });

export type AnalysisSettingsInput = z.infer<typeof analysisSettingsInput>;
