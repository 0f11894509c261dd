"""The shipped DOCX templates of case documents (see build.py)."""
