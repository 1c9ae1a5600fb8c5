"""The wiki: the only code that imports pywikibot (site, reads, safe save, page sources)."""
