"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { fmt } from "@/app/_lib/format";
import { errorMessage } from "@/app/_lib/trpc-errors";
import { useLiveReview } from "@/app/_lib/use-live-review";
import { useTRPC } from "@/app/_trpc/client";
import { errorTypes, type ErrorType } from "@/db/schema/studies";
import { dayFromX, pixelToAxisValue, type Calibration, type Pixel } from "@/server/digitiser/calibration";
import { labelledIssue, placePointInput } from "@/server/schemas/figure";
import {
  calibrationFromDraft,
  colourOf,
  draftFrom,
  errorTypeLabels,
  numberOrNull,
  refTools,
  toolLabels,
  type DraftCalibration,
  type FigureData,
  type ReadingData,
  type Tool,
} from "./digitiser-model";
import { FigureCanvas, type DrawnReading } from "./figure-canvas";
import { Magnifier } from "./magnifier";
import { ReadingsPanel } from "./readings-panel";

type Role = "lead" | "reviewer" | "viewer";
type Message = { kind: "error" | "ok"; text: string } | null;

export function Digitiser({ reviewId, studyId, figureId, role }: { reviewId: number; studyId: number; figureId: number; role: Role }) {
  const trpc = useTRPC();
  useLiveReview(reviewId);
  const figure = useQuery(trpc.figures.get.queryOptions({ reviewId, figureId }));
  if (figure.error) return <p role="alert">{errorMessage(figure.error)}</p>;
  if (!figure.data) return <p>Loading…</p>;
  return <DigitiserLoaded reviewId={reviewId} studyId={studyId} data={figure.data} role={role} />;
}

const zoomLevels = [0.5, 0.75, 1, 1.5, 2, 3, 4] as const;
const grid = {
  written: "in the outcome grid",
  needs_n: "needs n from the text",
  conflict: "the grid holds another value",
  incomplete: "place its error-bar end",
  not_standing: "in this reading only",
  out_of_scale: "outside the outcome's scale",
} as const;

