"""Notice a client that closed its connection while the server has nothing to write.

A WSGI server notices a gone client only when a write fails, i.e. at the
next token or later; while the upstream is silent (a stalled or slow model)
the generation would go on, billed, for nobody. The request was read in full
before streaming starts, so the socket turning readable means EOF.
"""

from __future__ import annotations

import selectors
import socket
import threading
from typing import Callable


def watch_client(client: socket.socket, on_gone: Callable[[], None]) -> Callable[[], None]:
    """Call ``on_gone()`` (on a daemon thread) as soon as ``client`` reaches EOF; returns ``stop()``."""
    wake_r, wake_w = socket.socketpair()
    # selectors, not select.select: that one fails on descriptors >= 1024.
    selector = selectors.DefaultSelector()
    selector.register(client, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)

    def run() -> None:
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

    threading.Thread(target=run, name='llm-sse-client-watch', daemon=True).start()
    return wake_w.close
