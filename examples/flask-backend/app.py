"""Reference Flask backend for llm-sse-client: the seed's app, made correct.

Same routes and same wire format as the seed (see README.md): one SSE event
per token, ``data: {'content': ..., 'request_id': ..., 'userid': ...}``
printed with Python ``repr()`` (or JSON with ``--format json``), then the
last dict again plus ``'status': 'completed'``. What changed: the prompt is
read, errors become an ``event: error`` or a JSON error response instead of a
cut stream or an HTML 500, the upstream request is closed when the browser
goes away, and ``after_event`` only sees complete answers.

Run: ``python app.py --port 5000`` (see README.md for the environment).
"""

import argparse
import logging
import os
import selectors
import signal
import socket
import sys
import threading
import uuid
from collections import deque
from dataclasses import dataclass

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

import llm
import resumable
import sse

DEFAULT_PROMPT = '详解一下flask框架'  # the seed's hard-coded prompt
USERID = '789465'  # the seed's; real deployments send the user's id here
STREAM_HEADERS = {
    # Without these a proxy (nginx buffers by default) or a cache may hold
    # the whole answer back and deliver it at once.
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
}

log = logging.getLogger('flask-backend')


def _seconds(raw, default: float) -> float:
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f'LLM_TIMEOUT must be a positive number of seconds, not {raw!r}')
    return value


@dataclass(frozen=True)
class Config:
    """Settings; ``Config.from_env()`` reads them from the environment."""

    base_url: str = 'http://127.0.0.1:8787/v1'
    api_key: str = 'mock-key'
    model: str = 'deepseek-r1:14b'
    format: str = 'repr'
    timeout: float = 60.0
    forward_faults: bool = False

    @staticmethod
    def from_env(env=os.environ) -> 'Config':
        return Config(
            base_url=env.get('OPENAI_BASE_URL') or Config.base_url,
            api_key=env.get('OPENAI_API_KEY') or Config.api_key,
            model=env.get('LLM_MODEL') or Config.model,
            format=env.get('SSE_FORMAT') or Config.format,
            timeout=_seconds(env.get('LLM_TIMEOUT'), Config.timeout),
            forward_faults=env.get('FLASK_FORWARD_FAULTS', '') in ('1', 'true', 'yes', 'on'),
        )


class Stats:
    """Counters behind ``GET /__stats``: one generation per click, disconnects seen."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()
        self.open = 0

    def reset(self):
        with self._lock:
            self.requests = {'/stream/get': 0, '/stream/post': 0}
            self.completed = 0
            self.disconnected = 0
            self.errors = 0

    def add(self, name, key=None, n=1):
        with self._lock:
            if key is None:
                setattr(self, name, getattr(self, name) + n)
            else:
                table = getattr(self, name)
                table[key] = table.get(key, 0) + n

    def snapshot(self):
        with self._lock:
            return {
                'requests': dict(self.requests),
                'completed': self.completed,
                'disconnected': self.disconnected,
                'errors': self.errors,
                'open': self.open,
            }


def watch_client(client: socket.socket, on_gone):
    """Call ``on_gone()`` as soon as the browser closes its connection.

    Werkzeug only notices a gone client when a write fails, i.e. at the next
    token or later; while the upstream is silent (a stalled or slow model)
    the generation would go on, billed, for nobody. The request was read in
    full before streaming starts, so the socket turning readable means EOF.
    Returns ``stop()``.
    """
    wake_r, wake_w = socket.socketpair()
    # selectors, not select.select: that one fails on descriptors >= 1024.
    selector = selectors.DefaultSelector()
    selector.register(client, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)

    def run():
        try:
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if wake_r in ready:
                    return
                try:
                    data = client.recv(1, socket.MSG_PEEK | getattr(socket, 'MSG_DONTWAIT', 0))
                except BlockingIOError:
                    continue
                except OSError:
                    data = b''
                if not data:
                    on_gone()
                # Data means a pipelined request: stop watching, the next failed write will tell.
                return
        except (OSError, ValueError):
            return  # the server closed the socket first
        finally:
            selector.close()
            wake_r.close()

    threading.Thread(target=run, name='client-watch', daemon=True).start()
    return wake_w.close


class Turn:
    """One streamed answer: the upstream stream, its state and its cleanup.

    The state moves once, from ``streaming`` to ``completed``, ``error`` or
    ``disconnected``; the first to claim it wins (the generator thread and
    the client watcher race at the end of a stream).
    """

    def __init__(self, stats: Stats, route: str, prompt: str):
        self.stats = stats
        self.route = route
        self.prompt = prompt
        self.request_id = str(uuid.uuid4())
        self.state = 'streaming'
        self.stream = None
        self._lock = threading.Lock()
        self._closed = False
        self._stop_watch = None
        stats.add('requests', route)
        stats.add('open')

    def claim(self, state: str) -> bool:
        with self._lock:
            if self.state != 'streaming':
                return False
            self.state = state
        self.stats.add({'completed': 'completed', 'error': 'errors', 'disconnected': 'disconnected'}[state])
        return True

    def watch(self, client_socket) -> None:
        if client_socket is not None:
            self._stop_watch = watch_client(client_socket, self._client_gone)

    def _client_gone(self) -> None:
        if self.claim('disconnected'):
            log.info('client went away, stopping generation %s', self.request_id)
            if self.stream is not None:
                llm.interrupt(self.stream)

    def close(self) -> None:
        """Idempotent; called by the body generator and by Flask ``call_on_close`` (for a body never started)."""
        if self._closed:
            return
        self._closed = True
        # Still streaming here means Werkzeug closed the generator early:
        # a write to the browser failed.
        if self.claim('disconnected'):
            log.info('client went away during generation %s', self.request_id)
        try:
            if self._stop_watch is not None:
                self._stop_watch()
            if self.stream is not None:
                # Closes the upstream HTTP connection, so the LLM server stops generating.
                self.stream.close()
        finally:
            self.stats.add('open', n=-1)


SAVED = deque(maxlen=100)


def after_event(record: dict) -> None:
    """The seed's "save to database" hook; called only for a complete answer."""
    SAVED.append(record)
    log.info('saved answer %s: %d chars, %d reasoning chars', record['request_id'], len(record['text']), len(record['reasoning']))


