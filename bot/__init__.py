"""The runtime shell: PTB Application, rendering, jobs, outbox dispatcher, web app and CLI."""
