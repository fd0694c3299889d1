"""The `dataops` command line: everything that is not looking at a page."""
