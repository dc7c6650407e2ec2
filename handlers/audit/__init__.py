"""Read-only one-shots: the live audit, the export reader, information barriers."""
