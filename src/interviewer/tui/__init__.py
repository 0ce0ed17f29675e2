"""Reading personas: a Textual app (``interviewer inspect``) and rich output (``show``)."""
