import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

/** The TRPCError a procedure call is expected to fail with (the test fails if it succeeds or throws something else). */
export async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}
