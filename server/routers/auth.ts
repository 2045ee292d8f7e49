import "server-only";
import { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/password";
import { requiredText } from "@/server/schemas/common";
import { clearedSessionCookie, deviceCookie, sessionCookie } from "@/server/auth/session";
import { createUser, listUsers, signIn, signOut } from "@/server/services/auth";
import { adminProcedure, authedProcedure, publicProcedure, router } from "@/server/trpc";

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
const usernameSchema = z
  .string()
  .trim()
  .min(1, "is required")
  .max(100)
  .regex(/^[A-Za-z0-9._@+-]+$/, "may hold letters, digits and . _ @ + - only");

export const authRouter = router({
  me: publicProcedure.query(({ ctx }) => ctx.user),
  signIn: publicProcedure
    .input(z.object({ username: usernameSchema, password: z.string().min(1, "is required").max(PASSWORD_MAX) }))
    .mutation(async ({ ctx, input }) => {
      const { user, token, expiresAt, device } = await signIn(ctx.db, { ...input, address: ctx.address, deviceToken: ctx.deviceToken });
      ctx.resHeaders?.append("set-cookie", sessionCookie(token, expiresAt));
      if (device) ctx.resHeaders?.append("set-cookie", deviceCookie(device.token, device.expiresAt));
      return user;
    }),
  signOut: authedProcedure.mutation(({ ctx }) => {
    signOut(ctx.db, ctx.sessionToken);
    ctx.resHeaders?.append("set-cookie", clearedSessionCookie());
    return { ok: true };
  }),
  listUsers: adminProcedure.query(({ ctx }) => listUsers(ctx.db)),
  createUser: adminProcedure
    .input(z.object({ username: usernameSchema, displayName: requiredText(100), password: passwordSchema }))
    .mutation(({ ctx, input }) => createUser(ctx.db, input)),
});
