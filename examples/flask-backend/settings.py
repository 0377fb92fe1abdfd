"""Settings of the reference backends, from the environment (flags override some)."""

import argparse
import logging
import os
from dataclasses import dataclass
from typing import Callable, Optional, Tuple, TypeVar

from llm_sse import FORMATS, MAX_BODY_BYTES

T = TypeVar('T')

DEFAULT_PROMPT = '详解一下flask框架'  # the Flask tutorial's hard-coded prompt
USERID = '789465'  # the tutorial's; real deployments send the user's id here


def positive(name: str, raw: Optional[str], default: float) -> float:
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f'{name} must be a positive number, not {raw!r}')
    return value


def _origins(raw: Optional[str]) -> Tuple[str, ...]:
    origins = tuple(o.strip().rstrip('/') for o in (raw or '').split(',') if o.strip())
    for origin in origins:
        if origin != '*' and not origin.startswith(('http://', 'https://')):
            raise ValueError(f'ALLOWED_ORIGINS takes origins like http://localhost:5173, not {origin!r}')
    return origins


def _metrics(on: bool) -> bool:
    if on:
        from llm_sse.resume import metrics

        if not metrics.ENABLED:
            raise ValueError("METRICS=1 needs prometheus_client: pip install 'llm-sse[metrics]'")
    return on


def metrics_response() -> Tuple[bytes, str]:
    """``GET /metrics``: this process's counters in the Prometheus text format, and its content type."""
    from llm_sse.resume import metrics

    exposition = metrics.exposition()
    assert exposition is not None  # checked when the setting was read
    return exposition


@dataclass(frozen=True)
class Config:
    """Settings; ``Config.from_env()`` reads them from the environment."""

    base_url: str = 'http://127.0.0.1:8787/v1'
    api_key: str = 'mock-key'
    model: str = 'deepseek-r1:14b'
    format: str = 'repr'
    timeout: float = 60.0
    # Concurrent upstream connections of the OpenAI client (its own default);
    # answers past it wait for one and end as an upstream timeout.
    upstream_connections: int = 1000
    heartbeat: float = 15.0
    max_body_bytes: int = MAX_BODY_BYTES
    allowed_origins: Tuple[str, ...] = ()
    forward_faults: bool = False
    # GET /metrics: Prometheus text of the kit's counters (needs prometheus_client).
    metrics: bool = False

    @staticmethod
    def from_env(env=os.environ) -> 'Config':
        # FORMAT is the short spelling (FORMAT=ai-sdk for the AI SDK's useChat).
        fmt = env.get('SSE_FORMAT') or env.get('FORMAT') or Config.format
        if fmt not in FORMATS:
            raise ValueError(f'SSE_FORMAT must be one of {", ".join(FORMATS)}, not {fmt!r}')
        return Config(
            base_url=env.get('OPENAI_BASE_URL') or Config.base_url,
            api_key=env.get('OPENAI_API_KEY') or Config.api_key,
            model=env.get('LLM_MODEL') or Config.model,
            format=fmt,
            timeout=positive('LLM_TIMEOUT', env.get('LLM_TIMEOUT'), Config.timeout),
            upstream_connections=int(positive('LLM_MAX_CONNECTIONS', env.get('LLM_MAX_CONNECTIONS'), Config.upstream_connections)),
            heartbeat=positive('SSE_HEARTBEAT', env.get('SSE_HEARTBEAT'), Config.heartbeat),
            max_body_bytes=int(positive('MAX_BODY_BYTES', env.get('MAX_BODY_BYTES'), Config.max_body_bytes)),
            allowed_origins=_origins(env.get('ALLOWED_ORIGINS')),
            forward_faults=env.get('FLASK_FORWARD_FAULTS', '') in ('1', 'true', 'yes', 'on'),
            metrics=_metrics(env.get('METRICS', '') in ('1', 'true', 'yes', 'on')),
        )

    def but(self, **changes) -> 'Config':
        return Config(**{**self.__dict__, **changes})


def fault_headers(config: Config, headers) -> Optional[dict]:
    """Test mode only: ``x-mock-*`` request headers, forwarded so a test can ask the mock upstream for a fault."""
    if not config.forward_faults:
        return None
    return {k: v for k, v in headers.items() if k.lower().startswith('x-mock-')}


# A JSON POST from another origin is preflighted: the browser asks for
# Content-Type; Last-Event-ID is what a resuming client sends. X-Request-Id
# is exposed so the page can quote it in a bug report.
CORS_HEADERS = ['Content-Type', 'Last-Event-ID']
CORS_EXPOSE = ['X-Request-Id']

INDEX = """llm-sse-client reference backend ({server}).

GET  /stream/get?text=...      SSE answer
POST /stream/post {{"prompt"}}   SSE answer
POST /api/chat {{"messages"}}    SSE answer of a tool loop (the model may call get_time)
GET  /test                     plain text
GET  /__stats                  counters
GET  /metrics                  Prometheus metrics (METRICS=1 or --metrics)

The demo pages are served by `npm run demo` (examples/), which proxies /stream/ here.
Model {model}, format {format}.
"""


def configure_logging() -> None:
    """Log lines on stderr; never the upstream URL (it may hold credentials)."""
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(name)s %(levelname)s %(message)s')
    # The openai client's HTTP library logs every request URL at INFO, user:password included.
    for name in ('httpx', 'httpx2', 'httpcore', 'httpcore2'):
        logging.getLogger(name).setLevel(logging.WARNING)


def app_from_command_line(description: str, create_app: Callable[[Config], T], argv=None) -> Tuple[argparse.Namespace, Config, T]:
    """Parse the reference backends' shared command line; return it, the config and the app.

    A bad setting exits with status 2 and the reason (argparse's own error), no traceback.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--host', default=os.environ.get('HOST', '127.0.0.1'))
    parser.add_argument('--port', type=int, default=int(os.environ.get('PORT', '5000')), help='0 picks a free port')
    parser.add_argument(
        '--format',
        choices=FORMATS,
        default=None,
        help="event payload: repr (default), json, or ai-sdk: the AI SDK's UI-message stream for its useChat on /api/chat (env SSE_FORMAT or FORMAT)",
    )
    parser.add_argument('--allowed-origins', default=None, help='comma-separated origins allowed to call this backend from a browser (env ALLOWED_ORIGINS; default none)')
    parser.add_argument('--forward-faults', action='store_true', default=None, help='forward x-mock-* request headers upstream (tests only; env FLASK_FORWARD_FAULTS=1)')
    parser.add_argument('--metrics', action='store_true', default=None, help='serve GET /metrics for Prometheus (env METRICS=1; needs prometheus_client)')
    args = parser.parse_args(argv)

    configure_logging()
    try:
        env = dict(os.environ)
        if args.allowed_origins is not None:
            env['ALLOWED_ORIGINS'] = args.allowed_origins
        config = Config.from_env(env)
        if args.format:
            config = config.but(format=args.format)
        if args.forward_faults:
            config = config.but(forward_faults=True)
        if args.metrics:
            config = config.but(metrics=_metrics(True))
        return args, config, create_app(config)
    except ValueError as error:
        parser.error(str(error))
