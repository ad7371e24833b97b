"""What the WeChat tests share: the account's settings, an internal document with secrets, a live server."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from eval.live import LiveServer
from eval.standins.wechat import WeChatAPIStandin, WeChatPush

TOKEN = "lantai-test-token"
APPID = "wx0123456789abcdef"
SECRET = "test-app-secret"
QUESTION = "青川区图书馆2024年进馆人数是多少？"
ANSWER_FIGURE = "208.37万次"

SECRET_FILE = "qingchuan-2024-smart-stacks-internal.txt"
SECRET_TEXT = """青川区图书馆新馆智能书库项目内部核算（2024年）

一、项目概况

新馆智能书库项目内部代号“青鸾工程”，项目总预算为4718.36万元，由区财政分三年安排。

二、资金情况

截至2024年12月31日，青鸾工程累计支付2931.08万元，尚有应付未付款1396.57万元。2024年文献购置经费实际到位301.24万元，与公开报告口径不同，仅供内部核对。

三、存在问题

一是青鸾工程设备供应商交付延期。二是智能分拣系统调试费用超出预算186.42万元。
"""
# Nothing of the internal document may reach a WeChat user: its figures, its words, its title.
SECRET_MARKERS = (
    "4718.36",
    "2931.08",
    "1396.57",
    "301.24",
    "186.42",
    "青鸾",
    "内部核算",
    "分三年安排",
    "智能分拣",
    "仅供内部核对",
)


def write_secret_document(folder: Path) -> Path:
    path = folder / SECRET_FILE
    path.write_text(SECRET_TEXT, encoding="utf-8")
    return path


def wechat_settings(data_dir: Path, api: WeChatAPIStandin, **overrides):
    from ui.settings import Settings

    values = dict(
        data_dir=data_dir, wechat_token=TOKEN, wechat_appid=APPID, wechat_secret=SECRET, wechat_api_base=api.base_url
    )
    values.update(overrides)
    return Settings(**values)


@contextmanager
def lantai(kb, settings, **app_kwargs):
    """Lantai's API app over ``kb`` with the WeChat channel, served by uvicorn on a free loopback port."""
    from ui.api import create_app

    app = create_app(settings, kb=kb, **({"api_keys": []} | app_kwargs))
    with LiveServer(app) as server:
        server.app = app
        yield server


@contextmanager
def wechat(server, aes_key: str | None = None, **kwargs):
    push = WeChatPush(server.url + "/wechat", TOKEN, APPID, aes_key=aes_key, **kwargs)
    try:
        yield push
    finally:
        push.close()
