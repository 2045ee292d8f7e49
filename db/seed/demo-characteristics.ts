import type { CharacteristicType } from "../schema/characteristics";
import { exosomeSourceOptions } from "./table1";

type DemoCharacteristic = { key: string; label: string; type: CharacteristicType; unit: string; options: { value: string; label: string }[]; helpText: string };

/**
 * The seed paper's topic-specific study columns (its Table 1 and section 2.4), as the demo review's characteristics.
 * `key` only links the seed's rows to them; the database knows them by id.
 */
export const demoCharacteristics: DemoCharacteristic[] = [
  { key: "exosomeSource", label: "Exosome source", type: "single", unit: "", options: [...exosomeSourceOptions], helpText: "Tissue of the mesenchymal stem cells the exosomes came from (the seed paper's subgroups)" },
  { key: "exosomeSourceDetail", label: "Source (as printed)", type: "text", unit: "", options: [], helpText: "The exosome source as the paper names it" },
  { key: "injuredSite", label: "Injured site", type: "text", unit: "", options: [], helpText: "Spinal segment(s) injured, e.g. T10" },
  { key: "possibleMechanism", label: "Possible mechanism", type: "text", unit: "", options: [], helpText: "" },
  { key: "reference", label: "Reference", type: "text", unit: "", options: [], helpText: "Reference number in the seed paper's bibliography" },
  { key: "isolationMethod", label: "Isolation method", type: "text", unit: "", options: [], helpText: "How the exosomes were isolated (e.g. ultracentrifugation)" },
  { key: "injuryDevice", label: "Injury device", type: "text", unit: "", options: [], helpText: "Impactor used for the contusion (e.g. NYU/MASCIS, Infinite Horizon)" },
  { key: "injurySeverity", label: "Injury severity", type: "text", unit: "", options: [], helpText: "Weight and height or force of the contusion" },
];

/** Table 1 as the seed paper prints it (after # author year). */
export const demoTable1Columns = ["exosomeSource", "exosomeSourceDetail", "administrationRoute", "injuredSite", "modelInduction", "possibleMechanism", "reference"];

/**
 * The seed paper's analyses: BBB at the first and the last time point, and by exosome source, with the fixed-effect
 * model its results report ("Fixed-effect models were applied under the assumption of a consistent true effect
 * size", section 2.6). Its I²/Q rule is one click away ("Auto" in the settings).
 */
export const demoSavedAnalyses = [
  { title: "BBB locomotor score, first time point", settings: { timepoint: "first", measure: "MD", model: "fixed", tau2Method: "REML", ciMethod: "z", level: 0.95, day: null, subgroupField: "" } },
  { title: "BBB locomotor score, last time point", settings: { timepoint: "last", measure: "MD", model: "fixed", tau2Method: "REML", ciMethod: "z", level: 0.95, day: null, subgroupField: "" } },
  { title: "BBB locomotor score, last time point, by exosome source", settings: { timepoint: "last", measure: "MD", model: "fixed", tau2Method: "REML", ciMethod: "z", level: 0.95, day: null, subgroupField: "exosomeSource" } },
] as const;
