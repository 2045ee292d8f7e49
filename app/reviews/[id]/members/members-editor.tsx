"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ScrollBox } from "@/app/_components/scroll-box";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { memberRoles, type MemberRole } from "@/db/schema/reviews";

export function MembersEditor({ reviewId }: { reviewId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.reviews.members.queryOptions({ reviewId }));
  const setMember = useMutation(trpc.reviews.setMember.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.reviews.members.queryKey({ reviewId }) }) }));
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<MemberRole>("reviewer");
  const add = (e: FormEvent) => {
    e.preventDefault();
    setMember.mutate({ reviewId, username, role }, { onSuccess: () => setUsername("") });
  };
  return (
    <div className="mt-4 space-y-4">
      <ScrollBox label="Members">
        <table className="w-full text-sm" aria-label="Members">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th className="px-3 py-2">Name</th>
              <th className="px-3 py-2">Username</th>
              <th className="px-3 py-2">Role</th>
              <th className="px-3 py-2">
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(members.data ?? []).map((m) => (
              <tr key={m.userId} className="border-t border-slate-100">
                <td className="px-3 py-1.5">{m.displayName}</td>
                <td className="px-3 py-1.5">{m.username}</td>
                <td className="px-3 py-1.5">
                  <select
                    aria-label={`Role of ${m.username}`}
                    className="rounded border border-slate-300 px-1 py-0.5"
                    value={m.role}
                    onChange={(e) => setMember.mutate({ reviewId, username: m.username, role: e.target.value as MemberRole })}
                  >
                    {memberRoles.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="px-3 py-1.5">
                  <button type="button" className="text-red-700 hover:underline" onClick={() => setMember.mutate({ reviewId, username: m.username, role: null })}>
                    Remove {m.username}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <form onSubmit={add} className="flex flex-wrap items-end gap-2" aria-label="Add member">
        <div>
          <label htmlFor="member-username" className="block text-sm font-medium">
            Username of an existing account
          </label>
          <input id="member-username" className="mt-1 rounded border border-slate-300 px-2 py-1" value={username} onChange={(e) => setUsername(e.target.value)} />
        </div>
        <div>
          <label htmlFor="member-role" className="block text-sm font-medium">
            Role
          </label>
          <select id="member-role" className="mt-1 rounded border border-slate-300 px-2 py-1" value={role} onChange={(e) => setRole(e.target.value as MemberRole)}>
            {memberRoles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="rounded bg-blue-700 px-3 py-1.5 text-white">
          Add member
        </button>
      </form>
      {setMember.error && (
        <p role="alert" className="text-sm text-red-700">
          {errorMessage(setMember.error)}
        </p>
      )}
    </div>
  );
}
