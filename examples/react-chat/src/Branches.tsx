// `< 2/3 >` on a message that was edited or regenerated: flip between its
// versions (chat.switchBranch); the conversation after it follows.

export function Branches(props: { id: string; index: number; count: number; disabled: boolean; onSwitch: (id: string, index: number) => unknown }) {
  const { id, index, count, disabled, onSwitch } = props
  if (count < 2) return null
  return (
    <nav className="branches" aria-label="Versions">
      <button type="button" className="prev ghost" aria-label="Previous version" disabled={disabled || index === 0} onClick={() => onSwitch(id, index - 1)}>
        ‹
      </button>
      <span className="branch-index" aria-live="polite">
        {index + 1}/{count}
      </span>
      <button type="button" className="next ghost" aria-label="Next version" disabled={disabled || index === count - 1} onClick={() => onSwitch(id, index + 1)}>
        ›
      </button>
    </nav>
  )
}
