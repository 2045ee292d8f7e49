import "server-only";
import { z } from "zod";
import { characteristicDefinitionInput } from "@/server/schemas/characteristics";
import { id, version } from "@/server/schemas/common";
import {
  characteristicUsage,
  createCharacteristic,
  deleteCharacteristic,
  listCharacteristics,
  moveCharacteristic,
  setTable1Columns,
  updateCharacteristic,
} from "@/server/services/characteristics";
import { reviewProcedure, router } from "@/server/trpc";

/** The review's own study characteristics (defined by the lead) and Table 1's columns. */
export const characteristicsRouter = router({
  list: reviewProcedure("viewer").query(({ ctx }) => {
    const usage = characteristicUsage(ctx.db, ctx.reviewId);
    return listCharacteristics(ctx.db, ctx.reviewId).map((c) => ({ ...c, studiesWithValue: usage.get(c.id) ?? 0 }));
  }),
  create: reviewProcedure("lead")
    .input(z.object({ definition: characteristicDefinitionInput }))
    .mutation(({ ctx, input }) => createCharacteristic(ctx.db, ctx.user, ctx.reviewId, input.definition)),
  update: reviewProcedure("lead")
    .input(z.object({ characteristicId: id, definition: characteristicDefinitionInput, version }))
    .mutation(({ ctx, input }) => updateCharacteristic(ctx.db, ctx.user, ctx.reviewId, input.characteristicId, input.definition, input.version)),
  delete: reviewProcedure("lead")
    .input(z.object({ characteristicId: id, version }))
    .mutation(({ ctx, input }) => deleteCharacteristic(ctx.db, ctx.user, ctx.reviewId, input.characteristicId, input.version)),
  move: reviewProcedure("lead")
    .input(z.object({ characteristicId: id, direction: z.enum(["up", "down"]) }))
    .mutation(({ ctx, input }) => moveCharacteristic(ctx.db, ctx.user, ctx.reviewId, input.characteristicId, input.direction)),
  setTable1Columns: reviewProcedure("lead")
    .input(z.object({ columns: z.array(z.string().max(40)).max(200), version }))
    .mutation(({ ctx, input }) => setTable1Columns(ctx.db, ctx.user, ctx.reviewId, input.columns, input.version)),
});
