/**
 * Messages a person reads: the field's label, then what is wrong ("n must be at most 100 000"). Schemas write
 * the second half ("must be…", "is required"); this puts them together, in the browser and in the API alike.
 */
export function humanMessage(label: string, message: string | undefined): string {
  return `${label} ${message ?? "is invalid"}`;
}

/**
 * Labels of input fields that reach a person through an API error: the tRPC error mapping uses them so that an
 * invalid call reads "Lower 95% CI bound is required", not "ciLower: is required". Unknown keys keep their name.
 */
export const inputFieldLabels: Record<string, string> = {
  mean: "Mean",
  errorValue: "SD or SEM",
  errorType: "Error type",
  ciLower: "Lower 95% CI bound",
  ciUpper: "Upper 95% CI bound",
  n: "n",
  day: "Day",
  dataSource: "Source",
  sourceDetail: "Source detail",
  armId: "Arm",
  kind: "Arm kind",
  controlArmId: "Control arm",
  dose: "Dose",
  doseUnit: "Dose unit",
  strata: "Stratify by",
  moderators: "Meta-regression on",
  lowRiskDomain: "Restrict to low risk of bias in",
  outcomeId: "Outcome",
  studyId: "Study",
  title: "Title",
  prismaSources: "Records per source",
  prismaNotRetrieved: "Reports not retrieved",
  prismaExclusionReasons: "Full texts excluded, with reasons",
  source: "Source",
  records: "Records",
  reason: "Reason",
  reports: "Reports",
  label: "Label",
  name: "Name",
  unit: "Unit",
  scaleMin: "Scale minimum",
  scaleMax: "Scale maximum",
  normalValue: "Normal value",
  options: "Choices",
  helpText: "Help text",
  username: "Username",
  password: "Password",
  displayName: "Display name",
  question: "Question",
  level: "Confidence level",
  base64: "File",
  fingerprint: "Preview",
  mapping: "Column mapping",
};

export function labelOfPath(path: readonly PropertyKey[]): string {
  const last = [...path].reverse().find((key) => typeof key === "string");
  if (typeof last !== "string") return "Input";
  return inputFieldLabels[last] ?? last;
}