def event_stream(turn: Turn, first, tokens, fmt: str):
    """The SSE body. ``first`` was read before the headers were sent."""
    try:
        yield from _events(turn, first, tokens, fmt)
    finally:
        # Also closed by ``call_on_close``, but Werkzeug 3.1 skips that when
        # the browser resets the connection during its final socket drain
        # (``rfile.read`` raises ECONNRESET before ``application_iter.close()``):
        # the stream stayed open forever. A generator's ``finally`` runs on
        # its last ``next()`` or when it is dropped, so this always happens.
        turn.close()


def _events(turn: Turn, first, tokens, fmt: str):
    base = {'content': '', 'request_id': turn.request_id, 'userid': USERID}
    last = base
    text, reasoning = [], []
    piece = first
    try:
        while piece is not None:
            last = dict(base, content=piece.content)
            # Only when the upstream sends it, so the default format stays the seed's.
            if piece.reasoning:
                last['reasoning_content'] = piece.reasoning
            text.append(piece.content)
            reasoning.append(piece.reasoning)
            yield sse.data_event(last, fmt)
            piece = next(tokens, None)
    except Exception as error:  # GeneratorExit (browser gone) is not an Exception
        if turn.claim('error'):
            _, kind, message, _ = llm.describe(error)
            log.warning('generation %s failed mid-stream (%s): %s', turn.request_id, kind, message)
            yield sse.error_event(message)
        return
    if not turn.claim('completed'):
        return
    try:
        after_event({'request_id': turn.request_id, 'prompt': turn.prompt, 'text': ''.join(text), 'reasoning': ''.join(reasoning)})
    except Exception:
        # The answer reached the user whole; a failed save is the server's problem.
        log.exception('after_event failed for %s', turn.request_id)
    # As the seed: the previous dict plus the status, so `content` repeats the
    # last token. Clients must not append it (real deployments do this).
    yield sse.data_event(dict(last, status='completed'), fmt)


class ClientGone(Exception):
    pass


def error_response(status: int, kind: str, message: str, **extra):
    body = {'error': {'message': message, 'type': kind, **extra}}
    return jsonify(body), status


