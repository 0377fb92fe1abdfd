// <Markdown :text="message.text" :done="..." />: streamed Markdown in Vue.
// Vue owns one empty <div>; llm-sse-client/markdown owns its children, so a
// finished block is built once and never patched again.

import { defineComponent, h, onMounted, ref, watch } from 'vue'
import type { PropType } from 'vue'
import { createMarkdownRenderer } from '../markdown/index.js'
import type { MarkdownRenderOptions, MarkdownRenderer } from '../markdown/index.js'

/**
 * Render streamed Markdown. Props: `text` (the Markdown so far; it grows,
 * any other change starts over), `done` (the text is complete), `options`
 * (those of `createMarkdownRenderer`, read once at mount).
 *
 * @example
 * ```ts
 * h(Markdown, { text: message.text, done: message.status !== 'streaming' })
 * ```
 * @public
 */
export const Markdown = defineComponent({
  name: 'Markdown',
  props: {
    text: { type: String, required: true },
    done: { type: Boolean, default: false },
    options: { type: Object as PropType<MarkdownRenderOptions>, default: undefined },
  },
  setup(props) {
    const el = ref<HTMLDivElement>()
    let view: MarkdownRenderer | undefined
    let text = ''
    let done = false
    const sync = () => {
      view ??= createMarkdownRenderer(el.value!, { schedule: (f) => f(), ...props.options })
      if (!props.text.startsWith(text) || (done && props.text !== text)) {
        view.reset()
        text = ''
        done = false
      }
      if (props.text !== text) view.append(props.text.slice(text.length))
      text = props.text
      if (props.done && !done) view.finish({ inFrames: true })
      done ||= props.done
    }
    onMounted(sync)
    watch(
      () => [props.text, props.done],
      () => el.value && sync(),
      { flush: 'post' },
    )
    return () => h('div', { ref: el })
  },
})
