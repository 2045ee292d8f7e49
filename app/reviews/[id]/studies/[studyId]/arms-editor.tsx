"use client";
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { EditableCell, type SaveOutcome } from "@/app/_components/editable-cell";
import { ScrollBox } from "@/app/_components/scroll-box";
import { columnEditor } from "@/app/_lib/study-columns";
import { conflictOf, errorMessage } from "@/app/_lib/trpc-errors";
import { useTRPC } from "@/app/_trpc/client";
import { armKinds, type ArmKind } from "@/db/schema/studies";
import { armFieldLabels, armKindDescriptions, armKindLabels, newArmInput, parseArmField, type ArmField } from "@/server/schemas/arms";
import { characteristicValueFromInput, formatCharacteristicValue, isListType, parseCharacteristicValue, type CharacteristicValue } from "@/server/schemas/characteristics";
import { humanMessage } from "@/server/schemas/messages";
import { numberFromInput } from "@/server/schemas/measurement";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root";

type Detail = inferRouterOutputs<AppRouter>["studies"]["get"];
type Arm = Detail["arms"][number];
type Definition = Detail["characteristics"][number];

const NOT_CHOSEN = "";

/**
 * A study's arms: the treated arms (each with its label, dose and the control arm it is compared with, and its own
 * value of the review's list or number characteristics where it differs from the study's, e.g. the cell source of one
 * of two arms), the control arms (vehicle, untreated…) and sham arms (operated, not injured: the reference of the
 * normalised mean difference). Each edit is one `arms.update` against the arm's version; the outcome grid below has
 * one row per arm.
 */
