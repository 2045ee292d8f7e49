import "server-only";
import { analysisRouter } from "./routers/analysis";
import { armsRouter } from "./routers/arms";
import { authRouter } from "./routers/auth";
import { characteristicsRouter } from "./routers/characteristics";
import { figuresRouter } from "./routers/figures";
import { dataIoRouter } from "./routers/data-io";
import { measurementsRouter } from "./routers/measurements";
import { outcomesRouter } from "./routers/outcomes";
import { reportRouter } from "./routers/report";
import { reviewsRouter } from "./routers/reviews";
import { riskOfBiasRouter } from "./routers/risk-of-bias";
import { savedAnalysesRouter } from "./routers/saved-analyses";
import { screeningRouter } from "./routers/screening";
import { studiesRouter } from "./routers/studies";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  reviews: reviewsRouter,
  studies: studiesRouter,
  characteristics: characteristicsRouter,
  outcomes: outcomesRouter,
  arms: armsRouter,
  measurements: measurementsRouter,
  analyses: savedAnalysesRouter,
  analysis: analysisRouter,
  riskOfBias: riskOfBiasRouter,
  screening: screeningRouter,
  figures: figuresRouter,
  dataIo: dataIoRouter,
  report: reportRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
