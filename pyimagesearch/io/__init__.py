"""Input and output: reading photos safely, typed results and their JSON export."""
