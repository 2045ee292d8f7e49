import { forbidden } from "next/navigation";
import { AppHeader } from "@/app/_components/app-header";
import { requireUser } from "@/app/_lib/server-session";
import { UsersAdmin } from "./users-admin";

export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const user = await requireUser("/admin/users");
  if (!user.isAdmin) forbidden();
  return (
    <>
      <AppHeader user={user} />
      <main className="mx-auto max-w-3xl p-4 sm:p-6">
        <h1 className="text-2xl font-semibold">Accounts</h1>
        <UsersAdmin />
      </main>
    </>
  );
}