def create_app(config: Config = None, stats: Stats = None) -> Flask:
    config = config or Config.from_env()
    if config.format not in sse.FORMATS:
        raise ValueError(f'SSE format must be one of {", ".join(sse.FORMATS)}, not {config.format!r}')
    stats = stats or Stats()
    client = llm.create_client(config.base_url, config.api_key, config.timeout)
    runner = resumable.runner_from_env()
    app = Flask(__name__)
    app.json.ensure_ascii = False

    def fault_headers():
        # Test mode only: lets a test ask the mock upstream for a fault
        # (`x-mock-dropAfter: 3`) through this backend.
        if not config.forward_faults:
            return None
        return {k: v for k, v in request.headers.items() if k.lower().startswith('x-mock-')}

    def start(route: str, prompt: str):
        if runner is not None:
            stats.add('requests', route)
            return resumable.start(
                runner,
                lambda: llm.open_stream(client, config.model, prompt, fault_headers()),
                fmt=config.format,
                userid=USERID,
                on_complete=lambda answer: (stats.add('completed'), after_event(dict(answer, prompt=prompt))),
                error_response=error_response,
                describe=llm.describe,
            )
        turn = Turn(stats, route, prompt)
        turn.watch(request.environ.get('werkzeug.socket'))
        tokens = None
        try:
            turn.stream = llm.open_stream(client, config.model, prompt, fault_headers())
            if turn.state != 'streaming':
                raise ClientGone()  # left while we connected: the watcher had no stream to interrupt
            tokens = llm.pieces(turn.stream)
            # Read up to the first token before sending any header, so an
            # upstream that fails at once gets a real error status instead
            # of a 200 stream that dies.
            first = next(tokens, None)
        except Exception as error:
            status, kind, message, upstream_status = llm.describe(error)
            gone = not turn.claim('error')
            turn.close()
            if gone:
                return error_response(499, 'client_closed', 'the client went away')
            log.warning('generation %s failed before the first token (%s): %s', turn.request_id, kind, message)
            extra = {'upstream_status': upstream_status} if upstream_status else {}
            return error_response(status, kind, message, request_id=turn.request_id, **extra)
        response = Response(
            event_stream(turn, first, tokens, config.format),
            mimetype='text/event-stream',
            headers={**STREAM_HEADERS, 'X-Request-Id': turn.request_id},
        )
        response.call_on_close(turn.close)
        return response

    @app.get('/stream/get')
    def stream_get():
        resumed = resumable.resume(runner) if runner is not None else None
        if resumed is not None:
            return resumed
        return start('/stream/get', request.args.get('text') or DEFAULT_PROMPT)

    @app.post('/stream/post')
    def stream_post():
        # A resume re-sends the original body; the id alone says what to continue.
        resumed = resumable.resume(runner) if runner is not None else None
        if resumed is not None:
            return resumed
        body = None
        if request.get_data().strip():
            body = request.get_json(force=True, silent=True)
            if body is None:
                return error_response(400, 'bad_request', 'the body must be JSON like {"prompt": "..."}')
        prompt = body.get('prompt') if isinstance(body, dict) else None
        if prompt is not None and not isinstance(prompt, str):
            return error_response(400, 'bad_request', '"prompt" must be a string')
        return start('/stream/post', prompt or DEFAULT_PROMPT)

    @app.post('/stream/<stream_id>/cancel')
    def stream_cancel(stream_id):
        if runner is None:
            return error_response(404, 'http_error', 'resumable mode is off: set REDIS_URL or RESUMABLE=1')
        return resumable.cancel(runner, stream_id)

    @app.get('/test')
    def test():
        return '欢迎使用DeepSeek流式输出示例!'

    @app.get('/')
    def index():
        lines = [
            'llm-sse-client reference backend (Flask).',
            '',
            'GET  /stream/get?text=...      SSE answer',
            'POST /stream/post {"prompt"}   SSE answer',
            'GET  /test                     plain text',
            'GET  /__stats                  counters',
            '',
            'The demo pages are served by `npm run demo` (examples/), which proxies /stream/ here.',
            f'Upstream: {config.base_url} model {config.model}, format {config.format}.',
        ]
        return Response('\n'.join(lines) + '\n', mimetype='text/plain')

    @app.get('/__stats')
    def get_stats():
        return jsonify(stats.snapshot())

    @app.post('/__reset')
    def reset_stats():
        stats.reset()
        return jsonify(stats.snapshot())

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # JSON like every other error here, not Werkzeug's HTML page.
        return error_response(error.code or 500, 'http_error', error.description or error.name)

    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description='Reference Flask backend streaming an OpenAI-compatible LLM as SSE.')
    parser.add_argument('--host', default=os.environ.get('HOST', '127.0.0.1'))
    parser.add_argument('--port', type=int, default=int(os.environ.get('PORT', '5000')), help='0 picks a free port')
    parser.add_argument('--format', choices=sse.FORMATS, default=None, help='event payload: repr (the seed) or json (env SSE_FORMAT)')
    parser.add_argument('--forward-faults', action='store_true', default=None, help='forward x-mock-* request headers upstream (tests only; env FLASK_FORWARD_FAULTS=1)')
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(name)s %(levelname)s %(message)s')
    try:
        config = Config.from_env()
        overrides = {}
        if args.format:
            overrides['format'] = args.format
        if args.forward_faults:
            overrides['forward_faults'] = True
        if overrides:
            config = Config(**{**config.__dict__, **overrides})
        app = create_app(config)
    except ValueError as error:
        parser.error(str(error))  # a bad SSE_FORMAT or LLM_TIMEOUT: exit 2 with the reason, no traceback

    server = make_server(args.host, args.port, app, threaded=True)
    host = f'[{args.host}]' if ':' in args.host else args.host
    # Machine-readable: test helpers and scripts/demo.mjs wait for this line (with --port 0).
    print(f'LISTENING http://{host}:{server.server_port}', flush=True)
    log.info('upstream %s, model %s, format %s', config.base_url, config.model, config.format)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == '__main__':
    main()
