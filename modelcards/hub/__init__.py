"""The Hugging Face Hub: reading repositories' README.md (client.py) and importing them as cards
(importing.py); the upstream sync and the pull requests build on the same client."""
