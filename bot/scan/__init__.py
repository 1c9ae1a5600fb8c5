"""``wikilint scan``: lint every page of a MediaWiki XML dump."""
