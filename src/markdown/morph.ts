// The growing block's new nodes written over its old ones in place: a node
// of the same kind is kept and updated, a text that only grew is appended
// to. A selection inside the block (or a link being hovered) survives the
// update, and the DOM does the least work.

/**
 * Make `old` (consecutive children of `parent`, last among them) look like
 * `next`, reusing old nodes where the kind matches.
 * @returns the nodes now in `parent`, one per `next` node
 * @internal
 */
export function morph(parent: Node, old: readonly Node[], next: readonly Node[]): Node[] {
  const out: Node[] = []
  // Nodes past the old ones go in together: one DOM write.
  const end = parent.ownerDocument!.createDocumentFragment()
  next.forEach((n, i) => {
    const o = old[i]
    if (o && o.nodeName === n.nodeName && o.nodeType === n.nodeType) {
      update(o, n)
      out.push(o)
    } else {
      if (o) parent.replaceChild(n, o)
      else end.appendChild(n)
      out.push(n)
    }
  })
  for (const o of old.slice(next.length)) parent.removeChild(o)
  if (end.firstChild) parent.appendChild(end)
  return out
}

function update(o: Node, n: Node): void {
  if (o.nodeType !== 1) {
    const a = (o as CharacterData).data
    const b = (n as CharacterData).data
    // Only the changed end is replaced: a range before it keeps its offsets.
    let p = 0
    while (p < a.length && a[p] === b[p]) p++
    if (p < a.length || p < b.length) (o as CharacterData).replaceData(p, a.length - p, b.slice(p))
    return
  }
  const e = o as Element
  const f = n as Element
  for (const { name } of Array.from(e.attributes)) if (!f.hasAttribute(name)) e.removeAttribute(name)
  for (const { name, value } of Array.from(f.attributes)) if (e.getAttribute(name) !== value) e.setAttribute(name, value)
  morph(e, Array.from(e.childNodes), Array.from(f.childNodes))
}
