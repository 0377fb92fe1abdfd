"""Reference FastAPI backend for llm-sse-client, on the llm-sse kit (python/).

The same routes, wire format, settings and counters as the Flask backend
(``../flask-backend``, whose ``settings.py``, ``stats.py``, ``llm.py``,
``routes.py`` and ``resumable.py`` it shares), served by uvicorn with the
async ``openai`` client.

Run: ``python app.py --port 5000`` (see README.md).
"""

import contextlib
import logging
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException

# The two reference backends share their settings, counters and upstream client.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'flask-backend'))

import llm  # noqa: E402
import resumable  # noqa: E402
import routes  # noqa: E402
from llm_sse import BodyError, Failure, describe, tools  # noqa: E402
from llm_sse.ai_sdk.starlette import AsyncChatStreams, no_stream  # noqa: E402
from llm_sse.payload import format_headers  # noqa: E402
from llm_sse.starlette import error_response, read_json, refuse_resume, respond, stream  # noqa: E402
from settings import CORS_EXPOSE, CORS_HEADERS, DEFAULT_PROMPT, INDEX, USERID, Config, app_from_command_line, fault_headers, metrics_response  # noqa: E402
from stats import Stats  # noqa: E402

log = logging.getLogger('fastapi-backend')


def create_app(config: Config = None, stats: Stats = None) -> FastAPI:
    config = config or Config.from_env()
    stats = stats or Stats()
    client = llm.create_async_client(config.base_url, config.api_key, config.timeout, config.upstream_connections)
    # REDIS_URL or RESUMABLE=1: generations outlive their requests (../flask-backend/resumable.py).
    runner = resumable.async_runner_from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if runner is not None:
            # Readers on other workers get whole answers, not generator_gone.
            await runner.drain(10)

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)
    if config.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.allowed_origins),
            allow_methods=['GET', 'POST'],
            allow_headers=CORS_HEADERS,
            expose_headers=CORS_EXPOSE,
        )

    async def start(request: Request, route: str, prompt: str):
        if runner is not None:
            stats.requested(route)
            return await resumable.astart(
                runner,
                lambda: client.chat.completions.create(**llm.request(config.model, prompt, fault_headers(config, request.headers))),
                fmt=config.format,
                userid=USERID,
                on_complete=routes.resumable_saved(stats, prompt),
            )
        options = routes.answer_options(config, str(uuid.uuid4()), prompt, stats)
        stats.started(route)
        try:
            upstream = await client.chat.completions.create(**llm.request(config.model, prompt, fault_headers(config, request.headers)))
        except Exception as error:
            # Generic message and the request id to the client, details in the log.
            stats.ended('error')
            return error_response(describe(error, options['stream_id']), options['headers'])
        return await stream(upstream, **options)

    @app.get('/stream/get')
    async def stream_get(request: Request):
        resumed = await resumable.aresume(runner, request) if runner is not None else refuse_resume(request)
        if resumed is not None:
            return resumed
        return await start(request, '/stream/get', request.query_params.get('text') or DEFAULT_PROMPT)

    @app.post('/stream/post')
    async def stream_post(request: Request):
        # A resume re-sends the original body; the id alone says what to continue.
        resumed = await resumable.aresume(runner, request) if runner is not None else refuse_resume(request)
        if resumed is not None:
            return resumed
        body = await read_json(request, config.max_body_bytes)
        prompt = body.get('prompt') if isinstance(body, dict) else None
        if prompt is not None and not isinstance(prompt, str):
            raise BodyError(400, '"prompt" must be a string')
        return await start(request, '/stream/post', prompt or DEFAULT_PROMPT)

    # The AI SDK's useChat (format ai-sdk) resumes by chat id: the runner records each chat's active stream.
    chats = AsyncChatStreams(runner) if runner is not None and config.format == 'ai-sdk' else None

    @app.post('/api/chat')
    async def api_chat(request: Request):
        # A server-side tool loop (../flask-backend/chat.py): the model may call get_time; one stream.
        # useChat resumes by chat id (the GET route below); Last-Event-ID is honoured as on every stream route.
        resumed = await resumable.aresume(runner, request) if runner is not None else refuse_resume(request)
        if resumed is not None:
            return resumed
        body = await read_json(request, config.max_body_bytes)
        plan = routes.chat_plan(config, body, request.headers, stats, runner is not None)

        def loop(stream_id: str):
            return tools.arun(client, stream_id=stream_id, **plan.options)

        if chats is not None and plan.use_chat is not None:
            stats.requested('/api/chat')
            return await chats.respond(plan.use_chat.id, loop, headers=plan.headers)
        if runner is not None:
            stats.requested('/api/chat')
            return await resumable.astart_events(runner, loop, plan.headers)
        stats.started('/api/chat')
        headers = {**plan.headers, **format_headers(config.format)}
        return await respond(loop(plan.request_id), heartbeat=config.heartbeat, on_end=stats.ended, headers=headers)

    @app.get('/api/chat/{chat_id}/stream')
    async def api_chat_stream(chat_id: str):
        # useChat({ resume: true }) on page load: the chat's answer still being generated, from its start; else 204.
        return await chats.resume(chat_id) if chats is not None else no_stream()

    @app.post('/stream/{stream_id}/cancel')
    async def stream_cancel(stream_id: str):
        if runner is None:
            return error_response(Failure(404, 'http_error', 'resumable mode is off: set REDIS_URL or RESUMABLE=1'))
        return await resumable.acancel(runner, stream_id)

    @app.get('/test')
    async def test():
        return PlainTextResponse('欢迎使用DeepSeek流式输出示例!')

    @app.get('/')
    async def index():
        # Never the upstream URL: it may hold credentials (https://user:password@host).
        return PlainTextResponse(INDEX.format(server='FastAPI', model=config.model, format=config.format))

    if config.metrics:

        @app.get('/metrics')
        async def get_metrics():
            body, content_type = metrics_response()
            return Response(body, media_type=content_type)

    @app.get('/__stats')
    async def get_stats():
        return JSONResponse(stats.snapshot())

    @app.post('/__reset')
    async def reset_stats():
        stats.reset()
        return JSONResponse(stats.snapshot())

    @app.exception_handler(BodyError)
    async def bad_body(request: Request, error: BodyError):
        return error_response(error)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        return error_response(Failure(error.status_code, 'http_error', str(error.detail)))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception):
        request_id = str(uuid.uuid4())
        log.error('request %s failed', request_id, exc_info=error)
        return error_response(Failure(500, 'internal_error', 'the server failed', request_id))

    return app


def main(argv=None) -> None:
    args, config, app = app_from_command_line('Reference FastAPI backend streaming an OpenAI-compatible LLM as SSE.', create_app, argv)

    family = socket.AF_INET6 if ':' in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    # Listening before the line is printed: a client that connects at once waits in the backlog.
    sock.listen(2048)
    host = f'[{args.host}]' if ':' in args.host else args.host
    # Machine-readable: test helpers and scripts/demo.mjs wait for this line (with --port 0).
    print(f'LISTENING http://{host}:{sock.getsockname()[1]}', flush=True)
    log.info('upstream %s, model %s, format %s, allowed origins %s', llm.redact(config.base_url), config.model, config.format, ', '.join(config.allowed_origins) or 'none')
    server = uvicorn.Server(uvicorn.Config(app, log_level='info', timeout_graceful_shutdown=2))
    server.run(sockets=[sock])


if __name__ == '__main__':
    main()
