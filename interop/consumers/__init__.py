"""Consumer checks of `make interop`. Scripts named *_check.py run inside the consumer's own venv."""
