"""interviewer: virtual personas from LLM interviews, surveyed and scored against real people."""

__version__ = "0.1.0"