function DigitiserLoaded({ reviewId, studyId, data, role }: { reviewId: number; studyId: number; data: FigureData; role: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { figure, image, arms } = data;
  const W = image?.width ?? 0;
  const H = image?.height ?? 0;
  const needsX = figure.chartKind === "line";
  const mine = data.readings.find((r) => r.isMine) ?? null;
  const editable = role !== "viewer" && mine !== null && mine.status === "in_progress";
  const visibleReadings = data.readings.filter((r) => r.visible);

  const [zoom, setZoom] = useState(1);
  const [tool, setTool] = useState<Tool>(() => (editable ? (mine?.calibration ? "mean" : "y1") : "select"));
  const [draft, setDraft] = useState<DraftCalibration>(() => draftFrom(mine?.calibration ?? null));
  const [draftVersion, setDraftVersion] = useState(mine?.version ?? 0);
  const [draftDirty, setDraftDirty] = useState(false);
  const [cursor, setCursor] = useState<Pixel | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [armId, setArmId] = useState(arms[0]?.id ?? 0);
  const [dayText, setDayText] = useState("");
  const [errorType, setErrorType] = useState<ErrorType>("SEM");
  const [nByArm, setNByArm] = useState<Record<number, string>>(() => Object.fromEntries(arms.map((a) => [a.id, a.knownN !== null ? String(a.knownN) : ""])));
  const [message, setMessage] = useState<Message>(null);
  const [hidden, setHidden] = useState<Set<number>>(new Set());
  const [nudged, setNudged] = useState<{ id: number; pixel: Pixel } | null>(null);
  const [imageElement, setImageElement] = useState<HTMLImageElement | null>(null);
  const canvasBox = useRef<HTMLDivElement>(null);
  const valueInputs = useRef<Record<string, HTMLInputElement | null>>({});
  const nudgeTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const instructionsId = useId();

  // A newer saved calibration (e.g. from another tab) replaces the draft unless the reader is editing it.
  if (mine && mine.version !== draftVersion && !draftDirty) {
    setDraftVersion(mine.version);
    setDraft(draftFrom(mine.calibration));
  }

  const canvasRef = useCallback((node: HTMLDivElement | null) => {
    canvasBox.current = node;
    setImageElement(node?.querySelector("img") ?? null);
  }, []);

  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.figures.pathKey() });
  const saveCalibration = useMutation(trpc.figures.saveCalibration.mutationOptions({ onSuccess: invalidate }));
  const placePoint = useMutation(trpc.figures.placePoint.mutationOptions({ onSuccess: invalidate }));
  const deletePoint = useMutation(trpc.figures.deletePoint.mutationOptions({ onSuccess: invalidate }));
  const sendToGrid = useMutation(trpc.figures.sendToGrid.mutationOptions({ onSuccess: invalidate }));

  const draftResult = calibrationFromDraft(draft, needsX);
  const savedCalibration: Calibration | null = mine?.calibration ?? null;
  const shownCalibration: Calibration | null = "calibration" in draftResult ? draftResult.calibration : (savedCalibration ?? visibleReadings.find((r) => r.calibration)?.calibration ?? null);
  const armLabel = (id: number) => arms.find((a) => a.id === id)?.label ?? "arm";
  const colour = (id: number) => colourOf(arms, id);

  const inside = (p: Pixel) => p.x >= 0 && p.y >= 0 && p.x <= W && p.y <= H;

  function report(kind: "error" | "ok", text: string) {
    setMessage({ kind, text });
  }

  function setRef(which: Tool, pixel: Pixel) {
    const ref = refTools.find((r) => r.tool === which)!;
    setDraft((d) => ({ ...d, [ref.axis]: { ...d[ref.axis], [ref.which]: pixel } }));
    setDraftDirty(true);
    const next: Record<string, Tool> = { y1: "y2", y2: needsX ? "x1" : "y2", x1: "x2", x2: "x2" };
    setTool(next[which] ?? which);
    setTimeout(() => valueInputs.current[which]?.focus(), 0);
  }

  async function submitCalibration() {
    if (!mine) return;
    if ("problem" in draftResult) return report("error", draftResult.problem);
    try {
      const result = await saveCalibration.mutateAsync({ reviewId, figureId: figure.id, readingId: mine.id, version: mine.version, calibration: draftResult.calibration });
      setDraftDirty(false);
      setDraftVersion(result.reading.version);
      setTool("mean");
      report("ok", `Calibration saved${result.grid.length ? `; ${result.grid.filter((g) => g.status === "written").length} values in the grid recomputed` : ""}. Now place each arm's means and error-bar ends.`);
    } catch (error) {
      report("error", errorMessage(error));
    }
  }

  async function place(kind: "mean" | "error_end", pixel: Pixel) {
    if (!mine || !editable) return;
    if (!savedCalibration || draftDirty) return report("error", "Calibration: save the calibration before placing points.");
    let day = numberOrNull(dayText);
    if (needsX && kind === "mean" && savedCalibration.x) {
      day = dayFromX(pixelToAxisValue(savedCalibration.x, pixel));
      setDayText(String(day));
    }
    if (day === null) return report("error", figure.chartKind === "bar" ? "Day: type the day after injury of this group of bars first." : "Day: place the mean first; its day is read from the x axis.");
    const existing = mine.points.find((p) => p.armId === armId && p.day === day && p.kind === kind);
    const nText = nByArm[armId] ?? "";
    const input = {
      reviewId,
      figureId: figure.id,
      readingId: mine.id,
      armId,
      day,
      kind,
      errorType: kind === "error_end" ? errorType : null,
      pixel,
      n: nText.trim() === "" ? null : Number(nText),
      version: existing?.version,
    };
    const parsed = placePointInput.safeParse(input);
    if (!parsed.success) return report("error", labelledIssue(parsed.error.issues[0]));
    try {
      const result = await placePoint.mutateAsync({ ...parsed.data, reviewId });
      setSelectedId(result.point.id);
      const what = `${armLabel(armId)}, day ${day}`;
      const status = result.grid.status;
      if (kind === "mean") setTool("error_end");
      else setTool("mean");
      const value = `${kind === "mean" ? "mean" : "bar end"} ${fmt(result.point.value, 3)}`;
      report(
        status === "out_of_scale" || status === "conflict" || status === "needs_n" ? "error" : "ok",
        status === "written"
          ? `${what}: ${value} → in the outcome grid.`
          : status === "incomplete"
            ? `${what}: ${value}. Now place its error-bar end.`
            : status === "needs_n"
              ? `${what}: ${value}. Type the arm's n (from the text) and send it to the grid.`
              : status === "conflict"
                ? `${what}: ${value}. The grid holds a value by ${result.grid.by}: replace it in the table of values if the figure is right.`
                : status === "out_of_scale"
                  ? `${what}: ${result.grid.message}`
                  : `${what}: ${value} (kept in your blind reading, not in the grid).`,
      );
    } catch (error) {
      report("error", errorMessage(error));
    }
  }

  /** The visible point nearest to a click (within 10 screen pixels): yours to move, anyone's to inspect. */
  function nearestPoint(pixel: Pixel) {
    let best: { id: number; distance: number } | null = null;
    for (const p of visibleReadings.filter((r) => !hidden.has(r.id)).flatMap((r) => r.points)) {
      const distance = Math.hypot(p.pixelX - pixel.x, p.pixelY - pixel.y) * zoom;
      if (distance <= 10 && (!best || distance < best.distance)) best = { id: p.id, distance };
    }
    return best?.id ?? null;
  }

  function pick(pixel: Pixel) {
    if (!inside(pixel)) return report("error", "Point position: it lies outside the image.");
    setCursor(pixel);
    if (!editable || tool === "select") {
      const id = nearestPoint(pixel);
      setSelectedId(id);
      if (id !== null) setTool("select");
      return;
    }
    if (tool === "mean" || tool === "error_end") void place(tool, pixel);
    else setRef(tool, pixel);
  }

  function selectPoint(id: number) {
    const point = visibleReadings.flatMap((r) => r.points).find((p) => p.id === id);
    if (!point) return;
    setSelectedId(id);
    if (mine?.points.some((p) => p.id === id)) {
      setArmId(point.armId);
      setDayText(String(point.day));
      if (point.errorType) setErrorType(point.errorType);
    }
    setTool("select");
    setCursor({ x: point.pixelX, y: point.pixelY });
    canvasBox.current?.focus();
  }

  /** Arrow keys: the selected point moves one image pixel (10 with Shift), saved after a short pause. */
  function arrow(dx: number, dy: number) {
    const point = tool === "select" && selectedId !== null && editable ? mine?.points.find((p) => p.id === selectedId) : undefined;
    if (!point) {
      setCursor((c) => {
        const from = c ?? { x: W / 2, y: H / 2 };
        return { x: Math.min(W, Math.max(0, from.x + dx)), y: Math.min(H, Math.max(0, from.y + dy)) };
      });
      return;
    }
    const from = nudged?.id === point.id ? nudged.pixel : { x: point.pixelX, y: point.pixelY };
    const pixel = { x: Math.min(W, Math.max(0, from.x + dx)), y: Math.min(H, Math.max(0, from.y + dy)) };
    setNudged({ id: point.id, pixel });
    setCursor(pixel);
    if (nudgeTimer.current) clearTimeout(nudgeTimer.current);
    nudgeTimer.current = setTimeout(() => {
      void placePoint
        .mutateAsync({ reviewId, figureId: figure.id, readingId: mine!.id, armId: point.armId, day: point.day, kind: point.kind, errorType: point.errorType, pixel, n: null, version: point.version })
        .then((result) => report("ok", `${armLabel(point.armId)}, day ${point.day}: ${point.kind === "mean" ? "mean" : "bar end"} moved to ${fmt(result.point.value, 3)}.`))
        .catch((error: unknown) => report("error", errorMessage(error)))
        .finally(() => setNudged(null));
    }, 350);
  }
  useEffect(() => () => void (nudgeTimer.current && clearTimeout(nudgeTimer.current)), []);

  async function removePoint(id: number, version: number) {
    try {
      await deletePoint.mutateAsync({ reviewId, figureId: figure.id, pointId: id, version });
      if (selectedId === id) setSelectedId(null);
      report("ok", "Point removed (and its value taken out of the grid).");
    } catch (error) {
      report("error", errorMessage(error));
    }
  }

  async function toGrid(pair: { armId: number; day: number }, replaceVersion: number | null) {
    const nText = nByArm[pair.armId] ?? "";
    const n = nText.trim() === "" ? null : Number(nText);
    if (replaceVersion === null && (n === null || !Number.isInteger(n) || n < 1)) return report("error", `n (from the text) of ${armLabel(pair.armId)}: type the number of animals (a whole number, 1 or more).`);
    try {
      const result = await sendToGrid.mutateAsync({ reviewId, figureId: figure.id, armId: pair.armId, day: pair.day, n, replaceVersion });
      report(result.status === "written" ? "ok" : "error", `${armLabel(pair.armId)}, day ${pair.day}: ${grid[result.status]}.`);
    } catch (error) {
      report("error", errorMessage(error));
    }
  }

  const drawn: DrawnReading[] = visibleReadings
    .filter((r) => !hidden.has(r.id))
    .map((r) => ({
      id: r.id,
      label: `Reading ${r.ordinal}`,
      mine: r.isMine,
      points: r.points.map((p) => ({ id: p.id, armId: p.armId, day: p.day, kind: p.kind, pixel: nudged?.id === p.id ? nudged.pixel : { x: p.pixelX, y: p.pixelY } })),
    }));
  const references = (["y", "x"] as const).flatMap((axis) =>
    (["p1", "p2"] as const).flatMap((which, i) => {
      const pixel = draft[axis][which];
      if (!pixel) return [];
      const value = draft[axis][i === 0 ? "v1" : "v2"];
      return [{ label: `${axis.toUpperCase()}${i + 1}${value.trim() ? ` = ${value}` : ""}`, pixel }];
    }),
  );
  const selected = visibleReadings.flatMap((r) => r.points).find((p) => p.id === selectedId) ?? null;
  const focus = nudged?.pixel ?? (selected ? { x: selected.pixelX, y: selected.pixelY } : cursor);
  const focusReading = (() => {
    if (!focus) return "Move over the figure.";
    const position = `x ${fmt(focus.x, 1)}, y ${fmt(focus.y, 1)} px`;
    if (!shownCalibration) return position;
    const y = pixelToAxisValue(shownCalibration.y, focus);
    const x = shownCalibration.x ? pixelToAxisValue(shownCalibration.x, focus) : null;
    return `${position} → ${fmt(y, 2)} ${data.outcome.unit}${x !== null ? `, day ${fmt(x, 1)}` : ""}`;
  })();

  const field = "rounded border border-slate-300 px-2 py-1";
  const toolButton = (t: Tool, text: string) => (
    <button key={t} type="button" aria-pressed={tool === t} className={`rounded border px-2 py-1 text-sm ${tool === t ? "border-blue-800 bg-blue-700 text-white" : "border-slate-400 bg-white"}`} onClick={() => setTool(t)}>
      {text}
    </button>
  );

  return (
    <div className="space-y-4">
      <div>
        <Link href={`/reviews/${reviewId}/studies/${studyId}/figures`} className="text-sm text-blue-800 underline">
          ← Figures of {data.study.label}
        </Link>
        <h1 className="mt-1 text-2xl font-semibold">
          {figure.label} <span className="text-base font-normal text-slate-700">· {data.outcome.name} · {figure.chartKind} chart</span>
        </h1>
        <p className="text-sm break-words text-slate-700">
          {figure.source.kind === "pdf" ? `Page ${figure.source.page} of ${figure.source.name || "the PDF"}` : `Image ${figure.source.name}`}, crop {fmt(figure.source.crop.x, 0)}, {fmt(figure.source.crop.y, 0)}, {fmt(figure.source.crop.width, 0)} × {fmt(figure.source.crop.height, 0)}
          {figure.source.kind === "pdf" ? " pt" : " px"} · source SHA-256 <code className="text-xs">{figure.source.sha256.slice(0, 16)}…</code> · added by {figure.createdByName}
          {figure.caption ? ` · “${figure.caption}”` : ""}
        </p>
        {data.me.canDelete && <DeleteFigure reviewId={reviewId} studyId={studyId} figure={figure} valuesInGrid={mine?.pairs.filter((p) => p.grid.status === "written").length ?? 0} />}
      </div>

      {message && (
        <p role={message.kind === "error" ? "alert" : "status"} data-testid="digitiser-message" className={`rounded px-3 py-2 text-sm ${message.kind === "error" ? "bg-red-50 text-red-800" : "bg-green-50 text-green-900"}`}>
          {message.text}
        </p>
      )}

      <div className="flex flex-col gap-4 lg:flex-row lg:items-start">
        <div className="min-w-0 flex-1 space-y-2">
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="font-medium">Zoom</span>
            <button type="button" className="rounded border border-slate-400 px-2" aria-label="Zoom out" onClick={() => setZoom((z) => zoomLevels.filter((l) => l < z).pop() ?? z)}>
              −
            </button>
            <label htmlFor="zoom-level" className="sr-only">
              Zoom level
            </label>
            <select id="zoom-level" className="rounded border border-slate-300 px-1" value={zoom} onChange={(e) => setZoom(Number(e.target.value))}>
              {zoomLevels.map((l) => (
                <option key={l} value={l}>
                  {l * 100}%
                </option>
              ))}
            </select>
            <button type="button" className="rounded border border-slate-400 px-2" aria-label="Zoom in" onClick={() => setZoom((z) => zoomLevels.find((l) => l > z) ?? z)}>
              +
            </button>
            <span className="text-slate-600">
              {W} × {H} px
            </span>
            {editable && <span className="ml-auto">Placing: {toolLabels[tool]}</span>}
          </div>
          <div className="max-h-[75vh] overflow-auto rounded border border-slate-300 bg-slate-100" data-testid="figure-scroll">
            {image ? (
              <FigureCanvas
                ref={canvasRef}
                src={`/api/reviews/${reviewId}/files/${image.fileId}`}
                alt={`${figure.label}${figure.caption ? `: ${figure.caption}` : ""}`}
                width={W}
                height={H}
                zoom={zoom}
                calibration={shownCalibration}
                references={editable || !mine ? references : []}
                readings={drawn}
                colourOf={colour}
                selectedPointId={selectedId}
                cursor={cursor}
                placing={editable && tool !== "select"}
                instructionsId={instructionsId}
                onPick={pick}
                onCursor={setCursor}
                onArrow={arrow}
                onEscape={() => {
                  setSelectedId(null);
                  if (editable) setTool("mean");
                }}
                onDelete={() => {
                  const point = editable ? mine?.points.find((p) => p.id === selectedId) : undefined;
                  if (point) void removePoint(point.id, point.version);
                }}
              />
            ) : (
              <p className="p-4">The image is missing.</p>
            )}
          </div>
          <p id={instructionsId} className="text-xs text-slate-700">
            Click on the figure, or focus it and move the crosshair with the arrow keys (Shift: 10 px) and press Enter, to place the current point. With
            “Select and move”, click a point (or choose it in the table) and nudge it with the arrow keys, one image pixel at a time; Delete removes it,
            Escape deselects. Any reading you may see can be inspected the same way.
          </p>
        </div>

        <aside className="w-full space-y-4 lg:w-[26rem]" aria-label="Digitiser controls">
          <Magnifier image={imageElement} focus={focus} caption={focusReading} />

          {editable && (
            <section aria-labelledby="calibrate" className="space-y-2 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
              <h2 id="calibrate" className="font-semibold">
                1. Calibrate the axes
              </h2>
              <p className="text-xs text-slate-700">Place two reference points per axis (e.g. the first and last labelled ticks) and type their values. The grid overlay shows the result at once.</p>
              {(needsX ? (["y", "x"] as const) : (["y"] as const)).map((axis) => (
                <fieldset key={axis} className="space-y-1">
                  <legend className="text-sm font-medium">{axis === "y" ? `Y axis (${data.outcome.name})` : "X axis (days after injury)"}</legend>
                  <div className="flex flex-wrap items-end gap-2">
                    {(["p1", "p2"] as const).map((which, i) => {
                      const t = `${axis}${i + 1}` as Tool;
                      const valueKey = i === 0 ? "v1" : "v2";
                      return (
                        <div key={which} className="space-y-1">
                          {toolButton(t, `Place ${axis.toUpperCase()}${i + 1}${draft[axis][which] ? " ✓" : ""}`)}
                          <label htmlFor={`ref-${t}`} className="block text-xs">
                            {axis.toUpperCase()}
                            {i + 1} value
                          </label>
                          <input
                            id={`ref-${t}`}
                            ref={(el) => {
                              valueInputs.current[t] = el;
                            }}
                            inputMode="decimal"
                            className={`${field} w-24 tabular`}
                            value={draft[axis][valueKey]}
                            onChange={(e) => {
                              const text = e.target.value;
                              setDraft((d) => ({ ...d, [axis]: { ...d[axis], [valueKey]: text } }));
                              setDraftDirty(true);
                            }}
                          />
                        </div>
                      );
                    })}
                    <div>
                      <label htmlFor={`scale-${axis}`} className="block text-xs">
                        {axis.toUpperCase()} scale
                      </label>
                      <select
                        id={`scale-${axis}`}
                        className={field}
                        value={draft[axis].scale}
                        onChange={(e) => {
                          const scale = e.target.value as "linear" | "log";
                          setDraft((d) => ({ ...d, [axis]: { ...d[axis], scale } }));
                          setDraftDirty(true);
                        }}
                      >
                        <option value="linear">linear</option>
                        <option value="log">logarithmic</option>
                      </select>
                    </div>
                  </div>
                </fieldset>
              ))}
              {"problem" in draftResult && (draft.y.p1 || draft.y.p2) && <p className="text-xs text-red-800">{draftResult.problem}</p>}
              <button type="button" className="rounded bg-blue-700 px-3 py-1 text-sm text-white disabled:opacity-50" disabled={saveCalibration.isPending || (!draftDirty && !!savedCalibration)} onClick={() => void submitCalibration()}>
                Save calibration
              </button>
              {savedCalibration && !draftDirty && <span className="ml-2 text-xs text-green-800">Saved</span>}
            </section>
          )}

          {editable && (
            <section aria-labelledby="mark" className="space-y-2 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
              <h2 id="mark" className="font-semibold">
                2. Mark means and error bars
              </h2>
              <fieldset>
                <legend className="text-sm font-medium">Series (arms of the study)</legend>
                <div className="mt-1 space-y-1">
                  {arms.map((a) => (
                    <div key={a.id} className="flex flex-wrap items-center gap-2 text-sm">
                      <input type="radio" id={`arm-${a.id}`} name="series" checked={armId === a.id} onChange={() => setArmId(a.id)} />
                      <span aria-hidden="true" className="inline-block h-3 w-3 rounded-full" style={{ background: colour(a.id) }} />
                      <label htmlFor={`arm-${a.id}`} className="min-w-24">
                        {a.label} <span className="text-xs text-slate-600">({a.kind})</span>
                      </label>
                      <label htmlFor={`n-${a.id}`} className="text-xs">
                        n (from the text)
                      </label>
                      <input id={`n-${a.id}`} inputMode="numeric" className={`${field} w-16 tabular`} value={nByArm[a.id] ?? ""} onChange={(e) => setNByArm((m) => ({ ...m, [a.id]: e.target.value }))} />
                    </div>
                  ))}
                </div>
              </fieldset>
              <div className="flex flex-wrap items-end gap-3 text-sm">
                <div>
                  <label htmlFor="point-day" className="block text-xs">
                    Day {needsX ? "(read from the x axis)" : "(of this group of bars)"}
                  </label>
                  <input id="point-day" inputMode="decimal" className={`${field} w-20 tabular`} value={dayText} onChange={(e) => setDayText(e.target.value)} />
                </div>
                <div>
                  <label htmlFor="error-type" className="block text-xs">
                    Error bars show
                  </label>
                  <select id="error-type" className={field} value={errorType} onChange={(e) => setErrorType(e.target.value as ErrorType)}>
                    {errorTypes.map((t) => (
                      <option key={t} value={t}>
                        {errorTypeLabels[t]}
                      </option>
                    ))}
                  </select>
                </div>
              </div>
              <div className="flex flex-wrap gap-2" role="group" aria-label="What a click places">
                {toolButton("mean", "Place mean")}
                {toolButton("error_end", "Place error-bar end")}
                {toolButton("select", "Select and move")}
              </div>
            </section>
          )}

          <ReadingsPanel reviewId={reviewId} data={data} role={role} hidden={hidden} onToggle={(id) => setHidden((h) => new Set(h.has(id) ? [...h].filter((x) => x !== id) : [...h, id]))} onMessage={report} />
        </aside>
      </div>

      {visibleReadings.map((r) => (
        <ReadingTables
          key={r.id}
          reading={r}
          data={data}
          editable={editable && r.isMine}
          canSend={role === "lead" || r.isMine}
          colour={colour}
          armLabel={armLabel}
          selectedId={selectedId}
          onSelect={selectPoint}
          onDelete={(id, version) => void removePoint(id, version)}
          onSend={(pair, replaceVersion) => void toGrid(pair, replaceVersion)}
        />
      ))}
    </div>
  );
}

