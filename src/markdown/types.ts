/**
 * One token of the Markdown library's token stream (markdown-it's `Token`,
 * reduced to the fields this entry reads), so the public types do not change
 * when the library's do.
 * @public
 */
export interface MarkdownToken {
  /** `paragraph_open`, `inline`, `text`, `fence`, `link_open`... */
  type: string
  /** The HTML tag the library would use (`p`, `h2`, `a`...). */
  tag: string
  /** Attributes as `[name, value]` pairs, before any safety check. */
  attrs: [string, string | number][] | null
  /** Text of a leaf token (the code of a fence, the text of a `text`). */
  content: string
  /** A fence's info string (`js title=x`). */
  info: string
  /** `1` opens a tag, `-1` closes it, `0` is self-contained. */
  nesting: 1 | 0 | -1
  /** A paragraph of a tight list: its content is shown without the `<p>`. */
  hidden: boolean
  /** The inline tokens of an `inline` or `image` token. */
  children: MarkdownToken[] | null
}

/**
 * A top-level Markdown block (paragraph, heading, list, table, code block...).
 * @public
 */
export interface Block {
  /** Stable id: a committed block keeps it for good; the tail's is the id its first block will get. */
  readonly id: number
  /** The Markdown source of the block, with the blank lines that follow it. */
  readonly source: string
  /** The block's tokens, as markdown-it makes them. */
  readonly tokens: readonly MarkdownToken[]
}

/**
 * What a {@link MarkdownStream} shows now: blocks that can no longer change,
 * and the one still growing.
 * @public
 */
export interface MarkdownSnapshot {
  /**
   * Blocks no later text can change, in order. The array only grows; its
   * entries are never modified, with one documented exception: a link
   * reference definition (`[x]: https://...`) committed after a block that
   * used `[x]` replaces that block by a new one with a new id (see `revision`).
   */
  readonly committed: readonly Block[]
  /** The last, still growing block(s), with half-written syntax completed; `undefined` when there is none. */
  readonly tail: Block | undefined
  /** Counts replaced committed blocks (late reference definitions); unchanged in almost every answer. */
  readonly revision: number
  /** `finish()` was called: everything is committed. */
  readonly finished: boolean
}

/** Options of {@link createMarkdownStream}. @public */
export interface MarkdownStreamOptions {
  /**
   * Parse raw HTML in the Markdown. Off, tags are shown as text. A renderer
   * only shows parsed HTML through a sanitizer (DOMPurify).
   * @default false
   */
  html?: boolean | undefined
  /**
   * Turn bare URLs (`https://example.com`, `www.example.com`) into links, as GitHub does.
   * @default true
   */
  linkify?: boolean | undefined
  /**
   * Turn single newlines inside a paragraph into line breaks.
   * @default false
   */
  breaks?: boolean | undefined
}

/** Work counters of a {@link MarkdownStream}: they show parsing stays linear. @public */
export interface MarkdownStats {
  /** Characters handed to the Markdown parser so far. */
  parsedChars: number
  /** Parser runs so far. */
  parses: number
}

/**
 * Incremental Markdown: text goes in piece by piece, blocks come out. Pure
 * (no DOM). See {@link createMarkdownStream}.
 * @public
 */
export interface MarkdownStream {
  /** Add text. Cheap: parsing waits until the next `snapshot` read. */
  append(text: string): void
  /** No more text: the tail is parsed as is (no completion) and committed. */
  finish(): void
  /** Forget everything, to start another answer. Ids keep growing. */
  reset(): void
  /** The blocks now; parses the tail once if text was appended since the last read. */
  readonly snapshot: MarkdownSnapshot
  /** Work done so far. */
  readonly stats: Readonly<MarkdownStats>
}
