"""Loopback emulator of the ToAPIs video API (see ../README.md).

Modules:
    server     command line, HTTP server, TLS, signal handling
    handler    request reading, dispatch, scripted responses, response sending
    api        the emulated /v1 endpoints and /files downloads
    admin      the /_emu/ control API used by tests
    state      scenario, tasks, uploads, request log, scripts (thread-safe)
    models     per-model request validation for POST /v1/videos/generations
    clips      MP4 clips made with ffmpeg
    multipart  multipart/form-data parsing and image type sniffing
"""
