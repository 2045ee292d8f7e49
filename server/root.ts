import "server-only";
import { analysisRouter } from "./routers/analysis";
import { authRouter } from "./routers/auth";
import { figuresRouter } from "./routers/figures";
import { measurementsRouter } from "./routers/measurements";
import { reviewsRouter } from "./routers/reviews";
import { riskOfBiasRouter } from "./routers/risk-of-bias";
import { studiesRouter } from "./routers/studies";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  reviews: reviewsRouter,
  studies: studiesRouter,
  measurements: measurementsRouter,
  analysis: analysisRouter,
  riskOfBias: riskOfBiasRouter,
  figures: figuresRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
