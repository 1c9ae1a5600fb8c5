"""Local files: inputs, saved edit forms, config discovery, output formats, SQLite files."""
