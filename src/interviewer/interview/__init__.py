"""The interview graph: an interviewer agent, a persona model and a critic."""
