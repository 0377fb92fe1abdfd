// jsdom tests wait for conditions a stream reaches over loopback; on a loaded
// two-core machine that can take seconds, so `waitFor` and `findBy*` wait up
// to 10 s (they still return as soon as the condition holds).
import { configure } from '@testing-library/dom'

configure({ asyncUtilTimeout: 10_000 })
