"""The web: the HTTP title fetcher for the unsafe URL fixes."""
