"""The file contracts: questionnaire, human responses, simulated responses, persona files and
the canonical demographic coding. This package imports only the foundation modules
(errors, paths, storage, yaml_io), never anything above it."""
