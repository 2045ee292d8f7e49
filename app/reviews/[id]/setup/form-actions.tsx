/** The foot of a set-up form (outcome, characteristic): submit, cancel, and the server's message if it refused. */
export function FormActions({ submitLabel, pending, onCancel, error }: { submitLabel: string; pending: boolean; onCancel: () => void; error: string | null | undefined }) {
  return (
    <>
      <div className="flex gap-2">
        <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-white" disabled={pending}>
          {submitLabel}
        </button>
        <button type="button" className="rounded border px-3 py-1" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      )}
    </>
  );
}
