"""Stand-ins for the outside services Lantai talks to and tests cannot run: small local servers on
127.0.0.1 that speak the real protocol, started by the test or the eval that needs them.

- ``eval.standins.openai_api``: an OpenAI-compatible server (chat completions, embeddings) for the
  LLM and the remote embedder;
- ``eval.standins.wechat``: WeChat's API (access tokens, customer-service messages, moderation) and
  the user side that pushes signed, optionally encrypted messages to Lantai.
"""
