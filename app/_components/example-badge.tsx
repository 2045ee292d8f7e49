export function ExampleBadge({ title = "Example values invented for the demo: not extracted from the study" }: { title?: string }) {
  return (
    <span title={title} className="ml-1 inline-block rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium whitespace-nowrap text-amber-900">
      example data
    </span>
  );
}
