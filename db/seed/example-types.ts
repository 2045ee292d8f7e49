export type ExampleArm = {
  mean: number;
  errorType: "SD" | "SEM" | "CI95";
  errorValue?: number;
  ciLower?: number;
  ciUpper?: number;
  n: number;
};
export type ExampleOutcomeRow = {
  /** The study's "#" in Table 1. */
  position: number;
  timepoint: "first" | "last";
  day: number;
  treated: ExampleArm;
  control: ExampleArm;
};
