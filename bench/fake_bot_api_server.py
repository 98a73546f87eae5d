"""Run the loopback fake Bot API by itself (for trying the bot or a dispatcher by hand).

    python bench/fake_bot_api_server.py --port 8081 --limit 30
    TELEGRAM_BASE_URL=http://127.0.0.1:8081/bot stationbot run

It answers like Telegram (``testing.sandbox.BotApiEmulator``), refuses more than ``--limit``
messages per second with 429 + retry_after, and prints per-second counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from testing.bot_api_server import FakeBotApiServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--limit", type=int, default=30, help="messages per second before answering 429")
    parser.add_argument("--retry-after", type=int, default=1)
    args = parser.parse_args()
    with FakeBotApiServer(port=args.port, limit_per_second=args.limit, retry_after=args.retry_after) as server:
        print(f"fake Bot API on {server.base_url} (limit {args.limit}/s)", flush=True)
        try:
            while True:
                time.sleep(5)
                print(f"delivered {server.delivered}, refused with 429: {server.rate_limited}", flush=True)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
