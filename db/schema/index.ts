export * from "./auth";
export * from "./reviews";
export * from "./studies";
export * from "./analysis";
export * from "./risk-of-bias";
export * from "./audit";
export * from "./files";
export * from "./figures";
