"use client";
import { useMutation } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { safeNextPath } from "@/app/_lib/safe-next";
import { useTRPC } from "@/app/_trpc/client";

export function LoginForm({ showDemoAccounts }: { showDemoAccounts: boolean }) {
  const trpc = useTRPC();
  const params = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: () => {
        // Only a path on this site is followed after sign-in (no open redirect).
        window.location.assign(safeNextPath(params.get("next"), window.location.origin));
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ username, password });
  };
  return (
    <form className="mt-4 space-y-3" onSubmit={submit} noValidate>
      <div>
        <label htmlFor="username" className="block text-sm font-medium">
          Username
        </label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
        />
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </div>
      {signIn.error && (
        <p role="alert" className="text-sm text-red-700">
          {signIn.error.message}
        </p>
      )}
      <button type="submit" disabled={signIn.isPending} className="w-full rounded bg-blue-700 px-3 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60">
        {signIn.isPending ? "Signing in…" : "Sign in"}
      </button>
      {showDemoAccounts && (
        <p className="text-xs text-slate-600">
          Demo: <code>lead</code>, <code>reviewer1</code> or <code>reviewer2</code>, password <code>exosome-demo</code>.
        </p>
      )}
    </form>
  );
}
