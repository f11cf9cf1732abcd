"""Output formats: pure functions from query results to text. Nothing here writes to the database."""
