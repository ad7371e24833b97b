"""Every surface a person or a client touches: the CLI, and later the web app, REST API and WeChat."""
