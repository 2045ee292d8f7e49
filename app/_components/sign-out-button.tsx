"use client";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/client";

export function SignOutButton() {
  const trpc = useTRPC();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSettled: () => {
        window.location.assign("/login");
      },
    }),
  );
  return (
    <button type="button" className="rounded px-2 py-1 text-sm text-slate-200 hover:bg-slate-700" onClick={() => signOut.mutate()}>
      Sign out
    </button>
  );
}
