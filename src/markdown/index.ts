// `llm-sse-client/markdown`: streamed Markdown, linear and safe. The pure
// block stream, and a DOM renderer on top of it.

export { createMarkdownStream } from './stream.js'
export { createMarkdownRenderer, renderMarkdown } from './render.js'
export type { MarkdownRenderOptions, MarkdownRenderer, RenderMarkdownOptions } from './render.js'
export type { HtmlSanitizer } from './html.js'
export type { Block, MarkdownSnapshot, MarkdownStats, MarkdownStream, MarkdownStreamOptions, MarkdownToken } from './types.js'
