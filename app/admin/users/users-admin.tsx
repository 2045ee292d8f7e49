"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";

export function UsersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.auth.listUsers.queryOptions());
  const create = useMutation(trpc.auth.createUser.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.listUsers.queryKey() }) }));
  const [form, setForm] = useState({ username: "", displayName: "", password: "" });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(form, { onSuccess: () => setForm({ username: "", displayName: "", password: "" }) });
  };
  return (
    <div className="mt-4 space-y-6">
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
        {(users.data ?? []).map((u) => (
          <li key={u.id} className="flex gap-3 px-3 py-2">
            <span className="font-medium">{u.username}</span>
            <span className="text-slate-600">{u.displayName}</span>
            {u.isAdmin && <span className="rounded bg-slate-200 px-1 text-xs">admin</span>}
            {u.isDemo && <span className="rounded bg-amber-100 px-1 text-xs text-amber-900">demo</span>}
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label="Create account">
        <h2 className="font-semibold">Create an account</h2>
        {(
          [
            ["username", "Username", "text"],
            ["displayName", "Display name", "text"],
            ["password", "Initial password (8 to 256 characters)", "password"],
          ] as const
        ).map(([key, label, type]) => (
          <div key={key}>
            <label htmlFor={`new-${key}`} className="block text-sm font-medium">
              {label}
            </label>
            <input id={`new-${key}`} type={type} autoComplete="off" className="mt-1 w-full rounded border border-slate-300 px-2 py-1" value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
          </div>
        ))}
        <button type="submit" className="rounded bg-blue-700 px-3 py-1.5 text-white">
          Create account
        </button>
        {create.error && (
          <p role="alert" className="text-sm text-red-700">
            {errorMessage(create.error)}
          </p>
        )}
        {create.isSuccess && <p role="status" className="text-sm text-green-800">Account created. Add it to a review from the review&apos;s Members page.</p>}
      </form>
    </div>
  );
}
