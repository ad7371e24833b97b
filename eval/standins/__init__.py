"""Stand-ins for the outside services Lantai talks to and tests cannot run: small local servers on
127.0.0.1 that speak the real protocol, started by the test or the eval that needs them.

- ``eval.standins.openai_api``: an OpenAI-compatible server (chat completions, embeddings) for the
  LLM and the remote embedder;
- ``eval.standins.wechat``: the user side that pushes signed, optionally encrypted messages to Lantai,
  with WeChat's API (``eval.standins.wechat_api``: access tokens, customer-service messages, moderation).

The servers share their plumbing (``eval.standins.server``): a threaded HTTP server on a free port in
a background thread, requests and replies as plain objects, start and stop.
"""
