import type { ChatMessage } from './types.js'

/**
 * The branches at one place of the history: the messages that follow it on
 * each branch, and which branch the current path shows. That one's entry is
 * stale while it is shown (the path is the truth) and is written when the
 * path leaves it.
 * @internal
 */
export interface Fork {
  tails: (readonly ChatMessage[])[]
  index: number
}

/**
 * Branch points, keyed by the message before them (the object, not its id:
 * an edited question keeps its id, yet the answers below the old and the new
 * one are different branches). A message replaced by a newer copy takes its
 * branches along (`move`).
 * @internal
 */
export function createForks() {
  const map = new WeakMap<object, Fork>()
  // The place before the first message; a new one when the history is replaced.
  let root = {}
  const at = (parent: ChatMessage | undefined) => map.get(parent ?? root)
  return {
    at,
    set: (parent: ChatMessage | undefined, fork: Fork) => void map.set(parent ?? root, fork),
    /** Keep `list.slice(i)` as a branch and start a new, empty one at `i` (nothing to keep at the end). */
    fork(list: readonly ChatMessage[], i: number) {
      if (i >= list.length) return
      const parent = list[i - 1]
      const f = at(parent) ?? { tails: [], index: 0 }
      f.tails[f.index] = list.slice(i)
      f.index = f.tails.push([]) - 1
      map.set(parent ?? root, f)
    },
    /** The path with branch `index` (which must exist) at `i`. */
    switch(list: readonly ChatMessage[], i: number, index: number): readonly ChatMessage[] {
      const f = at(list[i - 1])!
      f.tails[f.index] = list.slice(i)
      return list.slice(0, i).concat(f.tails[(f.index = index)]!)
    },
    move(before: ChatMessage, after: ChatMessage) {
      const f = map.get(before)
      if (f) map.set(after, f)
    },
    reset: () => void (root = {}),
  }
}

/** @internal */
export type Forks = ReturnType<typeof createForks>
