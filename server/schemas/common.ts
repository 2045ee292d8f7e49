import { z } from "zod";

/** Bounded text: trimmed, at most `max` characters. Rendered as text by React, never as HTML. */
export const boundedText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
export const requiredText = (max: number) => boundedText(max).min(1, "is required");
export const finiteNumber = z.number({ error: "must be a number" }).finite("must be a finite number");
export const id = z.number().int().positive();
export const version = z.number().int().positive();
