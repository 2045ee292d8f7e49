import type { Metadata } from "next";
import { Suspense } from "react";
import { env } from "@/lib/env";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Sign in" };

export default function LoginPage() {
  return (
    <main className="mx-auto mt-20 max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-xl font-semibold">Sign in to the review workbench</h1>
      <Suspense>
        <LoginForm showDemoAccounts={env().DEMO === "on"} />
      </Suspense>
    </main>
  );
}