function DeleteFigure({ reviewId, studyId, figure, valuesInGrid }: { reviewId: number; studyId: number; figure: FigureData["figure"]; valuesInGrid: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const remove = useMutation(trpc.figures.delete.mutationOptions());
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!asking)
    return (
      <button type="button" className="mt-2 rounded border border-red-700 px-2 py-0.5 text-sm text-red-800" onClick={() => setAsking(true)}>
        Delete this figure…
      </button>
    );
  return (
    <div role="group" aria-label="Confirm deletion" className="mt-2 flex flex-wrap items-center gap-2 rounded bg-red-50 px-2 py-1 text-sm text-red-900">
      <span>
        Delete {figure.label}, its readings{valuesInGrid ? ` and its ${valuesInGrid} values in the outcome grid` : ""}? The audit trail keeps a copy.
      </span>
      <button
        type="button"
        className="rounded bg-red-700 px-2 py-0.5 text-white"
        onClick={() =>
          void remove.mutateAsync({ reviewId, figureId: figure.id, version: figure.version }).then(
            () => router.push(`/reviews/${reviewId}/studies/${studyId}/figures`),
            (e: unknown) => setError(errorMessage(e)),
          )
        }
      >
        Delete
      </button>
      <button type="button" className="rounded border border-slate-500 px-2 py-0.5" onClick={() => setAsking(false)}>
        Cancel
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}

function ReadingTables(props: {
  reading: ReadingData;
  data: FigureData;
  editable: boolean;
  canSend: boolean;
  colour: (armId: number) => string;
  armLabel: (armId: number) => string;
  selectedId: number | null;
  onSelect: (id: number) => void;
  onDelete: (id: number, version: number) => void;
  onSend: (pair: { armId: number; day: number }, replaceVersion: number | null) => void;
}) {
  const { reading, data } = props;
  const unit = data.outcome.unit;
  return (
    <section aria-labelledby={`values-${reading.id}`} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id={`values-${reading.id}`} className="text-lg font-semibold">
        Reading {reading.ordinal} by {reading.readerName}
        {reading.isMine ? " (yours)" : ""} {reading.isStanding ? "· its values stand in the grid" : ""}
      </h2>
      <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={`Values read, reading ${reading.ordinal} (scrolls sideways)`}>
        <table className="min-w-full text-sm" aria-label={`Values read, reading ${reading.ordinal}`}>
          <thead className="bg-slate-100 text-left">
            <tr>
              <th className="px-2 py-1">Arm</th>
              <th className="px-2 py-1">Day</th>
              <th className="px-2 py-1">Mean ({unit})</th>
              <th className="px-2 py-1">Error</th>
              <th className="px-2 py-1">Outcome grid</th>
            </tr>
          </thead>
          <tbody>
            {reading.pairs.length === 0 && (
              <tr>
                <td colSpan={5} className="px-2 py-2 text-slate-600">
                  No points placed yet.
                </td>
              </tr>
            )}
            {reading.pairs.map((p) => (
              <tr key={`${p.armId}:${p.day}`} className="border-t border-slate-100">
                <td className="px-2 py-1">
                  <span aria-hidden="true" className="mr-1 inline-block h-2.5 w-2.5 rounded-full" style={{ background: props.colour(p.armId) }} />
                  {props.armLabel(p.armId)}
                </td>
                <td className="px-2 py-1 tabular">{p.day}</td>
                <td className="px-2 py-1 tabular">{fmt(p.mean, 3)}</td>
                <td className="px-2 py-1 tabular">{p.error !== null ? `${fmt(p.error, 3)} ${p.errorType ? errorTypeLabels[p.errorType] : ""}` : "—"}</td>
                <td className="px-2 py-1">
                  {grid[p.grid.status]}
                  {p.grid.status === "needs_n" && props.canSend && (
                    <button type="button" className="ml-2 rounded border border-blue-700 px-1 text-blue-800" onClick={() => props.onSend(p, null)}>
                      Send to grid
                    </button>
                  )}
                  {p.grid.status === "conflict" && (
                    <>
                      <span className="text-xs text-slate-600"> (mean {fmt(p.grid.mean, 3)})</span>
                      {props.canSend && (
                        <button type="button" className="ml-2 rounded border border-red-700 px-1 text-red-800" onClick={() => props.onSend(p, p.grid.status === "conflict" ? p.grid.measurementVersion : null)}>
                          Replace with the figure&apos;s value
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary className="cursor-pointer text-sm font-medium">Where each value came from: calibration and {reading.points.length} placed points</summary>
        {reading.calibration && (
          <p className="mt-2 text-xs text-slate-700 tabular">
            Y axis ({reading.calibration.y.scale}): ({fmt(reading.calibration.y.p1.pixel.x, 1)}, {fmt(reading.calibration.y.p1.pixel.y, 1)}) = {reading.calibration.y.p1.value}; ({fmt(reading.calibration.y.p2.pixel.x, 1)},{" "}
            {fmt(reading.calibration.y.p2.pixel.y, 1)}) = {reading.calibration.y.p2.value}
            {reading.calibration.x &&
              ` · X axis (${reading.calibration.x.scale}): (${fmt(reading.calibration.x.p1.pixel.x, 1)}, ${fmt(reading.calibration.x.p1.pixel.y, 1)}) = ${reading.calibration.x.p1.value}; (${fmt(reading.calibration.x.p2.pixel.x, 1)}, ${fmt(reading.calibration.x.p2.pixel.y, 1)}) = ${reading.calibration.x.p2.value}`}
          </p>
        )}
        <div className="mt-2 overflow-x-auto" tabIndex={0} role="region" aria-label={`Placed points, reading ${reading.ordinal} (scrolls sideways)`}>
          <table className="min-w-full text-xs" aria-label={`Placed points, reading ${reading.ordinal}`}>
            <thead className="bg-slate-100 text-left">
              <tr>
                <th className="px-2 py-1">Arm</th>
                <th className="px-2 py-1">Day</th>
                <th className="px-2 py-1">Point</th>
                <th className="px-2 py-1">Pixel x, y</th>
                <th className="px-2 py-1">Value</th>
                <th className="px-2 py-1">Placed by, at</th>
                <th className="px-2 py-1">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {reading.points.map((p) => (
                <tr key={p.id} className={`border-t border-slate-100 ${props.selectedId === p.id ? "bg-yellow-50" : ""}`}>
                  <td className="px-2 py-1">{props.armLabel(p.armId)}</td>
                  <td className="px-2 py-1 tabular">{p.day}</td>
                  <td className="px-2 py-1">{p.kind === "mean" ? "mean" : `error-bar end (${p.errorType ? errorTypeLabels[p.errorType] : "—"})`}</td>
                  <td className="px-2 py-1 tabular">
                    {fmt(p.pixelX, 1)}, {fmt(p.pixelY, 1)}
                  </td>
                  <td className="px-2 py-1 tabular">{fmt(p.value, 4)}</td>
                  <td className="px-2 py-1">
                    {p.placedByName}, {new Date(p.updatedAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC
                  </td>
                  <td className="px-2 py-1 whitespace-nowrap">
                    <button type="button" className="rounded border border-slate-400 px-1" onClick={() => props.onSelect(p.id)}>
                      {props.editable ? "Select" : "Show"} <span className="sr-only">{`${props.armLabel(p.armId)} day ${p.day} ${p.kind === "mean" ? "mean" : "error-bar end"}`}</span>
                    </button>{" "}
                    {props.editable && (
                      <button type="button" className="rounded border border-red-700 px-1 text-red-800" onClick={() => props.onDelete(p.id, p.version)}>
                        Delete <span className="sr-only">{`${props.armLabel(p.armId)} day ${p.day} ${p.kind === "mean" ? "mean" : "error-bar end"}`}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