export function ArmsEditor({ reviewId, detail, canEdit, onChanged }: { reviewId: number; detail: Detail; canEdit: boolean; onChanged: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const update = useMutation(trpc.arms.update.mutationOptions());
  const remove = useMutation(trpc.arms.delete.mutationOptions());
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const studyId = detail.study.id;
  const controls = detail.arms.filter((a) => a.kind === "control");
  const ownColumns = detail.characteristics.filter((d) => isListType(d.type) || d.type === "number");
  const valueCount = (armId: number) => detail.timepoints.reduce((n, t) => n + (t.values[String(armId)] ? 1 : 0), 0);
  const treatedCount = detail.arms.filter((a) => a.kind === "treated").length;

  /** Saves one field after checking it with the server's own schema; a CONFLICT offers "Reapply mine". */
  const saver =
    (arm: Arm, field: string, toValue: (raw: string) => { ok: true; value: unknown } | { ok: false; message: string }) =>
    async function attempt(raw: string, atVersion: number): Promise<SaveOutcome> {
      const checked = toValue(raw);
      if (!checked.ok) return { ok: false, message: checked.message };
      try {
        await update.mutateAsync({ reviewId, studyId, armId: arm.id, field, value: checked.value, version: atVersion });
        await onChanged();
        return { ok: true };
      } catch (error) {
        const conflict = conflictOf(error);
        await onChanged();
        if (!conflict) return { ok: false, message: errorMessage(error) };
        const latest = (conflict.row as { version: number }).version;
        return { ok: false, message: errorMessage(error), conflict: { by: conflict.by, retry: () => attempt(raw, latest) } };
      }
    };
  const armField = (field: ArmField) => (raw: string) => parseArmField(field, field === "dose" ? numberFromInput(raw) : field === "controlArmId" ? (raw === NOT_CHOSEN ? null : Number(raw)) : raw);
  const ownValue = (definition: Definition) => (raw: string) => parseCharacteristicValue(definition, characteristicValueFromInput(definition, raw));

  const removeArm = async (arm: Arm) => {
    setConfirming(null);
    try {
      await remove.mutateAsync({ reviewId, studyId, armId: arm.id, version: arm.version });
      setNotice({ ok: true, text: `Removed ${arm.label}.` });
    } catch (error) {
      setNotice({ ok: false, text: errorMessage(error) });
    }
    await onChanged();
  };

  return (
    <section aria-labelledby="arms-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="arms-title" className="text-lg font-semibold">
        Arms (groups of animals)
      </h2>
      <p className="mt-1 max-w-3xl text-sm text-slate-700">
        Each treated arm is one comparison in the analysis, against the control arm it is compared with
        {treatedCount > 1 ? `; the plots label it with the arm, e.g. “${detail.label} (${detail.arms.find((a) => a.kind === "treated")?.label ?? ""})”` : ""}. Treated arms
        sharing a control have its animals split among them, or are combined into one group (an analysis option). A sham arm (operated, not injured) gives the
        normalised mean difference its reference on the same day.
      </p>
      {notice && (
        <p role={notice.ok ? "status" : "alert"} className={`mt-2 text-sm ${notice.ok ? "text-green-800" : "text-red-700"}`}>
          {notice.text}
        </p>
      )}
      <ScrollBox label="Arms of this study" className="mt-2">
        <table className="min-w-full text-sm" aria-label="Arms of this study">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th scope="col" className="px-2 py-1">
                Arm
              </th>
              <th scope="col" className="px-2 py-1">
                Kind
              </th>
              <th scope="col" className="px-2 py-1">
                Compared with
              </th>
              <th scope="col" className="px-2 py-1">
                Dose
              </th>
              <th scope="col" className="px-2 py-1">
                Dose unit
              </th>
              {ownColumns.map((d) => (
                <th key={d.id} scope="col" className="px-2 py-1">
                  {d.label}
                  {d.unit && ` (${d.unit})`} <span className="font-normal text-slate-600">of the arm</span>
                </th>
              ))}
              {canEdit && (
                <th scope="col" className="px-2 py-1">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {detail.arms.map((arm) => {
              const treated = arm.kind === "treated";
              const values = valueCount(arm.id);
              const own = (detail.armValues[String(arm.id)] ?? {}) as Record<string, CharacteristicValue>;
              return (
                <tr key={arm.id} className="border-t border-slate-100 align-top" data-arm={arm.label}>
                  <td className="min-w-32 px-2 py-1">
                    <EditableCell label={`${armFieldLabels.label}, ${arm.label}`} value={arm.label} kind="text" readOnly={!canEdit} version={arm.version} onSave={saver(arm, "label", armField("label"))} />
                  </td>
                  <td className="px-2 py-1 whitespace-nowrap">{armKindLabels[arm.kind]}</td>
                  <td className="min-w-36 px-2 py-1">
                    {treated ? (
                      <EditableCell
                        label={`${armFieldLabels.controlArmId}, ${arm.label}`}
                        value={arm.controlArmId === null ? NOT_CHOSEN : String(arm.controlArmId)}
                        display={arm.controlArmId === null ? (controls.length === 1 ? `${controls[0]!.label} (the only control)` : "Not chosen") : (controls.find((c) => c.id === arm.controlArmId)?.label ?? "—")}
                        kind="select"
                        options={[{ value: NOT_CHOSEN, label: "Not chosen" }, ...controls.map((c) => ({ value: String(c.id), label: c.label }))]}
                        readOnly={!canEdit}
                        version={arm.version}
                        onSave={saver(arm, "controlArmId", armField("controlArmId"))}
                      />
                    ) : (
                      <span className="text-slate-500">—</span>
                    )}
                  </td>
                  <td className="min-w-20 px-2 py-1">
                    {treated ? (
                      <EditableCell
                        label={`${armFieldLabels.dose}, ${arm.label}`}
                        value={arm.dose}
                        display={arm.dose === null ? (detail.study.dose !== null ? `${detail.study.dose} (study)` : "") : undefined}
                        kind="number"
                        readOnly={!canEdit}
                        version={arm.version}
                        onSave={saver(arm, "dose", armField("dose"))}
                      />
                    ) : (
                      <span className="text-slate-500">—</span>
                    )}
                  </td>
                  <td className="min-w-20 px-2 py-1">
                    {treated ? (
                      <EditableCell
                        label={`${armFieldLabels.doseUnit}, ${arm.label}`}
                        value={arm.doseUnit}
                        display={arm.doseUnit === "" && detail.study.doseUnit ? `${detail.study.doseUnit} (study)` : undefined}
                        kind="text"
                        readOnly={!canEdit}
                        version={arm.version}
                        onSave={saver(arm, "doseUnit", armField("doseUnit"))}
                      />
                    ) : (
                      <span className="text-slate-500">—</span>
                    )}
                  </td>
                  {ownColumns.map((d) => {
                    const editor = columnEditor(detail.characteristics, `c:${d.id}`);
                    const value = own[String(d.id)];
                    const studyText = formatCharacteristicValue(d, d.value);
                    return (
                      <td key={d.id} className="min-w-32 px-2 py-1">
                        {treated ? (
                          <EditableCell
                            label={`${d.label} of the arm ${arm.label}`}
                            value={value === undefined ? null : Array.isArray(value) ? JSON.stringify(value) : String(value)}
                            display={value === undefined ? (studyText ? `${studyText} (study)` : "") : formatCharacteristicValue(d, value)}
                            kind={editor.kind === "textarea" ? "text" : editor.kind}
                            options={editor.options?.map((o) => (o.value === "" ? { value: "", label: "As the study" } : o))}
                            readOnly={!canEdit}
                            version={arm.version}
                            onSave={saver(arm, `c:${d.id}`, ownValue(d))}
                          />
                        ) : (
                          <span className="text-slate-500">—</span>
                        )}
                      </td>
                    );
                  })}
                  {canEdit && (
                    <td className="px-2 py-1 text-xs whitespace-nowrap">
                      {confirming === arm.id ? (
                        <span className="flex flex-wrap items-center gap-1">
                          <span>
                            Remove {arm.label}
                            {values ? ` and its ${values} outcome value${values === 1 ? "" : "s"}` : ""}?
                          </span>
                          <button type="button" className="min-h-6 rounded bg-red-700 px-1.5 py-0.5 text-white" onClick={() => void removeArm(arm)}>
                            Remove
                          </button>
                          <button type="button" className="min-h-6 rounded border border-slate-400 px-1.5 py-0.5" onClick={() => setConfirming(null)}>
                            Keep
                          </button>
                        </span>
                      ) : (
                        <button type="button" className="inline-flex min-h-6 items-center rounded px-1 text-red-700 hover:bg-red-50" aria-label={`Remove arm ${arm.label}`} onClick={() => setConfirming(arm.id)}>
                          Remove
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollBox>
      {canEdit && <AddArm reviewId={reviewId} studyId={studyId} controls={controls} onAdded={onChanged} />}
    </section>
  );
}

/** Adds an arm: its kind and label, and for a treated arm its dose and control (the first control by default). */
function AddArm({ reviewId, studyId, controls, onAdded }: { reviewId: number; studyId: number; controls: Arm[]; onAdded: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.arms.create.mutationOptions());
  const idBase = useId();
  const [kind, setKind] = useState<ArmKind>("treated");
  const [label, setLabel] = useState("");
  const [dose, setDose] = useState("");
  const [doseUnit, setDoseUnit] = useState("");
  const [controlArmId, setControlArmId] = useState<string>(controls[0] ? String(controls[0].id) : NOT_CHOSEN);
  const [message, setMessage] = useState<{ ok: boolean; text: string; field?: string } | null>(null);
  const treated = kind === "treated";
  const fieldLabels: Record<string, string> = { label: armFieldLabels.label, dose: armFieldLabels.dose, doseUnit: armFieldLabels.doseUnit, controlArmId: armFieldLabels.controlArmId, kind: "Kind" };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = {
      studyId,
      kind,
      label,
      ...(treated ? { dose: numberFromInput(dose), doseUnit, controlArmId: controlArmId === NOT_CHOSEN ? null : Number(controlArmId) } : {}),
    };
    const parsed = newArmInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "label");
      return setMessage({ ok: false, text: humanMessage(fieldLabels[field] ?? field, issue?.message), field });
    }
    try {
      const arm = await create.mutateAsync({ ...parsed.data, reviewId });
      setMessage({ ok: true, text: `Added ${arm.label}.` });
      setLabel("");
      setDose("");
      await onAdded();
    } catch (error) {
      setMessage({ ok: false, text: errorMessage(error) });
    }
  };
  const invalid = (field: string) => (message && !message.ok && message.field === field ? { "aria-invalid": true as const, "aria-describedby": `${idBase}-message` } : {});
  const input = "mt-0.5 block rounded border border-slate-300 bg-white px-1 py-0.5";
  return (
    <form aria-label="Add an arm" className="mt-3 flex flex-wrap items-end gap-x-3 gap-y-2 text-sm" onSubmit={(e) => void submit(e)}>
      <div>
        <label htmlFor={`${idBase}-kind`} className="block text-xs font-medium">
          Kind
        </label>
        <select id={`${idBase}-kind`} className={input} value={kind} onChange={(e) => setKind(e.target.value as ArmKind)}>
          {armKinds.map((k) => (
            <option key={k} value={k}>
              {armKindDescriptions[k]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${idBase}-label`} className="block text-xs font-medium">
          {armFieldLabels.label}
        </label>
        <input id={`${idBase}-label`} className={`${input} w-36`} placeholder={treated ? "e.g. 50 µg" : kind === "sham" ? "e.g. Sham" : "e.g. Vehicle"} value={label} onChange={(e) => setLabel(e.target.value)} {...invalid("label")} />
      </div>
      {treated && (
        <>
          <div>
            <label htmlFor={`${idBase}-dose`} className="block text-xs font-medium">
              {armFieldLabels.dose}
            </label>
            <input id={`${idBase}-dose`} inputMode="decimal" className={`${input} w-20`} value={dose} onChange={(e) => setDose(e.target.value)} {...invalid("dose")} />
          </div>
          <div>
            <label htmlFor={`${idBase}-unit`} className="block text-xs font-medium">
              {armFieldLabels.doseUnit}
            </label>
            <input id={`${idBase}-unit`} className={`${input} w-20`} value={doseUnit} onChange={(e) => setDoseUnit(e.target.value)} {...invalid("doseUnit")} />
          </div>
          <div>
            <label htmlFor={`${idBase}-control`} className="block text-xs font-medium">
              Compared with
            </label>
            <select id={`${idBase}-control`} className={input} value={controlArmId} onChange={(e) => setControlArmId(e.target.value)} {...invalid("controlArmId")}>
              <option value={NOT_CHOSEN}>Not chosen</option>
              {controls.map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
        </>
      )}
      <button type="submit" className="rounded border border-blue-700 px-2 py-0.5 text-blue-800" disabled={create.isPending}>
        Add arm
      </button>
      {message && (
        <p id={`${idBase}-message`} role={message.ok ? "status" : "alert"} className={`w-full ${message.ok ? "text-green-800" : "text-red-700"}`}>
          {message.text}
        </p>
      )}
    </form>
  );
}
