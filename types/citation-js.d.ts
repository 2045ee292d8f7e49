// citation-js ships no type declarations; these cover what server/services/references uses.
declare module "@citation-js/core" {
  export class Cite {
    constructor(data: unknown, options?: Record<string, unknown>);
    data: unknown[];
    format(format: string, options?: Record<string, unknown>): string;
  }
}
declare module "@citation-js/plugin-ris";
declare module "@citation-js/plugin-bibtex";
