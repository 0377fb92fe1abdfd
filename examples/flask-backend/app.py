"""Reference Flask backend for llm-sse-client, on the llm-sse kit (python/).

The routes and wire format of the Flask tutorial this project grew from
(see README.md): one SSE event per token, ``data: {'content': ...,
'request_id': ..., 'userid': ...}`` printed with Python ``repr()`` (or JSON
with ``--format json``), then the last dict again plus ``'status':
'completed'`` (JSON: ``{"content": "", ..., "status": "completed"}``); now with an id on every event, an end marker only when the
model finished, ``event: error`` or a JSON error instead of a cut stream or
an HTML 500, heartbeats, and the upstream closed when the browser goes away.

Run: ``python app.py --port 5000`` (see README.md for the environment).
"""

import logging
import signal
import sys
import uuid

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

import llm
import resumable
import routes
from llm_sse import BodyError, Failure, describe, tools
from llm_sse.ai_sdk.flask import ChatStreams, no_stream
from llm_sse.flask import error_response, read_json, refuse_resume, respond, stream
from llm_sse.payload import format_headers
from settings import CORS_EXPOSE, CORS_HEADERS, DEFAULT_PROMPT, INDEX, USERID, Config, app_from_command_line, fault_headers, metrics_response
from stats import Stats

log = logging.getLogger('flask-backend')


def create_app(config: Config = None, stats: Stats = None) -> Flask:
    config = config or Config.from_env()
    stats = stats or Stats()
    client = llm.create_client(config.base_url, config.api_key, config.timeout, config.upstream_connections)
    # REDIS_URL or RESUMABLE=1: generations outlive their requests (resumable.py).
    runner = resumable.runner_from_env()
    app = Flask(__name__)
    app.json.ensure_ascii = False
    # Werkzeug refuses a larger body with 413 before the route reads it.
    app.config['MAX_CONTENT_LENGTH'] = config.max_body_bytes
    if config.allowed_origins:
        from flask_cors import CORS

        CORS(app, origins=list(config.allowed_origins), allow_headers=CORS_HEADERS, expose_headers=CORS_EXPOSE, methods=['GET', 'POST'])

    def start(route: str, prompt: str):
        if runner is not None:
            stats.requested(route)
            return resumable.start(
                runner,
                lambda: client.chat.completions.create(**llm.request(config.model, prompt, fault_headers(config, request.headers))),
                fmt=config.format,
                userid=USERID,
                on_complete=routes.resumable_saved(stats, prompt),
            )
        options = routes.answer_options(config, str(uuid.uuid4()), prompt, stats)
        stats.started(route)
        try:
            upstream = client.chat.completions.create(**llm.request(config.model, prompt, fault_headers(config, request.headers)))
        except Exception as error:
            # Generic message and the request id to the client, details in the log.
            stats.ended('error')
            return error_response(describe(error, options['stream_id']), options['headers'])
        return stream(upstream, **options)

    @app.get('/stream/get')
    def stream_get():
        # Resumable: continue the stream Last-Event-ID names; else refuse to start over.
        resumed = resumable.resume(runner) if runner is not None else refuse_resume()
        if resumed is not None:
            return resumed
        return start('/stream/get', request.args.get('text') or DEFAULT_PROMPT)

    @app.post('/stream/post')
    def stream_post():
        # A resume re-sends the original body; the id alone says what to continue.
        resumed = resumable.resume(runner) if runner is not None else refuse_resume()
        if resumed is not None:
            return resumed
        body = read_json(config.max_body_bytes)
        prompt = body.get('prompt') if isinstance(body, dict) else None
        if prompt is not None and not isinstance(prompt, str):
            raise BodyError(400, '"prompt" must be a string')
        return start('/stream/post', prompt or DEFAULT_PROMPT)

    # The AI SDK's useChat (format ai-sdk) resumes by chat id: the runner records each chat's active stream.
    chats = ChatStreams(runner) if runner is not None and config.format == 'ai-sdk' else None

    @app.post('/api/chat')
    def api_chat():
        # A server-side tool loop (chat.py): the model may call get_time; one stream, one end marker.
        # useChat resumes by chat id (the GET route below); Last-Event-ID is honoured as on every stream route.
        resumed = resumable.resume(runner) if runner is not None else refuse_resume()
        if resumed is not None:
            return resumed
        plan = routes.chat_plan(config, read_json(config.max_body_bytes), request.headers, stats, runner is not None)

        def loop(stream_id: str) -> tools.ToolLoop:
            return tools.run(client, stream_id=stream_id, **plan.options)

        if chats is not None and plan.use_chat is not None:
            stats.requested('/api/chat')
            made = []

            def tracked(stream_id: str) -> tools.ToolLoop:
                made.append(loop(stream_id))
                return made[-1]

            return chats.respond(plan.use_chat.id, tracked, cancel=lambda: made and made[-1].interrupt(), headers=plan.headers)
        if runner is not None:
            stats.requested('/api/chat')
            return resumable.start_events(runner, loop, plan.headers)
        stats.started('/api/chat')
        events = loop(plan.request_id)
        headers = {**plan.headers, **format_headers(config.format)}
        return respond(events, heartbeat=config.heartbeat, cancel=events.interrupt, on_end=stats.ended, headers=headers)

    @app.get('/api/chat/<chat_id>/stream')
    def api_chat_stream(chat_id):
        # useChat({ resume: true }) on page load: the chat's answer still being generated, from its start; else 204.
        return chats.resume(chat_id) if chats is not None else no_stream()

    @app.post('/stream/<stream_id>/cancel')
    def stream_cancel(stream_id):
        if runner is None:
            return error_response(Failure(404, 'http_error', 'resumable mode is off: set REDIS_URL or RESUMABLE=1'))
        return resumable.cancel(runner, stream_id)

    @app.get('/test')
    def test():
        return '欢迎使用DeepSeek流式输出示例!'

    @app.get('/')
    def index():
        # Never the upstream URL: it may hold credentials (https://user:password@host).
        return Response(INDEX.format(server='Flask', model=config.model, format=config.format), mimetype='text/plain')

    if config.metrics:

        @app.get('/metrics')
        def get_metrics():
            body, content_type = metrics_response()
            return Response(body, content_type=content_type)

    @app.get('/__stats')
    def get_stats():
        return jsonify(stats.snapshot())

    @app.post('/__reset')
    def reset_stats():
        stats.reset()
        return jsonify(stats.snapshot())

    @app.errorhandler(BodyError)
    def bad_body(error: BodyError):
        return error_response(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # JSON like every other error here, not Werkzeug's HTML page.
        return error_response(Failure(error.code or 500, 'http_error', error.name))

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        request_id = str(uuid.uuid4())
        log.exception('request %s failed', request_id)
        return error_response(Failure(500, 'internal_error', 'the server failed', request_id))

    return app


def main(argv=None) -> None:
    args, config, app = app_from_command_line('Reference Flask backend streaming an OpenAI-compatible LLM as SSE.', create_app, argv)

    server = make_server(args.host, args.port, app, threaded=True)
    host = f'[{args.host}]' if ':' in args.host else args.host
    # Machine-readable: test helpers and scripts/demo.mjs wait for this line (with --port 0).
    print(f'LISTENING http://{host}:{server.server_port}', flush=True)
    log.info('upstream %s, model %s, format %s, allowed origins %s', llm.redact(config.base_url), config.model, config.format, ', '.join(config.allowed_origins) or 'none')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == '__main__':
    main()
