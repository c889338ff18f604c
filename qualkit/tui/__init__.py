"""The Textual workbench. Imported only by the CLI's `code` and `demo` commands."""
