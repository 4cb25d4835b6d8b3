/** Tags as chips; clicking one calls `onSelect` (the list filters by it). */
export function Tags({ tags, onSelect }: { tags: readonly string[]; onSelect?: (tag: string) => void }) {
  if (tags.length === 0) return <span class="faint">—</span>;
  return (
    <span>
      {tags.map((tag) => (
        <span
          key={tag}
          class="tag"
          title={tag}
          role={onSelect ? "button" : undefined}
          onClick={
            onSelect
              ? (event) => {
                  event.stopPropagation();
                  onSelect(tag);
                }
              : undefined
          }
        >
          {tag}
        </span>
      ))}
    </span>
  );
}
